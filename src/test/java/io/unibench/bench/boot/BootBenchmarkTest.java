package io.unibench.bench.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.UnibenchException;
import io.unibench.bench.OpenLoopRun;
import io.unibench.deploy.Backend;
import io.unibench.results.BootCsv;
import io.unibench.results.BootEvent;
import io.unibench.results.BootStats;
import io.unibench.results.RunMetadata;
import io.unibench.results.StopReason;
import io.unibench.util.WakeupNoise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootBenchmarkTest {
    private static final long BOOT = 150_000_000L;
    private static final long CONSOLE = 100_000_000L;

    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();
    private final BootListener listener = new BootListener() {
        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    };

    private BootOptions options(List<Backend> backends, ChurnSchedule schedule, int cold, Duration timeout) {
        return new BootOptions(backends, "dns", schedule, cold, cold > 0 ? 1 : 0, cold == 0, timeout, false,
                OpenLoopRun.Output.of(tmp.resolve("run"), "boot", null));
    }

    /**
     * How far above the truth a median boot may be measured: 3 ms on a quiet host (the DNS probe tries about
     * every millisecond), plus twice what this host was seen to add to a 0.5 ms wait during the run (a probe
     * cycle is two such waits), capped at 20 ms so a broken clock or probe still fails.
     */
    private static double toleranceMs(WakeupNoise noise) {
        return Math.min(20.0, 3.0 + 2 * noise.quantileMs(0.9));
    }

    private static RunMetadata meta() {
        return new RunMetadata("boot", List.of("bench", "boot", "--test"), Instant.now());
    }

    @Test
    void coldBootTimesAreWithinThreeMillisecondsOfTheTruth() throws IOException {
        FakeBootTarget fake = new FakeBootTarget(Backend.qemu, BOOT, CONSOLE, -1);
        BootOptions o = options(List.of(Backend.qemu), ChurnSchedule.of(1, 1, 1, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1), 15, Duration.ofSeconds(5));

        BootBenchmark.Result r;
        double tolerance;
        try (WakeupNoise noise = WakeupNoise.start()) {
            r = BootBenchmark.run(o, FakeBootTarget.DNS, b -> fake, meta(), listener);
            tolerance = toleranceMs(noise);
        }

        assertThat(r.reason()).isEqualTo(StopReason.COMPLETED);
        assertThat(r.events()).hasSize(15).allMatch(BootEvent::ready);
        BootStats stats = BootStats.of(r.events().stream().map(BootEvent::answerMs).toList());
        System.out.printf("fake cold boots, truth 150 ms: min %.3f p50 %.3f max %.3f ms (bound +%.2f ms)%n",
                stats.min(), stats.p50(), stats.max(), tolerance);
        double p50 = stats.p50();
        assertThat(p50).isBetween(150.0, 150.0 + tolerance);
        assertThat(r.events()).allSatisfy(e -> {
            assertThat(e.answerMs()).isGreaterThanOrEqualTo(150.0);
            assertThat(e.consoleReadyMs()).isBetween(100.0, 150.0);
            assertThat(e.startReturnedMs()).isBetween(0.0, 5.0);
            assertThat(e.kind()).isEqualTo(BootEvent.Kind.cold);
            assertThat(e.runningInstances()).isEqualTo(1);
        });
        assertThat(fake.servers).isEmpty();
        assertThat(fake.launches.get()).isEqualTo(16); // one warm-up boot, not recorded

        List<String> events = Files.readAllLines(r.dir().resolve(BootCsv.EVENTS.file()));
        assertThat(events.get(0)).isEqualTo(String.join(",", BootCsv.EVENTS.names()));
        assertThat(events).hasSize(16);
        assertThat(events.get(1)).startsWith("cold,qemu,dns,1,1,qemu-dns-2,").endsWith(",ready,,,,,"); // plumbing_ms and the breakdown: empty (no lab, a fake without stamps)
        List<String> summary = Files.readAllLines(r.dir().resolve(BootCsv.SUMMARY.file()));
        assertThat(summary.get(0)).isEqualTo(String.join(",", BootCsv.SUMMARY.names()));
        assertThat(summary).hasSize(2);
        assertThat(summary.get(1)).startsWith("cold,qemu,dns,1,15,0,");
        assertThat(Files.readAllLines(r.dir().resolve(BootCsv.HOST_LOAD.file())).get(0))
                .isEqualTo(String.join(",", BootCsv.HOST_LOAD.names()));

        JsonNode run = RunMetadata.read(r.dir());
        assertThat(run.path("benchmark").asText()).isEqualTo("boot");
        assertThat(run.path("stop_reason").asText()).isEqualTo("completed");
        assertThat(run.path("parameters").path("mode").asText()).isEqualTo("cold");
        assertThat(run.path("backends").path("qemu").path("restart").asText()).startsWith("fake");
        assertThat(run.path("boots").asInt()).isEqualTo(15);
    }

    @Test
    void churnRestartsRandomInstancesAndTimesEachRestart() throws IOException {
        Map<Backend, FakeBootTarget> fakes = new EnumMap<>(Backend.class);
        fakes.put(Backend.qemu, new FakeBootTarget(Backend.qemu, BOOT, CONSOLE, -1));
        fakes.put(Backend.docker, new FakeBootTarget(Backend.docker, BOOT, CONSOLE, -1));
        ChurnSchedule s = ChurnSchedule.of(2, 2, 4, Duration.ofMillis(800), Duration.ofMillis(200), 42);
        BootOptions o = options(List.of(Backend.qemu, Backend.docker), s, 0, Duration.ofSeconds(5));

        BootBenchmark.Result r;
        double tolerance;
        try (WakeupNoise noise = WakeupNoise.start()) {
            r = BootBenchmark.run(o, FakeBootTarget.DNS, fakes::get, meta(), listener);
            tolerance = toleranceMs(noise);
        }

        assertThat(r.reason()).isEqualTo(StopReason.COMPLETED);
        // 2 periods x 4 restarts on each of the 2 backends
        assertThat(r.events()).hasSize(16).allMatch(BootEvent::ready)
                .allMatch(e -> e.kind() == BootEvent.Kind.churn);
        assertThat(r.events().stream().map(BootEvent::runningInstances).toList())
                .containsExactly(2, 2, 2, 2, 4, 4, 4, 4, 2, 2, 2, 2, 4, 4, 4, 4);
        assertThat(r.events().stream().map(BootEvent::cycle).toList())
                .containsExactly(1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4);
        // the same victims on both backends: the schedule is drawn once
        List<String> qemuVictims = r.events().subList(0, 8).stream().map(e -> e.instance().replace("qemu", "x")).toList();
        List<String> dockerVictims = r.events().subList(8, 16).stream().map(e -> e.instance().replace("docker", "x")).toList();
        assertThat(qemuVictims).isEqualTo(dockerVictims);
        double p50 = BootStats.of(r.events().stream().map(BootEvent::answerMs).toList()).p50();
        assertThat(p50).isBetween(150.0, 150.0 + tolerance);
        for (FakeBootTarget f : fakes.values()) {
            assertThat(f.launches.get()).isEqualTo(4);
            assertThat(f.kills.get()).isEqualTo(8);
            assertThat(f.restarts.get()).isEqualTo(8);
            assertThat(f.servers).isEmpty();
        }
        List<String> summary = Files.readAllLines(r.dir().resolve(BootCsv.SUMMARY.file()));
        assertThat(summary).hasSize(5);
        assertThat(summary.get(1)).startsWith("churn,qemu,dns,2,4,0,");
        assertThat(summary.get(4)).startsWith("churn,docker,dns,4,4,0,");
        assertThat(Files.readAllLines(r.dir().resolve(BootCsv.EVENTS.file()))).hasSize(17);
        List<String> load = Files.readAllLines(r.dir().resolve(BootCsv.HOST_LOAD.file()));
        assertThat(load.size()).isGreaterThan(2);
        assertThat(load.get(1)).matches("\\d+(\\.\\d+)?,(qemu|docker),\\d+,[0-9.]*,\\d+");
        JsonNode run = RunMetadata.read(r.dir());
        assertThat(run.path("parameters").path("seed").asLong()).isEqualTo(42);
        assertThat(run.path("schedule")).hasSize(2);
    }

    @Test
    void coldBootsThenChurnInOneRunOnEachBackend() throws IOException {
        FakeBootTarget fake = new FakeBootTarget(Backend.qemu, 20_000_000L, 10_000_000L, -1);
        ChurnSchedule s = ChurnSchedule.of(2, 1, 2, Duration.ofMillis(200), Duration.ofMillis(100), 3);
        BootOptions o = new BootOptions(List.of(Backend.qemu), "dns", s, 3, 1, true, Duration.ofSeconds(5), false,
                OpenLoopRun.Output.of(tmp.resolve("run"), "boot", null));

        BootBenchmark.Result r = BootBenchmark.run(o, FakeBootTarget.DNS, b -> fake, meta(), listener);

        assertThat(r.events().stream().map(e -> e.kind().name()).toList())
                .containsExactly("cold", "cold", "cold", "churn", "churn");
        assertThat(r.events()).allMatch(BootEvent::ready);
        assertThat(Files.readAllLines(r.dir().resolve(BootCsv.SUMMARY.file())))
                .hasSize(3).element(1).asString().startsWith("cold,qemu,dns,1,3,0,");
        assertThat(RunMetadata.read(r.dir()).path("parameters").path("mode").asText()).isEqualTo("cold+churn");
        assertThat(fake.servers).isEmpty();
    }

    @Test
    void aServiceThatNeverAnswersGivesTimeoutEventsAndTheRunStillCompletes() throws IOException {
        FakeBootTarget fake = new FakeBootTarget(Backend.docker, Long.MAX_VALUE / 4, CONSOLE, -1);
        ChurnSchedule s = ChurnSchedule.of(1, 1, 2, Duration.ofMillis(600), Duration.ofMillis(300), 7);
        BootOptions o = options(List.of(Backend.docker), s, 0, Duration.ofMillis(250));

        BootBenchmark.Result r = BootBenchmark.run(o, FakeBootTarget.DNS, b -> fake, meta(), listener);

        assertThat(r.reason()).isEqualTo(StopReason.COMPLETED);
        assertThat(r.events()).hasSize(4).allMatch(e -> e.outcome() == BootEvent.Outcome.timeout)
                .allMatch(e -> e.answerMs() == null);
        assertThat(fake.servers).isEmpty();
        assertThat(warnings).anyMatch(w -> w.contains("did not become ready"));
        List<String> events = Files.readAllLines(r.dir().resolve(BootCsv.EVENTS.file()));
        assertThat(events.subList(1, events.size())).allMatch(l -> l.endsWith(",,timeout,,,,,"));
        List<String> summary = Files.readAllLines(r.dir().resolve(BootCsv.SUMMARY.file()));
        assertThat(summary.get(1)).isEqualTo("churn,docker,dns,1,2,2,,,,,,,,");
        try (var files = Files.list(r.dir().resolve(BootCsv.FAILURES_DIR))) {
            List<Path> saved = files.toList();
            assertThat(saved).hasSize(4);
            assertThat(Files.readString(saved.get(0))).startsWith("# timeout: no correct answer within 250ms")
                    .contains("still booting");
        }
    }

    @Test
    void aGuestThatDiesIsRecordedAsCrashed() {
        FakeBootTarget fake = new FakeBootTarget(Backend.qemu, BOOT, CONSOLE, 30_000_000L);
        BootOptions o = options(List.of(Backend.qemu), ChurnSchedule.of(1, 1, 1, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1), 2, Duration.ofSeconds(5));

        BootBenchmark.Result r = BootBenchmark.run(o, FakeBootTarget.DNS, b -> fake, meta(), listener);

        assertThat(r.events()).hasSize(2).allMatch(e -> e.outcome() == BootEvent.Outcome.crashed);
        assertThat(r.events().get(0).detail()).contains("exited with status 1");
        // the watch is asked every ~10 ms: the crash is noticed long before the 5 s boot timeout
        assertThat(r.reason()).isEqualTo(StopReason.COMPLETED);
        assertThat(fake.servers).isEmpty();
    }

    @Test
    void refusesARunThatWouldNotFitInMemoryBeforeStartingAnything() {
        FakeBootTarget fake = new FakeBootTarget(Backend.qemu, BOOT, CONSOLE, -1) {
            @Override
            public long memoryPerInstanceBytes() {
                return 38L << 20;
            }
        };
        BootOptions o = options(List.of(Backend.qemu), ChurnSchedule.of(10, 10, 140, Duration.ofMinutes(20),
                Duration.ofSeconds(5), 1), 0, Duration.ofSeconds(5));

        assertThatThrownBy(() -> BootBenchmark.checkMemory(o, Map.of(Backend.qemu, fake), 2L << 30))
                .isInstanceOf(UnibenchException.class)
                .hasMessage("not enough memory for 140 qemu instances: about 38 MiB each plus 512 MiB kept free needs"
                        + " 5832 MiB, the host has 2048 MiB available; lower --max to 40 or less");
        BootBenchmark.checkMemory(o, Map.of(Backend.qemu, fake), 8L << 30);
        assertThat(fake.launches.get()).isZero();
        assertThat(tmp.resolve("run")).doesNotExist();
    }
}
