package io.unibench.deploy;

import io.unibench.UsageException;
import java.util.List;
import java.util.Locale;

/**
 * Where an instance runs. The name is what users type and what appears in ids ({@code qemu-dns-1}). {@code libvirt}
 * runs the same unikernels as {@code qemu}, through a libvirt daemon (this host's or a server's).
 */
public enum Backend {
    qemu, docker, libvirt;

    /** {@code qemu}, {@code docker}, {@code libvirt} or {@code both} (qemu and docker); else a usage error. */
    public static List<Backend> parseChoice(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "both" -> List.of(qemu, docker);
            case "qemu", "kvm", "unikernel" -> List.of(qemu);
            case "docker", "container" -> List.of(docker);
            case "libvirt" -> List.of(libvirt);
            default -> throw new UsageException("unknown backend '" + text + "' (use qemu, docker, libvirt or both)");
        };
    }
}
