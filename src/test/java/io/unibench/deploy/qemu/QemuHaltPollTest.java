package io.unibench.deploy.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.results.Caveat;
import io.unibench.util.Doctor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's KVM halt polling, recorded as a fact and, when it inflates QEMU's CPU time, as a caveat. */
class QemuHaltPollTest {
    @TempDir
    Path dir;

    private final ServiceSpec dns = ServiceCatalog.load().get("dns");

    private QemuKvmDeployer deployer(QemuOptions.Accel accel, Path haltPollFile) {
        return new QemuKvmDeployer(StateStore.open(dir.resolve("state")), ServiceCatalog.load(),
                new QemuOptions(accel, "microvm", "qemu-system-x86_64"), w -> { },
                () -> new Doctor.KvmStatus(true, "ok"), haltPollFile);
    }

    private Path haltPoll(String content) throws Exception {
        Path f = dir.resolve("halt_poll_ns");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void haltPollingUnderKvmIsAFactAndACaveat() throws Exception {
        QemuKvmDeployer d = deployer(QemuOptions.Accel.auto, haltPoll("200000\n"));
        assertThat(d.facts(dns)).containsEntry("kvm_halt_poll_ns", 200000L);
        assertThat(d.caveats(dns)).containsOnlyKeys(Caveat.KVM_HALT_POLL);
        assertThat(d.caveats(dns).get(Caveat.KVM_HALT_POLL)).contains("200000").contains("cpu_us_per_query")
                .contains("QEMU's CPU time").contains("low rates");
        assertThat(Caveat.byId("kvm-halt-poll")).contains(Caveat.KVM_HALT_POLL);
    }

    @Test
    void noCaveatWithoutPollingOrWithoutKvm() throws Exception {
        QemuKvmDeployer off = deployer(QemuOptions.Accel.auto, haltPoll("0\n"));
        assertThat(off.facts(dns)).containsEntry("kvm_halt_poll_ns", 0L);
        assertThat(off.caveats(dns)).isEmpty();
        // TCG: no vCPU halts in KVM, whatever the module's parameter says
        QemuKvmDeployer tcg = deployer(QemuOptions.Accel.tcg, haltPoll("200000\n"));
        assertThat(tcg.caveats(dns)).isEmpty();
    }

    @Test
    void anUnreadableParameterIsNoFactAndNoCaveat() {
        QemuKvmDeployer d = deployer(QemuOptions.Accel.auto, dir.resolve("no-kvm-module"));
        assertThat(d.facts(dns)).doesNotContainKey("kvm_halt_poll_ns");
        assertThat(d.caveats(dns)).isEmpty();
    }
}
