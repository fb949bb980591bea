package io.unibench.deploy.qemu;

/**
 * How QEMU runs unikernels.
 *
 * @param accel   {@code auto} (KVM when /dev/kvm really works, else TCG with a warning), {@code kvm} or {@code tcg}
 * @param machine {@code microvm} (the manifest's default: PVH, no firmware) or {@code pc} (the manifest's
 *                {@code pc} variant: qboot firmware, virtio-net-pci)
 * @param binary  the QEMU executable
 */
public record QemuOptions(Accel accel, String machine, String binary) {
    public enum Accel { auto, kvm, tcg }

    public static QemuOptions defaults() {
        return new QemuOptions(Accel.auto, "microvm", "qemu-system-x86_64");
    }
}
