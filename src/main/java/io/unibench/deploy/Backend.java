package io.unibench.deploy;

import io.unibench.UsageException;
import java.util.List;
import java.util.Locale;

/** Where an instance runs. The name is what users type and what appears in ids ({@code qemu-dns-1}). */
public enum Backend {
    qemu, docker;

    /** {@code qemu}, {@code docker} or {@code both}; anything else is a usage error. */
    public static List<Backend> parseChoice(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "both" -> List.of(qemu, docker);
            case "qemu", "kvm", "unikernel" -> List.of(qemu);
            case "docker", "container" -> List.of(docker);
            default -> throw new UsageException("unknown backend '" + text + "' (use qemu, docker or both)");
        };
    }
}
