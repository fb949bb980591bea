package io.unibench.deploy.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UnibenchException;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import io.unibench.util.Doctor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accelerator choice and the checks made before anything starts. */
class QemuPreflightTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();
    private final AtomicInteger kvmChecks = new AtomicInteger();

    private QemuKvmDeployer deployer(QemuOptions.Accel accel, boolean kvmUsable, String binary) {
        return new QemuKvmDeployer(StateStore.open(dir.resolve("state")), ServiceCatalog.load(),
                new QemuOptions(accel, "microvm", binary), warnings::add, () -> {
                    kvmChecks.incrementAndGet();
                    return new Doctor.KvmStatus(kvmUsable, kvmUsable ? "ok" : "KVM unusable (test); QEMU will use TCG");
                });
    }

    @Test
    void unusableKvmFallsBackToTcgWithOneWarning() {
        QemuKvmDeployer d = deployer(QemuOptions.Accel.auto, false, "qemu-system-x86_64");
        assertThat(d.accelerator()).isEqualTo("tcg");
        assertThat(d.accelerator()).isEqualTo("tcg");
        assertThat(warnings).singleElement().asString().contains("KVM unusable").contains("--accel tcg");
        assertThat(kvmChecks).hasValue(1);
    }

    @Test
    void usableKvmIsUsedAndTcgOnRequestSkipsTheCheck() {
        assertThat(deployer(QemuOptions.Accel.auto, true, "qemu-system-x86_64").accelerator()).isEqualTo("kvm");
        kvmChecks.set(0);
        assertThat(deployer(QemuOptions.Accel.tcg, true, "qemu-system-x86_64").accelerator()).isEqualTo("tcg");
        assertThat(kvmChecks).hasValue(0);
        assertThat(warnings).isEmpty();
    }

    @Test
    void askingForKvmWhereItDoesNotWorkFails() {
        assertThatThrownBy(() -> deployer(QemuOptions.Accel.kvm, false, "qemu-system-x86_64").accelerator())
                .isInstanceOf(UnibenchException.class).hasMessageContaining("--accel kvm");
    }

    @Test
    void missingQemuSaysHowToInstallIt() {
        QemuKvmDeployer d = deployer(QemuOptions.Accel.auto, true, dir.resolve("no-qemu-here").toString());
        assertThatThrownBy(() -> d.preflight(ServiceCatalog.load().get("dns")))
                .isInstanceOf(UnibenchException.class).hasMessageContaining("apt-get install qemu-system-x86");
    }

    @Test
    void missingImageSaysWhichBuildToRun() throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("unikernels/services"));
        Files.writeString(home.resolve("unikernels/services/x.json"), "{\"service\": \"x\", \"ports\": [{\"name\": "
                + "\"dns\", \"protocol\": \"udp\", \"port\": 53}], \"probe\": {\"type\": \"dns\", \"name\": \"a.b\"}, "
                + "\"unikernel\": {\"image\": \"x.elf\"}}");
        ServiceCatalog catalog = ServiceCatalog.load(home);
        QemuKvmDeployer d = new QemuKvmDeployer(StateStore.open(dir.resolve("state")), catalog,
                QemuOptions.defaults(), warnings::add, () -> new Doctor.KvmStatus(true, "ok"));
        assertThatThrownBy(() -> d.preflight(catalog.get("x"))).isInstanceOf(UnibenchException.class)
                .hasMessageContaining("unikernels/build/x.elf").hasMessageContaining("unibench build unikernels");
    }
}
