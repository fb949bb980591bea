package io.unibench.deploy.nativeproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UnibenchException;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ProcFs;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeDeployerTest {
    @TempDir
    Path dir;

    private NativeDeployer deployer() {
        return new NativeDeployer(new Deployer.Context(StateStore.open(dir), ServiceCatalog.load(),
                BackendOptions.defaults(), null));
    }

    @Test
    void theManifestNamesTheBinaryOfTheContainerImageAndItsPortArgument() {
        ServiceCatalog c = ServiceCatalog.load();
        NativeDeployer.NativeSpec n = c.get("dns").section(NativeDeployer.SECTION, NativeDeployer.NativeSpec.class);
        assertThat(n.binary()).isEqualTo(c.get("dns").container().context() + "/dns-server");
        List<String> argv = NativeDeployer.arguments(n, Path.of("/b/dns-server"),
                List.of(new Endpoint("dns", "udp", "127.0.0.1", 20001, 20001)));
        // one process: its CPU time, memory and placement are the instance's (no SO_REUSEPORT workers)
        assertThat(argv).containsExactly("/b/dns-server", "--bind", "127.0.0.1", "--port", "20001", "--workers", "1");
        assertThatThrownBy(() -> NativeDeployer.arguments(n, Path.of("/b/dns-server"), List.of()))
                .isInstanceOf(UnibenchException.class).hasMessageContaining(":dns}");
        // in a lab the service binds its lab address, in its own namespace
        assertThat(NativeDeployer.arguments(n, Path.of("/b/dns-server"),
                List.of(new Endpoint("dns", "udp", "10.0.0.100", 53, 53))))
                .containsExactly("/b/dns-server", "--bind", "10.0.0.100", "--port", "53", "--workers", "1");
    }

    @Test
    void udpAndTcpOfOneServicePortShareOneHostPortTheServiceBindsItself() {
        AtomicInteger next = new AtomicInteger(20000);
        List<Endpoint> eps = deployer().endpoints(ServiceCatalog.load().get("dns"), next::getAndIncrement);
        assertThat(eps).extracting(Endpoint::protocol).containsExactly("udp", "tcp");
        assertThat(eps).allMatch(e -> e.port() == 20000 && e.guestPort() == 20000 && e.host().equals("127.0.0.1"));
    }

    @Test
    void noProcessIsOursWithoutOurMarkerEvenWithItsPidStartTimeAndCommandLine() {
        long self = ProcessHandle.current().pid();
        NativeDeployer d = deployer();
        Instance rec = Instance.starting("native-dns-1", d.backend(), "dns", List.of(), "owner", Map.of())
                .withPid(self).withDetail("argv", String.join("\0", ProcFs.cmdline(self)))
                .withDetail("start_ticks", Long.toString(ProcFs.startTicks(self)));
        assertThat(ProcFs.startTicks(self)).isPositive();
        assertThat(d.ourProcess(rec)).isEmpty();
        assertThat(d.observe(rec).memoryBytes()).isEqualTo(-1);
        assertThat(d.destroy(rec)).contains("no longer ours");
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void aProcessIsObservedFromProc() {
        long self = ProcessHandle.current().pid();
        assertThat(ProcFs.rss(self)).isPositive();
        assertThat(ProcFs.cpuNanos(self)).isPositive();
        assertThat(ProcFs.isGone(self)).isFalse();
        assertThat(ProcFs.isGone(Integer.MAX_VALUE)).isTrue();
        assertThat(ProcFs.cmdline(self)).isNotEmpty();
    }

    @Test
    void theCpuClockChecksOwnershipOnceThenReadsTheProcessUntilItIsGone() throws Exception {
        NativeDeployer d = deployer();
        String id = "native-dns-7";
        List<String> argv = List.of("sleep", "30");
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().clear();
        pb.environment().put(NativeDeployer.MARKER, StateStore.open(dir).owner() + ":" + id);
        Process p = pb.start();
        try {
            Instance rec = Instance.starting(id, d.backend(), "dns", List.of(), "owner", Map.of())
                    .withPid(p.pid()).withDetail("argv", String.join("\0", argv))
                    .withDetail("start_ticks", Long.toString(ProcFs.startTicks(p.pid())));
            assertThat(d.ourProcess(rec)).isPresent();
            java.util.function.LongSupplier cpu = d.cpuClock(rec);
            assertThat(cpu.getAsLong()).isGreaterThanOrEqualTo(0);
            p.destroyForcibly().waitFor();
            assertThat(cpu.getAsLong()).as("the process is gone").isEqualTo(-1);
        } finally {
            p.destroyForcibly();
        }
        // not ours (this JVM carries no marker): no clock at all
        long self = ProcessHandle.current().pid();
        Instance notOurs = Instance.starting("native-dns-8", d.backend(), "dns", List.of(), "owner", Map.of())
                .withPid(self).withDetail("argv", String.join("\0", ProcFs.cmdline(self)))
                .withDetail("start_ticks", Long.toString(ProcFs.startTicks(self)));
        assertThat(d.cpuClock(notOurs).getAsLong()).isEqualTo(-1);
    }

    @Test
    void theSharedProcClockReadsOneProcessAndNotAnotherWithItsPid() {
        long self = ProcessHandle.current().pid();
        java.util.function.LongSupplier cpu = ProcFs.cpuClock(self);
        long before = cpu.getAsLong();
        long spin = System.nanoTime() + 50_000_000L;
        long x = 0;
        while (System.nanoTime() < spin) {
            x += System.nanoTime() & 1;
        }
        assertThat(x).isNotNegative();
        assertThat(before).isPositive();
        assertThat(cpu.getAsLong()).isGreaterThanOrEqualTo(before);
        assertThat(ProcFs.cpuClock(Integer.MAX_VALUE).getAsLong()).isEqualTo(-1);
    }
}
