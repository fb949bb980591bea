package io.unibench.deploy.libvirt;

import io.unibench.Units;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.ServiceSpec.UnikernelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The libvirt domain of one unikernel instance, built from the service manifest (pure, for tests and for the
 * record). Direct kernel boot of the manifest's ELF on {@code microvm} (libvirt 9.0 accepts it once there is
 * no memballoon, no USB controller and no PCI device), or on {@code pc} with qboot as a ROM loader. Libvirt's
 * own interfaces cannot forward ports here (a {@code user} interface ignores {@code <portForward>}; the passt
 * backend is newer than libvirt 9.0), so the NIC and the microvm machine options go through libvirt's QEMU
 * command-line passthrough: the same {@code -netdev user,hostfwd=...} path as the qemu backend, bound on
 * the server's advertised address. The domain carries unibench's ownership in its {@code <metadata>}.
 */
public final class DomainXml {
    /** Namespace of unibench's element in a domain's metadata. */
    public static final String NAMESPACE = "https://unibench.io/xmlns/libvirt-instance/1";
    public static final String PREFIX = "unibench";
    /** How the NIC is attached, for the record. */
    public static final String NETWORK = "qemu command-line passthrough: -netdev user (slirp) with hostfwd";

    /**
     * @param name       domain name
     * @param id         unibench instance id
     * @param owner      the owning state directory (client side)
     * @param client     the client host name (who deployed it)
     * @param machine    {@code microvm} or {@code pc}
     * @param domainType {@code kvm}, or {@code qemu} for TCG
     * @param kernel     kernel path on the server (a storage volume)
     * @param console    serial console file on the server
     * @param endpoints  ports to forward; each bound on its {@code bindAddress}
     */
    public record Params(String name, String id, String owner, String client, String machine, String domainType,
                         String kernel, String console, String bindAddress, List<Endpoint> endpoints) {
    }

    private DomainXml() {
    }

    public static String build(ServiceSpec spec, Params p) {
        UnikernelSpec u = spec.unikernel();
        boolean pc = "pc".equals(p.machine());
        String machine = pc ? (u.pc().machine() == null ? "pc" : u.pc().machine())
                : (u.machine() == null ? "microvm" : u.machine());
        long kib = Units.parseSize(u.memory() == null ? "8M" : u.memory()) / 1024;
        StringBuilder x = new StringBuilder();
        x.append("<domain type='").append(esc(p.domainType()))
                .append("' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n");
        x.append("  <name>").append(esc(p.name())).append("</name>\n");
        x.append("  <metadata>\n    ").append(metadata(p.id(), p.owner(), spec.service(), p.client()))
                .append("\n  </metadata>\n");
        x.append("  <memory unit='KiB'>").append(kib).append("</memory>\n");
        x.append("  <vcpu>").append(u.vcpus() == null ? 1 : u.vcpus()).append("</vcpu>\n");
        x.append("  <os>\n    <type arch='x86_64' machine='").append(esc(machine)).append("'>hvm</type>\n");
        if (pc && u.pc().bios() != null) {
            x.append("    <loader type='rom'>").append(esc(u.pc().bios())).append("</loader>\n");
        }
        x.append("    <kernel>").append(esc(p.kernel())).append("</kernel>\n");
        if (u.cmdline() != null && !u.cmdline().isBlank()) {
            x.append("    <cmdline>").append(esc(u.cmdline())).append("</cmdline>\n");
        }
        x.append("  </os>\n");
        // like the qemu backend's -no-reboot: a guest that resets or powers off is gone, a crash stays visible
        x.append("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n")
                .append("  <on_crash>preserve</on_crash>\n");
        x.append("  <devices>\n");
        x.append("    <controller type='usb' model='none'/>\n");
        x.append("    <memballoon model='none'/>\n");
        x.append("    <serial type='file'>\n      <source path='").append(esc(p.console()))
                .append("'/>\n      <target port='0'/>\n    </serial>\n");
        x.append("  </devices>\n");
        x.append("  <qemu:commandline>\n");
        for (String a : passthrough(spec, p)) {
            x.append("    <qemu:arg value='").append(esc(a)).append("'/>\n");
        }
        x.append("  </qemu:commandline>\n");
        x.append("</domain>\n");
        return x.toString();
    }

    /** The QEMU arguments libvirt passes through: microvm machine options, the user-net NIC with its forwards. */
    static List<String> passthrough(ServiceSpec spec, Params p) {
        UnikernelSpec u = spec.unikernel();
        boolean pc = "pc".equals(p.machine());
        List<String> a = new ArrayList<>();
        if (!pc && u.machineOptions() != null && !u.machineOptions().isBlank()) {
            a.add("-machine");
            a.add(u.machineOptions());
        }
        StringBuilder net = new StringBuilder("user,id=unibench-n0");
        for (Endpoint e : p.endpoints()) {
            net.append(",hostfwd=").append(e.protocol()).append(':').append(p.bindAddress()).append(':')
                    .append(e.port()).append("-:").append(e.guestPort());
        }
        a.add("-netdev");
        a.add(net.toString());
        String dev = pc ? (u.pc().netDevice() == null ? "virtio-net-pci" : u.pc().netDevice())
                : (u.netDevice() == null ? "virtio-net-device" : u.netDevice());
        a.add("-device");
        a.add(dev + ",netdev=unibench-n0");
        return a;
    }

    /** unibench's metadata element: what marks a domain as ours. */
    public static String metadata(String id, String owner, String service, String client) {
        return "<" + PREFIX + ":instance xmlns:" + PREFIX + "='" + NAMESPACE + "'>"
                + "<" + PREFIX + ":id>" + esc(id) + "</" + PREFIX + ":id>"
                + "<" + PREFIX + ":owner>" + esc(owner) + "</" + PREFIX + ":owner>"
                + "<" + PREFIX + ":service>" + esc(service) + "</" + PREFIX + ":service>"
                + "<" + PREFIX + ":client>" + esc(client) + "</" + PREFIX + ":client>"
                + "</" + PREFIX + ":instance>";
    }

    /** The value of one field ({@code id}, {@code owner}, ...) of a metadata element as libvirt returns it. */
    public static String field(String metadataXml, String name) {
        if (metadataXml == null) {
            return null;
        }
        // libvirt returns the element with its own prefix choice; match any prefix
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("<(?:[\\w.-]+:)?" + name + ">([^<]*)</(?:[\\w.-]+:)?" + name + ">").matcher(metadataXml);
        return m.find() ? unesc(m.group(1)) : null;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")
                .replace("\"", "&quot;");
    }

    static String unesc(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'").replace("&quot;", "\"")
                .replace("&amp;", "&");
    }
}
