package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.deploy.qemu.QemuOptions;
import picocli.CommandLine.Option;

/** How QEMU runs the unikernels: shared by every command that starts QEMU instances. */
final class QemuOptionsMixin {
    @Option(names = "--accel", defaultValue = "auto", paramLabel = "ACCEL",
            description = "QEMU accelerator: auto (KVM when /dev/kvm works, else TCG with a warning), kvm or tcg "
                    + "(default: ${DEFAULT-VALUE}).")
    QemuOptions.Accel accel;

    @Option(names = "--machine", defaultValue = "microvm", paramLabel = "MACHINE",
            description = "QEMU machine: microvm (PVH, no firmware) or pc (qboot, virtio-net-pci) (default: ${DEFAULT-VALUE}).")
    String machine;

    /** The validated options; a usage error for an unknown machine. */
    QemuOptions options() {
        if (!machine.equals("microvm") && !machine.equals("pc")) {
            throw new UsageException("unknown --machine '" + machine + "' (use microvm or pc)");
        }
        return new QemuOptions(accel, machine, "qemu-system-x86_64");
    }
}
