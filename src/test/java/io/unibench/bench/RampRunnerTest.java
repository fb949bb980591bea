package io.unibench.bench;

import io.unibench.load.LoadEngine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.unibench.load.IntervalSample;
import io.unibench.results.RampSink;
import io.unibench.results.StepResult;
import io.unibench.results.StopReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RampRunnerTest {

    static final class Recorder implements RampSink {
        final List<StepResult> steps = new ArrayList<>();
        final List<IntervalSample> seconds = new ArrayList<>();
        StopReason reason;

        @Override
        public void second(int runSecond, int step, double offeredRate, IntervalSample sample) {
            seconds.add(sample);
        }

        @Override
        public void step(StepResult result, StopReason stopReason, String stopDetail) {
            steps.add(result);
            reason = stopReason;
        }
    }

    private static RampRunner.Outcome run(FakeEngine engine, RampPlan plan, StopConditions stops, Recorder sink)
            throws InterruptedException {
        return new RampRunner(engine, plan, stops, 4, Duration.ofMillis(200), sink, new RampListener() { }).run();
    }

    /**
     * The fake sleeps to its due times: on a loaded host its send-lag p99 reaches tens of ms, which is rightly
     * flagged; tests about the ramp's mechanics tolerate stalls up to 1 s.
     */
    static final StopConditions STALL_TOLERANT = new StopConditions(1.0, Duration.ofSeconds(1), 90.0,
            Duration.ofSeconds(10), Duration.ofSeconds(1));

    @Test
    void rampRunsEveryStepAndStopsAtMaxRate() throws Exception {
        FakeEngine engine = new FakeEngine(300_000, 0, 0, true);
        Recorder sink = new Recorder();
        RampPlan plan = new RampPlan(200, 200, 600, Duration.ofMillis(1500), Duration.ofMillis(200), Duration.ZERO);
        RampRunner.Outcome out = run(engine, plan, STALL_TOLERANT, sink);

        assertThat(out.reason()).as("%s", out.steps().get(out.steps().size() - 1).generatorTrouble())
                .isEqualTo(StopReason.MAX_RATE);
        assertThat(sink.reason).isEqualTo(StopReason.MAX_RATE);
        assertThat(out.steps()).hasSize(3);
        for (StepResult r : out.steps()) {
            // warm-up excluded, the measured window holds exactly rate x duration exchanges
            assertThat((double) r.totals().sent()).isCloseTo(r.offeredRate() * 1.5, within(1.0));
            assertThat(r.totals().completed()).isEqualTo(r.totals().sent());
            assertThat(r.totals().outcomes()[0]).isEqualTo(r.totals().sent());
            assertThat(r.saturated()).as("%s", r.generatorTrouble()).isFalse();
            // service time is exactly the fake's; corrected latency is at least that
            assertThat(r.totals().service().getValueAtPercentile(50)).isBetween(299_000L, 301_000L);
            assertThat(r.totals().latency().getMinValue()).isGreaterThanOrEqualTo(299_000L);
        }
        // per-second samples add up to the step totals
        long secondsSent = sink.seconds.stream().mapToLong(IntervalSample::sent).sum();
        assertThat(secondsSent).isEqualTo(out.steps().stream().mapToLong(r -> r.totals().sent()).sum());
    }

    @Test
    void serverCpuIsReadWhenTheMeasuredWindowOpensAndClosesNotOverTheWarmup() throws Exception {
        Recorder sink = new Recorder();
        long t0 = System.nanoTime();
        // a "server" burning exactly one CPU second per wall second since t0
        RampRunner runner = new RampRunner(new FakeEngine(100_000, 0, 0, true),
                new RampPlan(200, 200, 200, Duration.ofMillis(1000), Duration.ofMillis(600), Duration.ZERO),
                STALL_TOLERANT, 4, Duration.ofMillis(200), sink, new RampListener() { })
                .serverCpu(() -> System.nanoTime() - t0);
        RampRunner.Outcome out = runner.run();
        StepResult r = out.steps().get(0);
        // the 1 s window, not the 0.6 s warm-up nor the drain (scheduling jitter on a loaded host)
        assertThat(r.serverCpuNanos()).isBetween(900_000_000L, 1_300_000_000L);
        assertThat(r.serverCpuSeconds()).isCloseTo(r.serverCpuNanos() / 1e9, within(1e-9));
        assertThat(r.cpuMicrosPerQuery()).isCloseTo(r.serverCpuNanos() / 1e3 / r.totals().completed(), within(1e-6));
    }

    @Test
    void withoutAnInstanceOrWhenItsCpuCannotBeReadTheCostIsUnknown() throws Exception {
        Recorder sink = new Recorder();
        RampPlan plan = RampPlan.fixed(200, Duration.ofMillis(500), Duration.ZERO);
        StepResult none = run(new FakeEngine(100_000, 0, 0, true), plan, STALL_TOLERANT, sink).steps().get(0);
        assertThat(none.serverCpuNanos()).isEqualTo(-1);
        assertThat(none.serverCpuSeconds()).isNull();
        assertThat(none.cpuMicrosPerQuery()).isNull();
        StepResult gone = new RampRunner(new FakeEngine(100_000, 0, 0, true), plan, STALL_TOLERANT, 4,
                Duration.ofMillis(200), new Recorder(), new RampListener() { }).serverCpu(() -> -1).run().steps().get(0);
        assertThat(gone.serverCpuNanos()).isEqualTo(-1);
    }

    @Test
    void fixedRunCompletes() throws Exception {
        Recorder sink = new Recorder();
        RampRunner.Outcome out = run(new FakeEngine(100_000, 0, 0, true),
                RampPlan.fixed(500, Duration.ofSeconds(1), Duration.ZERO), STALL_TOLERANT, sink);
        assertThat(out.reason()).isEqualTo(StopReason.COMPLETED);
        assertThat(out.steps().get(0).achievedSendRate()).isCloseTo(500, within(5.0));
    }

    @Test
    void lossAboveThresholdStopsTheRamp() throws Exception {
        Recorder sink = new Recorder();
        // every 10th lost = 10 % > 1 %
        RampRunner.Outcome out = run(new FakeEngine(100_000, 10, 0, true),
                new RampPlan(200, 200, 2000, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO),
                StopConditions.DEFAULTS, sink);
        assertThat(out.reason()).isEqualTo(StopReason.LOSS);
        assertThat(out.steps()).hasSize(1);
        StepResult r = out.steps().get(0);
        assertThat(r.totals().sent()).isEqualTo(r.totals().completed() + r.totals().lost() + r.totals().errorsTotal());
        assertThat(r.lossPct()).isCloseTo(10.0, within(0.5));
    }

    @Test
    void silentTargetStopsAsUnresponsiveDuringTheStep() throws Exception {
        Recorder sink = new Recorder();
        long t0 = System.nanoTime();
        RampRunner.Outcome out = run(new FakeEngine(0, 0, 0, false),
                new RampPlan(100, 100, 1000, Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO),
                new StopConditions(1, Duration.ofSeconds(1), 90, Duration.ofSeconds(2)), sink);
        assertThat(out.reason()).isEqualTo(StopReason.UNRESPONSIVE);
        // cut after ~2 s, not after the 30 s step
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(6.0);
        assertThat(out.steps().get(0).lossPct()).isEqualTo(100.0);
    }

    @Test
    void slowGeneratorIsReportedAsSaturatedNotBlamedOnTheServer() throws Exception {
        Recorder sink = new Recorder();
        // each send costs 2 ms of CPU: at most ~500/s possible, 2000/s offered
        RampRunner.Outcome out = run(new FakeEngine(100_000, 0, 2_000_000, true),
                new RampPlan(2000, 1000, 5000, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO),
                StopConditions.DEFAULTS, sink);
        assertThat(out.reason()).isEqualTo(StopReason.GENERATOR_SATURATED);
        assertThat(out.steps().get(0).saturated()).isTrue();
    }

    @Test
    void aBusyProcessOutsideTheBenchmarkIsWarnedLiveAndMarksTheSecondsAndTheStep() throws Exception {
        // a real CPU burner that is not unibench's child (its parent shell exits at once), bounded to 15 s
        Process sh = new ProcessBuilder("sh", "-c",
                "(exec timeout 15 sh -c 'while :; do :; done') >/dev/null 2>&1 & echo $!").start();
        long burner = Long.parseLong(new String(sh.getInputStream().readAllBytes()).strip());
        sh.waitFor();
        try {
            Recorder sink = new Recorder();
            List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
            RampRunner.Outcome out = new RampRunner(new FakeEngine(100_000, 0, 0, true),
                    RampPlan.fixed(200, Duration.ofSeconds(3), Duration.ZERO), STALL_TOLERANT, 4,
                    Duration.ofMillis(200), sink, new RampListener() {
                        @Override
                        public void warning(String message) {
                            warnings.add(message);
                        }
                    }).run();
            // one core of this host spinning outside the benchmark: far above the 5 % threshold
            double threshold = io.unibench.load.HostNoise.THRESHOLD_PCT;
            assertThat(out.steps().get(0).totals().hostNoisePct()).isGreaterThan(threshold);
            assertThat(sink.seconds.stream().mapToDouble(IntervalSample::hostNoisePct)).anyMatch(v -> v > threshold);
            assertThat(warnings.stream().filter(w -> w.startsWith("step 1: processes outside the benchmark used")))
                    .as("warned live, once for the step: %s", warnings).hasSize(1);
        } finally {
            ProcessHandle.of(burner).ifPresent(ProcessHandle::destroy);
        }
    }

    @Test
    void theEnginesOwnProcessesAreTheBenchmarkNotHostNoise() throws Exception {
        // the same kind of burner, but named by the engine as its own process (as dnsperf is); the spinning
        // process itself, bounded by its count (timeout would spin in a child the engine does not name)
        Process sh = new ProcessBuilder("sh", "-c",
                "(exec sh -c 'i=0; while [ $i -lt 10000000 ]; do i=$((i+1)); done') >/dev/null 2>&1 & echo $!")
                .start();
        long burner = Long.parseLong(new String(sh.getInputStream().readAllBytes()).strip());
        sh.waitFor();
        try {
            FakeEngine fake = new FakeEngine(100_000, 0, 0, true);
            LoadEngine engine = new LoadEngine() {
                @Override
                public io.unibench.load.LoadProtocol protocol() {
                    return fake.protocol();
                }

                @Override
                public String describe() {
                    return fake.describe();
                }

                @Override
                public void runStep(io.unibench.load.StepSchedule s, io.unibench.load.LoadMeter m) {
                    fake.runStep(s, m);
                }

                @Override
                public java.util.Set<Long> processes() {
                    return java.util.Set.of(burner);
                }

                @Override
                public void close() {
                }
            };
            Recorder sink = new Recorder();
            // the same interval seen by a sampler that does not know the burner, and the burner's own share
            io.unibench.load.HostNoise unnamed = new io.unibench.load.HostNoise(java.util.Set.of());
            io.unibench.load.HostNoise burnerOnly = unnamed.excluding(java.util.Set.of(burner));
            unnamed.samplePct();
            burnerOnly.samplePct();
            RampRunner.Outcome out = new RampRunner(engine, RampPlan.fixed(200, Duration.ofSeconds(3), Duration.ZERO),
                    STALL_TOLERANT, 4, Duration.ofMillis(200), sink, new RampListener() { }).run();
            double all = unnamed.samplePct();
            double burnerShare = all - burnerOnly.samplePct();
            double named = out.steps().get(0).totals().hostNoisePct();
            assertThat(burnerShare).as("the burner's share of the host").isGreaterThan(10.0);
            // named by the engine, the burner is not in the step's noise (whatever else this host is doing)
            assertThat(named).as("noise with the burner named, of %.1f %% with it unnamed", all)
                    .isLessThan(all - burnerShare / 2);
        } finally {
            ProcessHandle.of(burner).ifPresent(ProcessHandle::destroy);
        }
    }

    @Test
    void interruptKeepsThePartialStep() throws Exception {
        Recorder sink = new Recorder();
        FakeEngine engine = new FakeEngine(100_000, 0, 0, true);
        RampRunner runner = new RampRunner(engine, RampPlan.fixed(200, Duration.ofSeconds(30), Duration.ZERO),
                StopConditions.DEFAULTS, 2, Duration.ofMillis(200), sink, new RampListener() { });
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(1200);
            } catch (InterruptedException e) {
                return;
            }
            runner.interrupt();
        });
        t.start();
        RampRunner.Outcome out = runner.run();
        assertThat(out.reason()).isEqualTo(StopReason.INTERRUPTED);
        StepResult r = out.steps().get(0);
        assertThat(r.seconds()).isBetween(0.9, 1.6);
        assertThat(r.achievedSendRate()).isCloseTo(200, within(20.0));
    }

    @Test
    void serverFailureIsNamedFirstAndTheGeneratorsTroubleAfterIt() {
        RampRunner runner = new RampRunner(new FakeEngine(0, 0, 0, true),
                RampPlan.fixed(1000, Duration.ofSeconds(1), Duration.ZERO), StopConditions.DEFAULTS, 4,
                Duration.ofMillis(200), new Recorder(), new RampListener() { });
        org.HdrHistogram.Histogram lag = new org.HdrHistogram.Histogram(3);
        lag.recordValueWithCount(1000, 500);
        // half sent, 20 % of that lost: the server failed, and the generator was behind too
        IntervalSample s = new IntervalSample(500, 400, 100, new long[] {400, 0}, new long[] {0}, new long[] {0},
                new org.HdrHistogram.Histogram(3), new org.HdrHistogram.Histogram(3), lag, 0, 0);
        StepResult r = StepResult.of(1, 1000, 4, 1_000_000_000L, s, FakeEngine.PROTOCOL);
        RampRunner.StepRun run = new RampRunner.StepRun();
        run.heard = true;
        String[] v = runner.verdict(r, run);
        assertThat(v[0]).isEqualTo("LOSS");
        assertThat(v[1]).startsWith("20.000 % lost").contains("the generator was also behind (sent 500/s of 1000/s");
    }

    @Test
    void aServerAnsweringEverythingWronglyIsFailingNotUnresponsive() {
        RampRunner runner = new RampRunner(new FakeEngine(0, 0, 0, true),
                RampPlan.fixed(1000, Duration.ofSeconds(1), Duration.ZERO), StopConditions.DEFAULTS, 4,
                Duration.ofMillis(200), new Recorder(), new RampListener() { });
        org.HdrHistogram.Histogram lag = new org.HdrHistogram.Histogram(3);
        lag.recordValueWithCount(1000, 1000);
        // every answer had the wrong question: counted mismatched (an extra), the queries timed out
        IntervalSample s = new IntervalSample(1000, 0, 1000, new long[] {0, 0}, new long[] {0}, new long[] {1000},
                new org.HdrHistogram.Histogram(3), new org.HdrHistogram.Histogram(3), lag, 0, 0);
        StepResult r = StepResult.of(1, 1000, 4, 1_000_000_000L, s, FakeEngine.PROTOCOL);
        RampRunner.StepRun run = new RampRunner.StepRun();
        run.heard = true;
        run.unresponsive = false;
        String[] v = runner.verdict(r, run);
        assertThat(v[0]).isEqualTo("FAILING");
        assertThat(v[1]).contains("1000 late");
    }

    /** Records the warm-ups the runner announces. */
    static final class WarmupListener implements RampListener {
        final List<GeneratorWarmup> warmups = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void generatorWarmedUp(GeneratorWarmup warmup) {
            warmups.add(warmup);
        }
    }

    /** A JIT compiler that compiles {@code msPerSecond} ms of every wall second, from now on. */
    private static java.util.function.LongSupplier compiling(long msPerSecond) {
        long t0 = System.nanoTime();
        return () -> (System.nanoTime() - t0) / 1_000_000 * msPerSecond / 1000;
    }

    private static RampRunner warmingUp(FakeEngine engine, RampPlan plan, StopConditions stops, Recorder sink,
                                        RampListener listener, java.util.function.LongSupplier compileClock) {
        return new RampRunner(engine, plan, stops, 4, Duration.ofMillis(200), sink, listener)
                .compileClock(compileClock);
    }

    @Test
    void aQuietCompilerEndsTheGeneratorWarmupAtItsMinimumAndNothingOfItIsRecorded() throws Exception {
        FakeEngine engine = new FakeEngine(100_000, 0, 0, true);
        Recorder sink = new Recorder();
        WarmupListener listener = new WarmupListener();
        RampPlan plan = RampPlan.fixed(400, Duration.ofMillis(500), Duration.ZERO)
                .withGeneratorWarmup(Duration.ofSeconds(10));
        RampRunner.Outcome out = warmingUp(engine, plan, STALL_TOLERANT, sink, listener, () -> 42).run();

        GeneratorWarmup w = out.generatorWarmup();
        assertThat(w.ended()).isEqualTo(GeneratorWarmup.JIT_QUIET);
        // two quiet 250 ms looks are in by 0.5 s; the minimum of 1 s holds it to the look at 1 s
        assertThat(w.seconds()).isBetween(1.0, 1.5);
        assertThat(w.jitCompileMillis()).isZero();
        assertThat(w.rate()).isEqualTo(400);
        assertThat((double) w.sent()).isCloseTo(400 * w.seconds(), within(40.0));
        assertThat(w.completed()).isEqualTo(w.sent());
        assertThat(listener.warmups).containsExactly(w);
        assertThat(engine.steps).isEqualTo(2);
        // the step and its seconds hold the step's exchanges only: 400/s for 0.5 s
        assertThat(sink.steps).hasSize(1);
        assertThat(out.steps().get(0).totals().sent()).isEqualTo(200);
        assertThat(sink.seconds.stream().mapToLong(IntervalSample::sent).sum()).isEqualTo(200);
        assertThat(out.reason()).isEqualTo(StopReason.COMPLETED);
    }

    @Test
    void aBusyCompilerHoldsTheGeneratorWarmupToThePlansLimit() throws Exception {
        Recorder sink = new Recorder();
        RampPlan plan = RampPlan.fixed(200, Duration.ofMillis(300), Duration.ZERO)
                .withGeneratorWarmup(Duration.ofMillis(2000));
        // 40 ms of compiling per second: 10 ms per 250 ms look, never under 5 ms
        RampRunner.Outcome out = warmingUp(new FakeEngine(100_000, 0, 0, true), plan, STALL_TOLERANT, sink,
                new WarmupListener(), compiling(40)).run();

        GeneratorWarmup w = out.generatorWarmup();
        assertThat(w.ended()).isEqualTo(GeneratorWarmup.LIMIT);
        assertThat(w.seconds()).isCloseTo(2.0, within(1e-9));
        assertThat(w.jitCompileMillis()).isBetween(70L, 200L);
        assertThat(w.sent()).isEqualTo(400);
        assertThat(out.steps()).hasSize(1);
        assertThat(out.steps().get(0).totals().sent()).isEqualTo(60);
    }

    @Test
    void aSilentTargetEndsTheGeneratorWarmupAndStepOneJudgesIt() throws Exception {
        Recorder sink = new Recorder();
        long t0 = System.nanoTime();
        RampPlan plan = new RampPlan(100, 100, 1000, Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO)
                .withGeneratorWarmup(Duration.ofSeconds(30));
        // --unresponsive 1s is below the warm-up's 2 s of silence, so 1 s ends it
        RampRunner.Outcome out = warmingUp(new FakeEngine(0, 0, 0, false), plan,
                new StopConditions(1, Duration.ofSeconds(1), 90, Duration.ofSeconds(1)), sink, new WarmupListener(),
                compiling(1000)).run();

        GeneratorWarmup w = out.generatorWarmup();
        assertThat(w.ended()).isEqualTo(GeneratorWarmup.TARGET_SILENT);
        assertThat(w.seconds()).isBetween(1.0, 1.5);
        assertThat(w.completed()).isZero();
        assertThat(w.jitCompileMillis()).isPositive();
        assertThat(out.reason()).isEqualTo(StopReason.UNRESPONSIVE);
        assertThat(out.steps()).hasSize(1);
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(8.0);
    }

    @Test
    void aPlanWithoutGeneratorWarmupRunsNone() throws Exception {
        FakeEngine engine = new FakeEngine(100_000, 0, 0, true);
        WarmupListener listener = new WarmupListener();
        RampPlan plan = RampPlan.fixed(200, Duration.ofMillis(300), Duration.ZERO).withGeneratorWarmup(Duration.ZERO);
        RampRunner.Outcome out = warmingUp(engine, plan, STALL_TOLERANT, new Recorder(), listener, () -> {
            throw new AssertionError("no warm-up, no look at the compiler");
        }).run();
        assertThat(out.generatorWarmup()).isNull();
        assertThat(listener.warmups).isEmpty();
        assertThat(engine.steps).isEqualTo(1);
    }

    @Test
    void anInterruptDuringTheGeneratorWarmupEndsItAndTheRun() throws Exception {
        Recorder sink = new Recorder();
        RampRunner runner = warmingUp(new FakeEngine(100_000, 0, 0, true),
                RampPlan.fixed(200, Duration.ofSeconds(30), Duration.ZERO).withGeneratorWarmup(Duration.ofSeconds(30)),
                StopConditions.DEFAULTS, sink, new WarmupListener(), compiling(1000));
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            }
            runner.interrupt();
        });
        long t0 = System.nanoTime();
        t.start();
        RampRunner.Outcome out = runner.run();
        assertThat(out.generatorWarmup().ended()).isEqualTo(GeneratorWarmup.INTERRUPTED);
        assertThat(out.generatorWarmup().seconds()).isBetween(0.5, 1.2);
        assertThat(out.reason()).isEqualTo(StopReason.INTERRUPTED);
        // the step that was due next ends at once, and nothing of the warm-up is in it
        assertThat(out.steps().get(0).totals().sent()).isLessThan(10);
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5.0);
    }

    @Test
    void theGeneratorWarmupIsPartOfThePlansLongestAndItsDescription() {
        RampPlan plan = new RampPlan(100, 100, 300, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(plan.generatorWarmup()).isZero();
        assertThat(plan.longest()).isEqualTo(Duration.ofSeconds(3 * 6 + 2 * 2));
        RampPlan warm = plan.withGeneratorWarmup(RampPlan.DEFAULT_GENERATOR_WARMUP);
        assertThat(warm.longest()).isEqualTo(Duration.ofSeconds(22).plus(RampPlan.DEFAULT_GENERATOR_WARMUP));
        assertThat(warm.describe(Duration.ofSeconds(1), StopConditions.DEFAULTS))
                .containsEntry("generator_warmup_s", 10.0);
        assertThat(warm.withGeneratorWarmup(Duration.ZERO)).isEqualTo(plan);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plan.withGeneratorWarmup(Duration.ofSeconds(-1)))
                .isInstanceOf(io.unibench.UsageException.class).hasMessageContaining("--generator-warmup");
    }
}
