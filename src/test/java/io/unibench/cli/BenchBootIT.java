package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.ourContainers;
import static io.unibench.cli.DeployItSupport.ourQemus;
import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.unibench.deploy.StateStore;
import io.unibench.results.BootCsv;
import io.unibench.results.RunMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 'unibench bench boot' against real QEMU/KVM guests and real Docker containers: short churn runs where
 * every boot must answer, a service that never answers (timeouts recorded, run completes), Ctrl-C. After
 * each, nothing of the run may be left: no QEMU process, no container, no state record.
 */
class BenchBootIT {
    @RegisterExtension
    final DeployItSupport.Dirs dirs = new DeployItSupport.Dirs("unibench-boot-it");

    @BeforeAll
    static void images() {
        DeployItSupport.requireTools();
        DeployItSupport.buildImages();
    }

    private void assertNothingLeft() throws IOException {
        assertThat(ourQemus(dirs.state())).as("QEMU processes of the run").isEmpty();
        assertThat(ourContainers(dirs.state())).as("containers of the run").isEmpty();
        try (Stream<Path> s = Files.list(dirs.state().resolve("instances"))) {
            assertThat(s.toList()).as("state records").isEmpty();
        }
    }

    private static List<String> rows(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        return lines.subList(1, lines.size());
    }

    /** 2 then 4 instances, 15 s each, a restart every 5 s: 6 timed restarts, all must answer. */
    private void churn(String backend) throws IOException {
        Path out = dirs.results().resolve("churn-" + backend);
        DeployItSupport.Run r = unibench("bench", "boot", "--backend", backend, "--start", "2", "--step", "2",
                "--max", "4", "--period", "15s", "--interval", "5s", "--seed", "3", "--quiet", "--output",
                out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(out.toString());

        List<String> events = rows(out.resolve(BootCsv.EVENTS.file()));
        assertThat(events).as("events").hasSize(6);
        for (int i = 0; i < events.size(); i++) {
            String[] f = events.get(i).split(",", -1);
            assertThat(f).as(events.get(i)).hasSize(BootCsv.EVENTS.names().size());
            assertThat(f[0]).isEqualTo("churn");
            assertThat(f[1]).isEqualTo(backend);
            assertThat(f[3]).isEqualTo(i < 3 ? "2" : "4");
            assertThat(f[4]).isEqualTo(Integer.toString(i % 3 + 1));
            assertThat(f[10]).as(events.get(i)).isEqualTo("ready");
            double startReturned = Double.parseDouble(f[7]);
            double answer = Double.parseDouble(f[9]);
            assertThat(answer).as("boot time of " + events.get(i)).isBetween(1.0, 10_000.0)
                    .isGreaterThanOrEqualTo(startReturned);
            assertThat(f[8]).as("console ready line seen: " + events.get(i)).isNotEmpty();
            List<String> names = BootCsv.EVENTS.names();
            String entry = f[names.indexOf("guest_entry_ms")];
            assertThat(entry).as("the guest's entry on the host clock: " + events.get(i)).isNotEmpty();
            assertThat(Double.parseDouble(entry)).as(events.get(i)).isBetween(0.0, answer);
            if (backend.equals("qemu")) {
                assertThat(f[6]).as("QEMU spawn phase").isNotEmpty();
                // the guest's own stamps, in order (its clock, ms since its entry)
                double clock = Double.parseDouble(f[names.indexOf("guest_clock_ms")]);
                double devices = Double.parseDouble(f[names.indexOf("guest_devices_ms")]);
                double ready = Double.parseDouble(f[names.indexOf("guest_ready_ms")]);
                assertThat(clock).as(events.get(i)).isPositive().isLessThanOrEqualTo(devices);
                assertThat(devices).as(events.get(i)).isLessThanOrEqualTo(ready).isLessThan(answer);
            } else {
                assertThat(f[names.indexOf("guest_clock_ms")]).as("no guest stamps from a container").isEmpty();
                assertThat(f[6]).as("a restarted container is not created again").isEmpty();
            }
        }
        List<String> summary = rows(out.resolve(BootCsv.SUMMARY.file()));
        assertThat(summary).hasSize(2);
        assertThat(summary.get(0)).startsWith("churn," + backend + ",dns,2,3,0,");
        assertThat(summary.get(1)).startsWith("churn," + backend + ",dns,4,3,0,");
        List<String> load = rows(out.resolve(BootCsv.HOST_LOAD.file()));
        assertThat(load.size()).as("one host-load row a second over ~30 s").isGreaterThanOrEqualTo(25);
        assertThat(load).allMatch(l -> l.matches("[0-9.]+," + backend + ",\\d+,[0-9.]*,\\d+"));

        JsonNode run = RunMetadata.read(out);
        assertThat(run.path("benchmark").asText()).isEqualTo("boot");
        assertThat(run.path("status").asText()).isEqualTo("complete");
        assertThat(run.path("stop_reason").asText()).isEqualTo("completed");
        assertThat(run.path("parameters").path("seed").asInt()).isEqualTo(3);
        assertThat(run.path("backends").path(backend).path("restart").asText()).isNotEmpty();
        assertThat(run.path("backends").path(backend).path("image_size_bytes").asLong()).isPositive();
        assertNothingLeft();
    }

    @Test
    void churnOnQemuEveryRestartAnswers() throws IOException {
        churn("qemu");
    }

    @Test
    void churnOnDockerEveryRestartAnswers() throws IOException {
        churn("docker");
    }

    @Test
    void aServiceThatNeverAnswersCorrectlyIsRecordedAsTimeoutsAndCleanedUp() throws IOException {
        // the real DNS images, but a probe expecting an address the zone does not have; the boot timeout leaves
        // a restarted container time to answer (wrongly) even on a loaded machine
        Path home = dirs.results().resolve("home");
        Path services = Files.createDirectories(home.resolve("unikernels/services"));
        Path repo = Path.of(System.getProperty("unibench.home", ".")).toAbsolutePath();
        ObjectNode m = (ObjectNode) DeployItSupport.JSON.readTree(repo.resolve("unikernels/services/dns.json").toFile());
        m.put("service", "dnswrong");
        ((ObjectNode) m.get("probe")).put("expect", "10.9.9.9");
        ((ObjectNode) m.get("unikernel")).put("image", repo.resolve("unikernels/build/dns.elf").toString());
        DeployItSupport.JSON.writeValue(services.resolve("dnswrong.json").toFile(), m);
        Path out = dirs.results().resolve("never");
        String oldHome = System.getProperty("unibench.home");
        DeployItSupport.Run r;
        try {
            System.setProperty("unibench.home", home.toString());
            r = unibench("bench", "boot", "--backend", "both", "--service", "dnswrong", "--start", "1", "--step",
                    "1", "--max", "1", "--period", "2s", "--interval", "1s", "--boot-timeout", "3s", "--output",
                    out.toString());
        } finally {
            System.setProperty("unibench.home", oldHome == null ? "." : oldHome);
        }
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("did not become ready");
        List<String> events = rows(out.resolve(BootCsv.EVENTS.file()));
        assertThat(events).hasSize(4).allMatch(l -> l.endsWith(",,timeout,,,,,")); // plumbing_ms, breakdown empty: forward mode, no answer
        assertThat(rows(out.resolve(BootCsv.SUMMARY.file()))).containsExactly(
                "churn,qemu,dnswrong,1,2,2,,,,,,,,", "churn,docker,dnswrong,1,2,2,,,,,,,,");
        try (Stream<Path> s = Files.list(out.resolve(BootCsv.FAILURES_DIR))) {
            List<Path> saved = s.sorted().toList();
            assertThat(saved).hasSize(4);
            String docker = Files.readString(saved.get(0));
            assertThat(docker).startsWith("# timeout: no correct answer within 3s").contains("lacks 10.9.9.9")
                    .contains("unibench: dns ready");
        }
        assertThat(RunMetadata.read(out).path("boot_failures").asInt()).isEqualTo(4);
        assertNothingLeft();
    }

    @Test
    void ctrlCEndsTheRunRemovesEveryInstanceAndKeepsTheResults() throws Exception {
        Path out = dirs.results().resolve("interrupted");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "-Dunibench.home=" + System.getProperty("unibench.home", "."),
                "-D" + StateStore.DIR_PROPERTY + "=" + dirs.state(), "io.unibench.cli.Main", "bench", "boot", "--backend",
                "both", "--start", "3", "--step", "3", "--max", "6", "--period", "10s", "--interval", "1s",
                "--output", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dirs.state().resolve("unibench.out")
                .toFile()).start();
        try {
            Path events = out.resolve(BootCsv.EVENTS.file());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(events) || Files.readAllLines(events).size() < 3) {
                assertThat(p.isAlive()).as(Files.readString(dirs.state().resolve("unibench.out"))).isTrue();
                assertThat(System.nanoTime() < deadline).as("two restarts within 60 s").isTrue();
                Thread.sleep(20);
            }
            run(List.of("kill", "-INT", Long.toString(p.pid())), 10);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("unibench exits after Ctrl-C").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(dirs.state().resolve("unibench.out"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(log).isEqualTo(130);
        JsonNode run = RunMetadata.read(out);
        assertThat(run.path("status").asText()).as(log).isEqualTo("interrupted");
        assertThat(run.path("stop_reason").asText()).isEqualTo("interrupted");
        assertThat(rows(out.resolve(BootCsv.EVENTS.file()))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(rows(out.resolve(BootCsv.SUMMARY.file()))).as("the partial period is summarised").hasSize(1);
        assertNothingLeft();
    }
}
