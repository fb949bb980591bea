package io.unibench.deploy.libvirt;

import io.unibench.deploy.qemu.QemuOptions;

/**
 * Where and how the libvirt backend runs unikernels.
 *
 * @param uri              the libvirt daemon ({@code qemu:///system} or {@code qemu+ssh://user@host/system})
 * @param advertiseAddress the address clients reach the server's forwarded ports on, and that QEMU binds them
 *                         to (default: the URI's host; 127.0.0.1 locally)
 * @param qemu             machine and accelerator, as for the qemu backend ({@code tcg} makes a {@code qemu}
 *                         domain, otherwise {@code kvm})
 */
public record LibvirtOptions(LibvirtUri uri, String advertiseAddress, QemuOptions qemu) {
    public static LibvirtOptions defaults() {
        return new LibvirtOptions(LibvirtUri.parse(LibvirtUri.LOCAL), "127.0.0.1", QemuOptions.defaults());
    }
}
