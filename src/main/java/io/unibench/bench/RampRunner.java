package io.unibench.bench;

import io.unibench.UnibenchException;
import io.unibench.Units;
import io.unibench.load.HostNoise;
import io.unibench.load.IntervalSample;
import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.StepSchedule;
import io.unibench.results.RampSink;
import io.unibench.results.StepResult;
import io.unibench.results.StopReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Runs a {@link RampPlan} with any {@link LoadEngine}: one step after the other, a sampler taking the
 * meter's numbers every second, stop conditions checked after every step (and "unresponsive" during
 * one). Shared by every open-loop benchmark, so DNS and HTTP ramps behave and report identically.
 *
 * <p>Before step 1 the generator warms up ({@link RampPlan#generatorWarmup()}, zero: not at all): the engine
 * loads the target at the first step's rate, recorded in no step and no second, until this JVM's JIT compiler
 * is quiet (under {@link #QUIET_COMPILE_MILLIS} of compile time in each of two consecutive
 * {@link #WARMUP_LOOK_MILLIS} looks, after at least {@link #MIN_GENERATOR_WARMUP}), the target has been silent
 * for min({@link #MAX_WARMUP_SILENCE}, --unresponsive), or the plan's limit. Without it a fresh JVM compiled
 * its send and receive loops during step 1 (167 C2 compiles in the first 2 s of load, the sender's loop
 * OSR-compiled at 3.9 s) on the generator's one pinned core, and 4 of 5 one-thread ramps against knot stopped
 * at their first step as generator-saturated (send-lag p99 10-19 ms).
 */
public final class RampRunner {

    /** The result of a whole ramp; {@code generatorWarmup} is null when the plan has none. */
    public record Outcome(List<StepResult> steps, StopReason reason, String detail, GeneratorWarmup generatorWarmup) {
    }

    /** The most compile time (ms) a look may see for the JIT compiler to count as quiet in it. */
    public static final long QUIET_COMPILE_MILLIS = 5;
    /** How often the generator's warm-up looks at the compiler and the target. */
    public static final long WARMUP_LOOK_MILLIS = 250;
    /** The generator's warm-up lasts at least this long, however quiet the compiler (unless the limit is shorter). */
    public static final Duration MIN_GENERATOR_WARMUP = Duration.ofSeconds(1);
    /** The generator's warm-up ends after this long without a word from the target (or --unresponsive, if shorter). */
    public static final Duration MAX_WARMUP_SILENCE = Duration.ofSeconds(2);

    private final LoadEngine engine;
    private final RampPlan plan;
    private final StopConditions stops;
    private final int clients;
    private final Duration timeout;
    private final RampSink sink;
    private final RampListener listener;
    private volatile LoadMeter current;
    /** Host CPU used outside the benchmark (unibench, its children and the server's process excluded). */
    private HostNoise noise;
    private volatile boolean interrupted;
    private volatile LongSupplier serverCpu;
    private volatile LongSupplier compileClock = RampRunner::jitCompileMillis;
    private GeneratorWarmup warmedUp;
    /** The JIT compiler threads' policy while the steps run (see {@link GeneratorJit}); null before run(). */
    private GeneratorJit jit;

    public RampRunner(LoadEngine engine, RampPlan plan, StopConditions stops, int clients, Duration timeout,
                      RampSink sink, RampListener listener) {
        this.engine = engine;
        this.plan = plan;
        this.stops = stops;
        this.clients = clients;
        this.timeout = timeout;
        this.sink = sink;
        this.listener = listener;
    }

    /**
     * Where the loaded server's cumulative CPU time comes from (nanoseconds, negative when it cannot be
     * read, e.g. the instance is gone): sampled at the start and end of each step's measured window, it
     * fills {@link StepResult#serverCpuNanos()}. Without it those stay unknown.
     */
    public RampRunner serverCpu(LongSupplier cpuNanos) {
        this.serverCpu = cpuNanos;
        return this;
    }

    /**
     * Where the generator's warm-up reads this JVM's total JIT compile time (milliseconds, never decreasing);
     * by default the {@link CompilationMXBean}. For tests.
     */
    public RampRunner compileClock(LongSupplier millis) {
        this.compileClock = millis;
        return this;
    }

    /** This JVM's total JIT compile time in milliseconds; 0 for ever when it has no compiler or cannot time it. */
    static long jitCompileMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Ends the ramp as soon as possible (from a shutdown hook); the current step is kept as measured. */
    public void interrupt() {
        interrupted = true;
        LoadMeter m = current;
        if (m != null) {
            m.requestStop();
        }
    }

    public Outcome run() throws InterruptedException {
        List<Double> rates = plan.rates();
        List<StepResult> done = new ArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "unibench-sampler");
            t.setDaemon(true);
            return t;
        });
        try {
            engine.prepare();
            InetSocketAddress target = engine.targetAddress();
            noise = new HostNoise(target == null ? java.util.Set.of() : HostNoise.socketOwners(target));
            if (serverCpu != null) {
                noise = noise.withServerCpu(serverCpu);
            }
            if (!plan.generatorWarmup().isZero()) {
                warmedUp = warmUpGenerator(rates.get(0), sampler);
            }
            // the warm-up needed the compiler at full speed; the steps give it only the generator's idle time
            jit = new GeneratorJit();
            // seconds.csv counts from here: the warm-up is no part of the run's time series
            long runStart = System.nanoTime();
            // the planned steps are numbered ahead of time; an auto ramp's length is unknown (0 = open)
            int planned = plan.autoMax() ? 0 : rates.size();
            StepResult lastGood = null;
            for (int i = 0; i < rates.size(); i++) {
                int step = i + 1;
                double rate = rates.get(i);
                Judged j = runAndJudge(step, planned, rate, runStart, sampler, done);
                if (j.reason == null && i == rates.size() - 1) {
                    j.reason = plan.isFixed() ? StopReason.COMPLETED : StopReason.MAX_RATE;
                    j.detail = plan.isFixed() ? "fixed rate run completed"
                            : plan.autoMax() ? "no stop condition up to " + Units.formatRate(rate) + "/s ("
                                    + RampPlan.MAX_STEPS + " steps)"
                            : "reached --max-rate " + Units.formatRate(plan.maxRate());
                }
                if (j.reason != null && plan.autoMax() && lastGood != null && REFINABLE.contains(j.reason)) {
                    return refine(lastGood, j, step, runStart, sampler, done);
                }
                if (j.reason != null) {
                    return finish(j, done);
                }
                write(() -> sink.step(j.result, null, null));
                lastGood = j.result;
                pause();
            }
            throw new IllegalStateException("unreachable: the last step always stops the ramp");
        } finally {
            sampler.shutdownNow();
            if (jit != null) {
                jit.close();
            }
        }
    }

    /** For run.json's {@value GeneratorJit#RUN_JSON_KEY}: the compiler threads' policy in the steps; null before. */
    public java.util.Map<String, Object> generatorJit() {
        return jit == null ? null : jit.describe();
    }

    /**
     * Collects the heap before a step, outside its warm-up and measurement: what start-up and the step before
     * left is gone, so with the launchers' young generation of at least 256 MiB (-XX:NewSize) no collection
     * pauses the generator inside a step. Without this, the first step of a fresh JVM (10k qps) met three
     * young collections of 13-29 ms on this 2-core host, its send-lag p99 went to 11-80 ms and every
     * --max-rate auto ramp stopped there as generator-saturated.
     */
    private static void collectGarbage() {
        System.gc();
    }

    /**
     * Loads the target at {@code rate} (the first step's) through the engine's own {@link LoadEngine#runStep}
     * until the JIT compiler is quiet, the target silent or the plan's limit reached (see the class comment).
     * Its meter records from the first exchange and is thrown away: no step, no second, no listener's second;
     * only its totals come back, for run.json.
     */
    private GeneratorWarmup warmUpGenerator(double rate, ScheduledExecutorService sampler) throws InterruptedException {
        LoadInterval interval = openInterval(0, rate, 0, plan.generatorWarmup().toNanos());
        WarmupLook look = new WarmupLook(interval);
        long look0 = TimeUnit.MILLISECONDS.toNanos(WARMUP_LOOK_MILLIS);
        try {
            load(interval, look, Math.max(0, interval.start() - System.nanoTime()) + look0, look0, sampler);
        } finally {
            current = null;
        }
        LoadMeter meter = interval.meter;
        long loaded = (meter.stopRequested() ? Math.min(meter.stopRequestedNanos(), interval.schedule.endNanos())
                : interval.schedule.endNanos()) - interval.start();
        look.ended.compareAndSet(null, interrupted ? GeneratorWarmup.INTERRUPTED : GeneratorWarmup.LIMIT);
        IntervalSample t = meter.sample();
        GeneratorWarmup w = new GeneratorWarmup(rate, Math.max(0, loaded) / 1e9, look.jit.getAsLong() - look.jit0,
                look.ended.get(), t.sent(), t.completed());
        // the host-noise share counts from here, so step 1's first second does not carry the warm-up's
        noisePct();
        listener.generatorWarmedUp(w);
        return w;
    }

    /**
     * The generator warm-up's look every {@link #WARMUP_LOOK_MILLIS}: it ends the warm-up once the JIT compiler
     * has been quiet in two looks in a row (after the least warm-up), or the target silent (see the class comment).
     */
    private final class WarmupLook implements Runnable {
        final LongSupplier jit = compileClock;
        final long jit0 = jit.getAsLong();
        final AtomicReference<String> ended = new AtomicReference<>();
        private final LoadInterval interval;
        private final long least = Math.min(plan.generatorWarmup().toNanos(), MIN_GENERATOR_WARMUP.toNanos());
        private final long silence = Math.min(MAX_WARMUP_SILENCE.toNanos(), stops.unresponsiveAfter().toNanos());
        /** The compile time at the last look, and how many looks in a row saw under QUIET_COMPILE_MILLIS. */
        private long seen = jit0;
        private int quietLooks;

        WarmupLook(LoadInterval interval) {
            this.interval = interval;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            long compiled = jit.getAsLong();
            quietLooks = compiled - seen < QUIET_COMPILE_MILLIS ? quietLooks + 1 : 0;
            seen = compiled;
            LoadMeter meter = interval.meter;
            long start = interval.start();
            // once the schedule is over (the limit) or the run interrupted, the reason is already given
            boolean open = now < interval.schedule.endNanos() && !meter.stopRequested();
            String why = !open ? null
                    : quietLooks >= 2 && now - start >= least ? GeneratorWarmup.JIT_QUIET
                    : now - Math.max(meter.lastHeardNanos(), start) >= silence ? GeneratorWarmup.TARGET_SILENT
                    : null;
            if (why != null && ended.compareAndSet(null, why)) {
                meter.requestStop();
            }
        }
    }

    /** One interval of load (a step, or the generator's warm-up): its schedule and the meter that records it. */
    private record LoadInterval(StepSchedule schedule, LoadMeter meter, AtomicReference<RuntimeException> failure) {
        long start() {
            return schedule.startNanos();
        }
    }

    /**
     * Schedules an interval of load at {@code rate} starting shortly (a little lead time so every sender thread
     * is ready before the first due time) and gives it a fresh meter, recording from the end of its warm-up. The
     * meter is {@link #current} (so {@link #interrupt()} reaches it) until the caller clears that.
     */
    private LoadInterval openInterval(int step, double rate, long warmupNanos, long measureNanos) {
        long start = System.nanoTime() + 20_000_000L;
        StepSchedule schedule = new StepSchedule(step, rate, clients, start, warmupNanos, measureNanos,
                timeout.toNanos());
        LoadMeter meter = new LoadMeter(engine.protocol(), schedule.measureStartNanos());
        current = meter;
        if (interrupted) {
            meter.requestStop();
        }
        return new LoadInterval(schedule, meter, new AtomicReference<>());
    }

    /**
     * Runs the engine through the interval while the sampler runs {@code sample} at a fixed rate (first after
     * {@code firstNanos}, then every {@code periodNanos}), and rethrows what a sample threw. A scheduled task
     * that throws is silently never run again: the first failure is kept and ends the interval instead.
     */
    private void load(LoadInterval interval, Runnable sample, long firstNanos, long periodNanos,
                      ScheduledExecutorService sampler) throws InterruptedException {
        Runnable guarded = () -> {
            try {
                sample.run();
            } catch (RuntimeException e) {
                interval.failure.compareAndSet(null, e);
                interval.meter.requestStop();
                throw e;
            }
        };
        var future = sampler.scheduleAtFixedRate(guarded, firstNanos, periodNanos, TimeUnit.NANOSECONDS);
        try {
            engine.runStep(interval.schedule, interval.meter);
        } finally {
            future.cancel(false);
        }
        if (interval.failure.get() != null) {
            throw interval.failure.get();
        }
    }

    /** Stop reasons after which an auto ramp bisects toward the break point (the server still answers). */
    private static final java.util.Set<StopReason> REFINABLE = java.util.EnumSet.of(StopReason.LOSS,
            StopReason.LATENCY, StopReason.THROUGHPUT, StopReason.GENERATOR_SATURATED);

    /** An auto ramp stops refining when the last good and the first bad rate are this close (relative). */
    public static final double REFINE_TOLERANCE = 0.05;

    /**
     * {@code --max-rate auto}: the first failing step is known, and the last good one; bisect between them,
     * each refinement a recorded step, until they are within {@link #REFINE_TOLERANCE} of each other. A
     * step the generator could not keep bounds the search from above too: the break point is never claimed
     * above what the generator showed it can send.
     */
    private Outcome refine(StepResult good, Judged bad, int step, long runStart, ScheduledExecutorService sampler,
                           List<StepResult> done) throws InterruptedException {
        double lo = good.offeredRate();
        double hi = bad.result.offeredRate();
        Judged firstBad = bad;
        if ((hi - lo) <= REFINE_TOLERANCE * hi) {
            // the failing step is already within the tolerance of the last good one
            return breakPoint(bad, lo, hi, bad, done);
        }
        // the failing step's row is written as an ordinary step: the ramp goes on
        write(() -> sink.step(bad.result, null, null));
        while ((hi - lo) > REFINE_TOLERANCE * hi) {
            pause();
            double mid = Math.round((lo + hi) / 2);
            Judged j = runAndJudge(++step, 0, mid, runStart, sampler, done);
            if (j.reason == StopReason.INTERRUPTED || j.reason == StopReason.UNRESPONSIVE
                    || j.reason == StopReason.FAILING) {
                return finish(j, done);
            }
            if (j.reason == null) {
                lo = mid;
            } else {
                hi = mid;
                firstBad = j;
            }
            if ((hi - lo) > REFINE_TOLERANCE * hi) {
                write(() -> sink.step(j.result, null, null));
            } else {
                return breakPoint(j, lo, hi, firstBad, done);
            }
        }
        throw new IllegalStateException("unreachable: the bisection ends within the tolerance");
    }

    private Outcome breakPoint(Judged last, double lo, double hi, Judged firstBad, List<StepResult> done) {
        last.reason = StopReason.BREAK_POINT;
        last.detail = String.format(Locale.ROOT, "break point between %.0f/s (held) and %.0f/s (%s: %s)",
                lo, hi, firstBad.verdictName, firstBad.verdictDetail);
        return finish(last, done);
    }

    private Outcome finish(Judged j, List<StepResult> done) {
        write(() -> sink.step(j.result, j.reason, j.detail));
        listener.finished(j.reason, j.detail);
        return new Outcome(done, j.reason, j.detail, warmedUp);
    }

    private void pause() throws InterruptedException {
        if (!plan.cooldown().isZero()) {
            Thread.sleep(plan.cooldown().toMillis());
        }
    }

    /** One measured step and what the stop conditions say about it. */
    private static final class Judged {
        StepResult result;
        StopReason reason;
        String detail;
        /** The verdict as first given (kept when the reason is replaced by BREAK_POINT). */
        String verdictName;
        String verdictDetail;
    }

    private Judged runAndJudge(int step, int planned, double rate, long runStart, ScheduledExecutorService sampler,
                               List<StepResult> done) throws InterruptedException {
        collectGarbage();
        jit.idle();
        StepRun run = runStep(step, planned, rate, runStart, sampler);
        StepResult result = run.result;
        done.add(result);
        listener.stepFinished(result);
        if (result.saturated()) {
            listener.warning(String.format(Locale.ROOT,
                    "step %d: the generator could not keep %s/s (%s); this step measures the client,"
                            + " not only the server",
                    step, Units.formatRate(rate), String.join("; ", result.generatorTrouble())));
        }
        Judged j = new Judged();
        j.result = result;
        if (interrupted) {
            j.reason = StopReason.INTERRUPTED;
            j.detail = "interrupted during step " + step;
        } else {
            String[] verdict = verdict(result, run);
            j.reason = verdict == null ? null : StopReason.valueOf(verdict[0]);
            j.detail = verdict == null ? null : verdict[1];
        }
        j.verdictName = j.reason == null ? null : j.reason.label();
        j.verdictDetail = j.detail;
        return j;
    }

    /**
     * Null when the ramp may go on; else {reason enum name, detail}. The server's failure comes first (it is
     * what the ramp looks for); when the generator was in trouble too, the detail says so after it, and
     * only a step whose server kept up is stopped as generator-saturated.
     */
    String[] verdict(StepResult r, StepRun run) {
        String[] server = serverVerdict(r, run);
        if (server == null) {
            return r.saturated() ? new String[] {"GENERATOR_SATURATED", "generator: "
                    + String.join("; ", r.generatorTrouble())} : null;
        }
        if (r.saturated()) {
            server[1] = server[1] + "; the generator was also behind (" + String.join("; ", r.generatorTrouble())
                    + ")";
        }
        return server;
    }

    private String[] serverVerdict(StepResult r, StepRun run) {
        IntervalSample t = r.totals();
        if (r.attempted() > 0 && r.successes() == 0 && run.heard) {
            return new String[] {"FAILING", String.format(Locale.ROOT,
                    "answers, but none correct: %s", wrongAnswers(r))};
        }
        if (run.unresponsive) {
            return new String[] {"UNRESPONSIVE", "no answer for " + Units.formatDuration(stops.unresponsiveAfter())};
        }
        if (r.attempted() > 0 && t.completed() == 0) {
            return new String[] {"UNRESPONSIVE", "no answer to any of " + r.attempted() + " exchanges"};
        }
        if (r.failurePct() > stops.maxFailurePct()) {
            return new String[] {"LOSS", String.format(Locale.ROOT, "%.3f %% lost, failed or unsuccessful > %.3f %%",
                    r.failurePct(), stops.maxFailurePct())};
        }
        // the corrected latency holds the generator's own lag: when the generator fell behind, the server
        // is judged on its service time; a driver that only measures service time is judged on that, too
        boolean corrected = t.latency().getTotalCount() > 0 && !r.saturated();
        var h = corrected ? t.latency() : t.service();
        long p99 = h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99);
        if (p99 > stops.maxP99().toNanos()) {
            return new String[] {"LATENCY", String.format(Locale.ROOT, "%s p99 %.3f ms > %s",
                    corrected ? "latency" : "service time", p99 / 1e6, Units.formatDuration(stops.maxP99()))};
        }
        // a generator that fell behind offered less than planned: the server is judged on what it got
        double basis = Math.min(r.offeredRate(), r.attempted() / Math.max(1e-9, r.seconds()));
        if (r.completedRate() < stops.minCompletedPct() / 100.0 * basis) {
            return new String[] {"THROUGHPUT", String.format(Locale.ROOT,
                    "completed %.0f/s < %.1f %% of %.0f/s %s", r.completedRate(), stops.minCompletedPct(),
                    basis, basis < r.offeredRate() ? "sent" : "offered")};
        }
        return null;
    }

    /** "120 mismatched, 3 malformed, 40 rcode_servfail": the wrong answers of a step, by column. */
    private static String wrongAnswers(StepResult r) {
        IntervalSample t = r.totals();
        var p = r.protocol();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < t.outcomes().length; i++) {
            if (t.outcomes()[i] > 0 && !p.successes().contains(i)) {
                parts.add(t.outcomes()[i] + " " + p.outcomes().get(i));
            }
        }
        for (int i = 0; i < t.errors().length; i++) {
            if (t.errors()[i] > 0 && !p.unsentErrors().contains(i)) {
                parts.add(t.errors()[i] + " " + p.errors().get(i));
            }
        }
        for (int i = 0; i < t.extras().length; i++) {
            if (t.extras()[i] > 0) {
                parts.add(t.extras()[i] + " " + p.extras().get(i));
            }
        }
        return parts.isEmpty() ? "answers came only outside the measured window" : String.join(", ", parts);
    }

    static final class StepRun {
        StepResult result;
        boolean unresponsive;
        /** Anything at all came back from the target during the step (right or wrong). */
        boolean heard;
    }

    private StepRun runStep(int step, int steps, double rate, long runStart, ScheduledExecutorService sampler)
            throws InterruptedException {
        long warmup = plan.warmup().toNanos();
        long measure = plan.stepDuration().toNanos();
        LoadInterval interval = openInterval(step, rate, warmup, measure);
        StepSchedule schedule = interval.schedule;
        LoadMeter meter = interval.meter;
        long start = interval.start();
        listener.stepStarted(step, steps, rate, warmup, measure);
        StepRun run = new StepRun();
        Object lock = new Object();
        IntervalSample[] total = {IntervalSample.empty(engine.protocol())};
        boolean[] noiseWarned = {false};
        long unresponsiveNanos = stops.unresponsiveAfter().toNanos();
        Runnable sampleSecond = () -> {
            synchronized (lock) {
                IntervalSample s = meter.sample().withHostNoise(noisePct());
                total[0] = total[0].plus(s);
                if (s.hostNoisePct() > HostNoise.THRESHOLD_PCT && !noiseWarned[0]) {
                    noiseWarned[0] = true;
                    listener.warning(String.format(Locale.ROOT, "step %d: processes outside the benchmark used "
                            + "%.0f %% of the host's CPU this second; this step's figures are suspect", step,
                            s.hostNoisePct()));
                }
                long now = System.nanoTime();
                int runSecond = (int) Math.max(0, (now - runStart) / 1_000_000_000L);
                write(() -> sink.second(runSecond, step, rate, s));
                listener.second(step, rate, s, Math.max(0, schedule.endNanos() - now));
                // anything heard, even a wrong answer, is not silence: a wrongly answering target is failing
                long quietSince = Math.max(meter.lastHeardNanos(), start);
                if (now - quietSince >= unresponsiveNanos && !meter.stopRequested()) {
                    run.unresponsive = true;
                    meter.requestStop();
                }
            }
        };
        // the server's CPU over the measured window: read when it opens and when it closes (or the step ends)
        LongSupplier cpu = serverCpu;
        AtomicLong cpu0 = new AtomicLong(Long.MIN_VALUE);
        AtomicLong cpu1 = new AtomicLong(Long.MIN_VALUE);
        ScheduledFuture<?> cpuStart = null;
        ScheduledFuture<?> cpuEnd = null;
        if (cpu != null) {
            long now = System.nanoTime();
            cpuStart = sampler.schedule(() -> cpu0.set(cpu.getAsLong()),
                    Math.max(0, schedule.measureStartNanos() - now), TimeUnit.NANOSECONDS);
            cpuEnd = sampler.schedule(() -> cpu1.set(cpu.getAsLong()),
                    Math.max(0, schedule.measureStartNanos() + measure - now), TimeUnit.NANOSECONDS);
        }
        long second = TimeUnit.SECONDS.toNanos(1);
        try {
            load(interval, sampleSecond, second, second, sampler);
        } finally {
            if (cpuStart != null) {
                cpuStart.cancel(false);
                cpuEnd.cancel(false);
            }
        }
        if (cpu != null && cpu1.get() == Long.MIN_VALUE && cpu0.get() != Long.MIN_VALUE) {
            cpu1.compareAndSet(Long.MIN_VALUE, cpu.getAsLong()); /* stopped early: up to now */
        }
        synchronized (lock) {
            // the last, partial second (and the drain after the schedule) belongs in the time series too
            IntervalSample last = meter.sample().withHostNoise(noisePct());
            total[0] = total[0].plus(last);
            int runSecond = (int) Math.max(0, (System.nanoTime() - runStart) / 1_000_000_000L);
            write(() -> sink.second(runSecond, step, rate, last));
        }
        // the measured window ends early when the step was stopped (unresponsive target, Ctrl-C)
        long measured = measure;
        if (meter.stopRequested()) {
            measured = Math.min(measure, meter.stopRequestedNanos() - schedule.measureStartNanos());
        }
        current = null;
        run.heard = meter.lastHeardNanos() >= start;
        run.result = StepResult.of(step, rate, clients, Math.max(1, measured), total[0], engine.protocol(),
                stops.maxSendLagP99().toNanos(), meter.limits());
        if (meter.serverCounts() != null) {
            run.result = run.result.withServer(meter.serverCounts());
        }
        long c0 = cpu0.get();
        long c1 = cpu1.get();
        if (c0 >= 0 && c1 >= c0) {
            run.result = run.result.withServerCpu(c1 - c0);
        }
        return run;
    }

    /**
     * The host-noise share since the last sample, the engine's own processes (dnsperf) excluded too. The engine
     * names them: walking /proc for this JVM's descendants each second cost 0.4 ms of the generator's core with
     * 65 processes on the host, and grows with every process there.
     */
    private Double noisePct() {
        if (noise == null) {
            return null;
        }
        java.util.Set<Long> children = engine.processes();
        if (!noise.excluded().containsAll(children)) {
            noise = noise.excluding(children);
        }
        return noise.samplePct();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void write(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Wraps an {@link UncheckedIOException} from the sink into a user-facing failure. */
    public static UnibenchException resultWriteFailed(UncheckedIOException e) {
        return new UnibenchException("could not write results: " + e.getCause().getMessage(), e);
    }
}
