package io.unibench.deploy.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UnibenchException;
import io.unibench.deploy.qemu.QemuOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a server's libvirt capabilities allow: KVM, TCG with a warning, or a clear failure naming the host. */
class DomainTypeTest {
    private static String caps(String arch, boolean kvm, String... machines) {
        StringBuilder m = new StringBuilder();
        for (String x : machines) {
            m.append("<machine maxCpus='1'>").append(x).append("</machine>");
        }
        return "<capabilities><host/><guest><os_type>hvm</os_type><arch name='" + arch + "'><wordsize>64</wordsize>"
                + m + "<domain type='qemu'/>" + (kvm ? "<domain type='kvm'/>" : "") + "</arch></guest></capabilities>";
    }

    private static QemuOptions qemu(QemuOptions.Accel a, String machine) {
        return new QemuOptions(a, machine, "qemu-system-x86_64");
    }

    @Test
    void kvmWhenOfferedTcgWithAWarningOtherwise() {
        List<String> warnings = new ArrayList<>();
        assertThat(LibvirtDeployer.decideDomainType(caps("x86_64", true, "microvm", "pc"), "host s",
                qemu(QemuOptions.Accel.auto, "microvm"), warnings::add)).isEqualTo("kvm");
        assertThat(LibvirtDeployer.decideDomainType(caps("x86_64", true, "microvm"), "host s",
                qemu(QemuOptions.Accel.tcg, "microvm"), warnings::add)).isEqualTo("qemu");
        assertThat(warnings).isEmpty();
        assertThat(LibvirtDeployer.decideDomainType(caps("x86_64", false, "microvm"), "host s",
                qemu(QemuOptions.Accel.auto, "microvm"), warnings::add)).isEqualTo("qemu");
        assertThat(warnings).singleElement().asString().contains("host s", "no KVM", "TCG");
    }

    @Test
    void aServerWithoutQemuOrKvmOrTheMachineFailsNamingIt() {
        assertThatThrownBy(() -> LibvirtDeployer.decideDomainType(caps("aarch64", true, "virt"), "host s (qemu+ssh://s)",
                qemu(QemuOptions.Accel.auto, "microvm"), w -> { })).isInstanceOf(UnibenchException.class)
                .hasMessageContaining("host s (qemu+ssh://s) has no QEMU for x86_64 guests");
        assertThatThrownBy(() -> LibvirtDeployer.decideDomainType(caps("x86_64", false, "microvm"), "host s",
                qemu(QemuOptions.Accel.kvm, "microvm"), w -> { })).isInstanceOf(UnibenchException.class)
                .hasMessageContaining("--accel kvm asked but host s offers no KVM guests");
        assertThatThrownBy(() -> LibvirtDeployer.decideDomainType(caps("x86_64", true, "pc-i440fx-7.2", "pc"), "host s",
                qemu(QemuOptions.Accel.auto, "microvm"), w -> { })).isInstanceOf(UnibenchException.class)
                .hasMessageContaining("no 'microvm' machine").hasMessageContaining("--machine pc");
    }
}
