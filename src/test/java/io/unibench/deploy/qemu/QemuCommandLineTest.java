package io.unibench.deploy.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.deploy.Endpoint;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.lab.LabLink;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {
    private final ServiceSpec dns = ServiceCatalog.load().get("dns");
    private final List<Endpoint> eps = List.of(new Endpoint("dns", "udp", "127.0.0.1", 20005, 53),
            new Endpoint("ctl", "tcp", "127.0.0.1", 20006, 8080));

    private List<String> line(String machine, String accel) {
        return QemuKvmDeployer.commandLine("qemu-system-x86_64", dns, Path.of("/img/dns.elf"), machine, accel,
                "unibench-qemu-dns-1", eps, Path.of("/s/logs/c.log"), Path.of("/s/run/q.sock"), Path.of("/s/run/q.pid"));
    }

    private static String after(List<String> argv, String flag) {
        return argv.get(argv.indexOf(flag) + 1);
    }

    @Test
    void microvmFromTheManifest() {
        List<String> c = line("microvm", "kvm");
        assertThat(after(c, "-M")).isEqualTo("microvm," + dns.unikernel().machineOptions());
        // the IOAPIC in the kernel: its accesses at boot are no exits to QEMU's main loop
        assertThat(after(c, "-accel")).isEqualTo("kvm,kernel-irqchip=on");
        assertThat(after(c, "-m")).isEqualTo(dns.unikernel().memory());
        assertThat(after(c, "-smp")).isEqualTo("1");
        assertThat(after(c, "-kernel")).isEqualTo("/img/dns.elf");
        assertThat(after(c, "-append")).isEqualTo(dns.unikernel().cmdline());
        assertThat(after(c, "-netdev")).isEqualTo(
                "user,id=n0,hostfwd=udp:127.0.0.1:20005-:53,hostfwd=tcp:127.0.0.1:20006-:8080");
        assertThat(after(c, "-device")).isEqualTo("virtio-net-device,netdev=n0");
        assertThat(after(c, "-serial")).isEqualTo("file:/s/logs/c.log");
        assertThat(after(c, "-qmp")).isEqualTo("unix:/s/run/q.sock,server=on,wait=off");
        assertThat(after(c, "-pidfile")).isEqualTo("/s/run/q.pid");
        assertThat(c).contains("-nodefaults", "-no-user-config", "-no-reboot").doesNotContain("-bios");
    }

    @Test
    void theSecondIoapicKeepsQemusSplitIrqchip() {
        assertThat(QemuKvmDeployer.accelOption("kvm", "acpi=off,ioapic2=off")).isEqualTo("kvm,kernel-irqchip=on");
        assertThat(QemuKvmDeployer.accelOption("kvm", null)).isEqualTo("kvm,kernel-irqchip=on");
        assertThat(QemuKvmDeployer.accelOption("kvm", "ioapic2=on")).isEqualTo("kvm");
        assertThat(QemuKvmDeployer.accelOption("tcg", null)).isEqualTo("tcg");
    }

    @Test
    void pcVariantUsesQbootAndVirtioNetPci() {
        List<String> c = line("pc", "tcg");
        assertThat(after(c, "-M")).isEqualTo("pc");
        assertThat(after(c, "-bios")).isEqualTo(dns.unikernel().pc().bios());
        assertThat(after(c, "-device")).isEqualTo("virtio-net-pci,netdev=n0");
        assertThat(after(c, "-accel")).isEqualTo("tcg");
    }

    @Test
    void inALabQemuRunsInTheNamespaceOnItsTap() {
        LabLink lab = new LabLink("default", "ub-abc123-default", "dmz", "br-dmz", "10.0.0.100", 24, "10.0.0.254",
                "52:54:00:01:00:64", "tap-dns-1", LabLink.TAP, null);
        List<String> c = QemuKvmDeployer.commandLine("qemu-system-x86_64", dns, Path.of("/img/dns.elf"), "microvm",
                "kvm", "unibench-qemu-dns-1", List.of(new Endpoint("dns", "udp", "10.0.0.100", 53, 53)),
                Path.of("/s/logs/c.log"), Path.of("/s/run/q.sock"), Path.of("/s/run/q.pid"), lab);
        assertThat(c.subList(0, 5)).containsExactly("ip", "netns", "exec", "ub-abc123-default", "qemu-system-x86_64");
        assertThat(after(c, "-netdev")).isEqualTo("tap,id=n0,ifname=tap-dns-1,script=no,downscript=no");
        assertThat(after(c, "-device")).isEqualTo("virtio-net-device,netdev=n0,mac=52:54:00:01:00:64");
        assertThat(after(c, "-append")).isEqualTo("ip=10.0.0.100/24 gw=10.0.0.254");
        assertThat(String.join(" ", c)).doesNotContain("hostfwd", "vhost");
        assertThat(QemuKvmDeployer.labCmdline("verbose ip=10.0.2.15/24 gw=10.0.2.2", lab))
                .isEqualTo("ip=10.0.0.100/24 gw=10.0.0.254 verbose");
        assertThat(QemuKvmDeployer.tapName("qemu-dns-12")).isEqualTo("tap-dns-12");
        assertThat(QemuKvmDeployer.tapName("qemu-averylongservice-1")).hasSizeLessThanOrEqualTo(15);
    }

    @Test
    void aRouterGetsOneTapAndOneDeviceAnInterfaceInOrderAndItsRoutes() {
        ServiceSpec router = ServiceCatalog.load().get("router");
        io.unibench.deploy.lab.LabPlacement p = new io.unibench.deploy.lab.LabPlacement(List.of(
                new LabLink("poc-qemu", "ub-x-poc-qemu", "link", "br-link", "192.168.101.2", 29, null,
                        "52:54:00:aa:00:02", QemuKvmDeployer.tapName("qemu-router-1", 0), LabLink.TAP, null),
                new LabLink("poc-qemu", "ub-x-poc-qemu", "dmz", "br-dmz", "10.0.0.254", 24, null,
                        "52:54:00:bb:00:fe", QemuKvmDeployer.tapName("qemu-router-1", 1), LabLink.TAP, null)),
                List.of("default via 192.168.101.3"));
        List<String> c = QemuKvmDeployer.commandLine("qemu-system-x86_64", router, Path.of("/img/router.elf"),
                "microvm", "kvm", "unibench-qemu-router-1", List.of(), Path.of("/c.log"), Path.of("/q.sock"),
                Path.of("/q.pid"), p.links(), QemuKvmDeployer.placementCmdline(router.unikernel().cmdline(), p));
        String line = String.join(" ", c);
        assertThat(line).contains("-netdev tap,id=n0,ifname=tap-router-1,script=no,downscript=no "
                + "-device virtio-net-device,netdev=n0,mac=52:54:00:aa:00:02 "
                + "-netdev tap,id=n1,ifname=t1-router-1,script=no,downscript=no "
                + "-device virtio-net-device,netdev=n1,mac=52:54:00:bb:00:fe");
        assertThat(after(c, "-append")).isEqualTo("ip=192.168.101.2/29 ip1=10.0.0.254/24 gw=192.168.101.3");
        assertThat(QemuKvmDeployer.placementCmdline("ip=1.2.3.4/24 ip1=5.6.7.8/24 route=9.0.0.0/8:1.2.3.1 verbose", p))
                .isEqualTo("ip=192.168.101.2/29 ip1=10.0.0.254/24 gw=192.168.101.3 verbose");
        assertThat(QemuKvmDeployer.tapName("qemu-firewall-1", 1)).isEqualTo("t1-firewall-1");
        assertThat(QemuKvmDeployer.tapName("qemu-averylongservice-1", 1)).hasSizeLessThanOrEqualTo(15);
    }

    @Test
    void onlyAQemuWithOurSocketOnItsCommandLineIsOurs() {
        long self = ProcessHandle.current().pid();
        assertThat(QemuKvmDeployer.isOurs(self, "/s/run/q.sock")).as("a JVM is not QEMU").isFalse();
        assertThat(QemuKvmDeployer.isOurs(Integer.MAX_VALUE, "/s/run/q.sock")).isFalse();
        assertThat(QemuKvmDeployer.isGone(Integer.MAX_VALUE)).isTrue();
        assertThat(QemuKvmDeployer.isGone(self)).isFalse();
    }
}
