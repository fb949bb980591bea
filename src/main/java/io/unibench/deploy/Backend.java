package io.unibench.deploy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.unibench.UsageException;
import io.unibench.deploy.docker.DockerDeployer;
import io.unibench.deploy.gvisor.GvisorDeployer;
import io.unibench.deploy.libvirt.LibvirtDeployer;
import io.unibench.deploy.nativeproc.NativeDeployer;
import io.unibench.deploy.qemu.QemuKvmDeployer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where an instance runs, and the one registry of backends: each constant names its {@link Deployer}
 * factory (the class in {@code deploy/<backend>/}). Nothing outside {@code deploy/<backend>/} names a
 * concrete backend; everything backend-specific is asked of its deployer. The {@link #id} is what users
 * type and what appears in instance ids ({@code qemu-dns-1}), records and results (the constant's Java
 * name may differ: {@code native} is a Java keyword). Adding a backend = its folder + one line here.
 */
public enum Backend {
    qemu("qemu", "unikernel on QEMU/KVM", QemuKvmDeployer::new, "kvm", "unikernel", "unikernels"),
    docker("docker", "container on Docker (runc)", DockerDeployer::new, "container", "containers"),
    gvisor("gvisor", "container on Docker with the gVisor runtime (runsc)", GvisorDeployer::new, "runsc"),
    nativeproc("native", "the static service binary as a host process", NativeDeployer::new, "process"),
    libvirt("libvirt", "unikernel on QEMU/KVM through libvirt (this host or a server)", LibvirtDeployer::new, "virsh");

    /** The study's pair, {@code --backend both}. */
    public static final List<Backend> BOTH = List.of(qemu, docker);

    private final String id;
    private final String description;
    private final Function<Deployer.Context, Deployer> factory;
    private final Set<String> aliases;

    Backend(String id, String description, Function<Deployer.Context, Deployer> factory, String... aliases) {
        this.id = id;
        this.description = description;
        this.factory = factory;
        this.aliases = Set.of(aliases);
    }

    /** The backend's name: what users type, and what ids, records and results carry. */
    @JsonValue
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }

    /** The backend of a record ({@link #id}, or for records of older versions the constant's name). */
    @JsonCreator
    public static Backend fromId(String id) {
        for (Backend b : values()) {
            if (b.id.equals(id) || b.name().equals(id)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + id + "'");
    }

    /**
     * The backend that runs this one's instances on a server ({@code --host}): the unikernels go through the
     * server's libvirt, containers through its Docker engine; null for backends that run only on this host.
     */
    public Backend onServer() {
        return switch (this) {
            case qemu, libvirt -> libvirt;
            case docker -> docker;
            default -> null;
        };
    }

    /** One line for help texts and {@code doctor}. */
    public String description() {
        return description;
    }

    /** A new deployer of this backend (cheap: daemons and tools are contacted on first use). */
    public Deployer deployer(Deployer.Context context) {
        return factory.apply(context);
    }

    /** {@code qemu, docker, ...}: the names users can type. */
    public static String names() {
        return Arrays.stream(values()).map(Backend::id).collect(Collectors.joining(", "));
    }

    /**
     * A backend name, {@code both} (qemu,docker: the study's pair), {@code all}, or a comma list of them
     * (duplicates dropped, order kept); anything else is a usage error listing the known backends.
     */
    public static List<Backend> parseChoice(String text) {
        Set<Backend> out = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String t = part.trim().toLowerCase(Locale.ROOT);
            if (t.equals("both")) {
                out.addAll(BOTH);
            } else if (t.equals("all")) {
                out.addAll(List.of(values()));
            } else {
                out.add(one(t, part));
            }
        }
        return List.copyOf(new ArrayList<>(out));
    }

    private static Backend one(String t, String given) {
        for (Backend b : values()) {
            if (b.id.equals(t) || b.aliases.contains(t)) {
                return b;
            }
        }
        throw new UsageException("unknown backend '" + given.trim() + "' (known: " + names()
                + "; also both = qemu,docker, all, or a comma list such as qemu,docker)");
    }
}
