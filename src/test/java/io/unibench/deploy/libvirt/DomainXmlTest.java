package io.unibench.deploy.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.deploy.Endpoint;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DomainXmlTest {
    private static final ServiceSpec DNS = ServiceCatalog.parse(Path.of("unikernels/services/dns.json"));

    private static DomainXml.Params params(String machine) {
        return new DomainXml.Params("unibench-libvirt-dns-1-abc", "libvirt-dns-1", "/state/<me>", "client", machine,
                "kvm", "/var/lib/libvirt/unibench/dns.elf", "/var/lib/libvirt/unibench/c.log", "127.0.0.1",
                List.of(new Endpoint("dns", "udp", "127.0.0.1", 20005, 53)));
    }

    @Test
    void microvmDirectKernelBootWithTheManifestsSettings() {
        String x = DomainXml.build(DNS, params("microvm"));
        assertThat(x).contains("<domain type='kvm'", "<type arch='x86_64' machine='microvm'>hvm</type>",
                "<kernel>/var/lib/libvirt/unibench/dns.elf</kernel>", "<cmdline>ip=10.0.2.15/24 gw=10.0.2.2</cmdline>",
                "<memory unit='KiB'>8192</memory>", "<memballoon model='none'/>", "<controller type='usb' model='none'/>",
                "<source path='/var/lib/libvirt/unibench/c.log'/>", "<on_reboot>destroy</on_reboot>",
                "<qemu:arg value='x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off,ioapic2=off'/>",
                "<qemu:arg value='user,id=unibench-n0,hostfwd=udp:127.0.0.1:20005-:53'/>",
                "<qemu:arg value='virtio-net-device,netdev=unibench-n0'/>")
                .doesNotContain("<loader");
    }

    @Test
    void pcUsesQbootAndVirtioNetPciWithoutMicrovmOptions() {
        String x = DomainXml.build(DNS, params("pc"));
        assertThat(x).contains("machine='pc'", "<loader type='rom'>/usr/share/qemu/qboot.rom</loader>",
                "virtio-net-pci,netdev=unibench-n0").doesNotContain("x-option-roms");
    }

    @Test
    void ownershipMetadataIsEscapedAndReadBackWhateverThePrefix() {
        String x = DomainXml.build(DNS, params("microvm"));
        assertThat(x).contains("<unibench:owner>/state/&lt;me&gt;</unibench:owner>");
        String asLibvirtReturnsIt = "<instance xmlns=\"" + DomainXml.NAMESPACE + "\"><id>libvirt-dns-1</id>"
                + "<owner>/state/&lt;me&gt;</owner><service>dns</service></instance>";
        assertThat(DomainXml.field(asLibvirtReturnsIt, "owner")).isEqualTo("/state/<me>");
        assertThat(DomainXml.field(asLibvirtReturnsIt, "id")).isEqualTo("libvirt-dns-1");
        assertThat(DomainXml.field(null, "id")).isNull();
    }
}
