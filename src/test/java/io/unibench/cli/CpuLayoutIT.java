package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.results.RunMetadata;
import io.unibench.util.Affinity;
import io.unibench.util.CpuSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --cpu-layout} on real instances: a split run puts the QEMU process (vCPU thread included), the
 * Docker container, the gVisor sandbox and the native process on the CPUs the generator does not use, which this test reads back from
 * /proc itself, not only from run.json; shared gives them every CPU again; and the generator's JVM gets its
 * CPUs back after the run.
 */
class CpuLayoutIT {
    @RegisterExtension
    final DeployItSupport.Dirs dirs = new DeployItSupport.Dirs("unibench-cpu-layout-it");

    @BeforeAll
    static void images() {
        DeployItSupport.requireTools();
        DeployItSupport.requireRunsc();
        DeployItSupport.buildImages();
        assertThat(CpuSet.online().size()).as("the split layout needs a host with 2 or more online CPUs")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void splitPinsEachBackendsInstanceAwayFromTheGeneratorAndSharedUndoesIt() throws IOException {
        DeployItSupport.Run deploy = unibench("deploy", "dns", "--backend", "qemu,docker,gvisor,native", "--json");
        assertThat(deploy.exit()).as(deploy.err()).isZero();
        CpuSet online = CpuSet.online();
        CpuSet generator = online.first((online.size() + 1) / 2);
        CpuSet instance = online.minus(generator);
        long self = ProcessHandle.current().pid();
        Map<String, CpuSet> before = Affinity.readBack(self);
        for (JsonNode i : deploy.json().get("instances")) {
            String backend = i.get("backend").asText();
            String target = i.get("endpoints").get(0).get("address").asText();
            boolean container = backend.equals("docker") || backend.equals("gvisor");
            String cid = container ? i.get("container_id").asText() : null;
            long pid = container ? Long.parseLong(run(List.of("docker", "inspect", "-f", "{{.State.Pid}}", cid), 30)
                    .out().strip()) : i.get("pid").asLong();
            for (String layout : List.of("split", "shared")) {
                // no --instance: the bench finds the instance serving --target in the state store
                Path out = dirs.results().resolve(backend + "-" + layout);
                DeployItSupport.Run bench = unibench("bench", "dns", "--quiet", "--target", target, "--rate", "200",
                        "--duration", "1s", "--warmup", "200ms", "--max-send-lag", "1s", "--cpu-layout", layout,
                        "--output", out.toString());
                assertThat(bench.exit()).as(bench.err()).isZero();
                JsonNode cl = RunMetadata.read(out).path("cpu_layout");
                CpuSet want = layout.equals("split") ? instance : online;
                assertThat(cl.path("layout").asText()).isEqualTo(layout);
                assertThat(cl.path("generator").path("cpus").asText())
                        .isEqualTo((layout.equals("split") ? generator : online).toString());
                assertThat(cl.path("generator").path("verified").asBoolean()).as(cl.toString()).isTrue();
                assertThat(cl.path("instance").path("id").asText()).isEqualTo(i.get("id").asText());
                assertThat(cl.path("instance").path("cpus").asText()).isEqualTo(want.toString());
                assertThat(cl.path("instance").path("verified").asBoolean()).as(cl.toString()).isTrue();
                // the server's CPU time came from the backend's cpuClock (QEMU and native /proc, Docker its cgroup;
                // gVisor's sandbox cgroup has not been checked against CgroupCpu's layouts yet)
                io.unibench.results.CsvRows steps = io.unibench.results.CsvRows.read(out.resolve("steps.csv"),
                        List.of("server_cpu_s"));
                if (!backend.equals("gvisor")) {
                    assertThat(steps.text(steps.rows().get(0), "server_cpu_s")).as(backend + " server_cpu_s")
                            .isNotBlank();
                }
                if (backend.equals("qemu") && haltPollNs() > 0) {
                    assertThat(RunMetadata.read(out).path("caveats").toString()).as("QEMU under KVM halt polling")
                            .contains("\"kvm-halt-poll\"");
                }
                // read back here, independently of run.json: every thread of the instance's process
                Map<String, CpuSet> threads = container ? cgroupThreads(cid) : Affinity.readBack(pid);
                assertThat(threads).as(backend + " threads").isNotEmpty();
                assertThat(new HashMap<>(threads).values()).as(backend + " " + layout + " " + threads)
                        .allMatch(want::equals);
                if (backend.equals("qemu")) {
                    assertThat(threads.keySet()).as("QEMU's vCPU thread").anyMatch(t -> t.contains("CPU 0/"));
                }
                assertThat(Affinity.readBack(self).get(before.keySet().iterator().next()))
                        .as("the generator's JVM has its CPUs back").isEqualTo(before.values().iterator().next());
            }
        }
    }

    /** The host's KVM halt polling (ns), 0 when it cannot be read. */
    private static long haltPollNs() {
        try {
            return Long.parseLong(Files.readString(Path.of("/sys/module/kvm/parameters/halt_poll_ns")).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Every thread in a container's cpuset cgroup (gVisor: the runsc sandbox and gofer), by its own status. */
    private static Map<String, CpuSet> cgroupThreads(String containerId) throws IOException {
        Map<String, CpuSet> m = new java.util.LinkedHashMap<>();
        for (String tid : Files.readAllLines(Path.of("/sys/fs/cgroup/cpuset/docker", containerId, "tasks"))) {
            if (tid.isBlank()) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(Path.of("/proc", tid.strip(), "status"))) {
                    if (line.startsWith("Cpus_allowed_list:")) {
                        m.put(tid.strip(), CpuSet.parse(line.substring(line.indexOf(':') + 1)));
                    }
                }
            } catch (IOException ended) {
                // the thread ended meanwhile
            }
        }
        return m;
    }

    @Test
    void bootsStartEachInstanceOnTheInstanceCpus() throws IOException {
        CpuSet online = CpuSet.online();
        CpuSet instance = online.minus(online.first((online.size() + 1) / 2));
        Path out = dirs.results().resolve("boot");
        DeployItSupport.Run r = unibench("bench", "boot", "--backend", "qemu,docker,native", "--cold", "2",
                "--cpu-layout", "split", "--quiet", "--output", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode cl = RunMetadata.read(out).path("cpu_layout");
        assertThat(cl.path("instance").path("cpus").asText()).isEqualTo(instance.toString());
        for (String b : List.of("qemu", "docker", "native")) {
            JsonNode first = cl.path("instance").path("first_boot_" + b);
            assertThat(first.path("verified").asBoolean()).as(b + ": " + cl).isTrue();
            assertThat(first.path("read_back_cpus_allowed_list").toString()).as(b).contains("\"" + instance + " (");
        }
        assertThat(RunMetadata.read(out).path("caveats").toString()).doesNotContain("cpu-placement");
    }

    @Test
    void aForeignTargetPinsOnlyTheGenerator() throws IOException {
        // dig's own port is no instance of ours: a closed UDP port on loopback answers nothing, which is fine here
        Path out = dirs.results().resolve("foreign");
        DeployItSupport.Run bench = unibench("bench", "dns", "--quiet", "--target", "127.0.0.1:9", "--rate", "50",
                "--duration", "500ms", "--warmup", "100ms", "--unresponsive", "10s", "--max-loss", "100",
                "--min-completed", "0", "--cpu-layout", "split", "--output", out.toString());
        assertThat(bench.exit()).as(bench.err()).isZero();
        JsonNode cl = RunMetadata.read(out).path("cpu_layout");
        assertThat(cl.path("generator").path("verified").asBoolean()).isTrue();
        assertThat(cl.path("instance").path("how").asText()).contains("only the generator is pinned");
    }
}
