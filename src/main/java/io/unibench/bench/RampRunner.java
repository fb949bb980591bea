package io.unibench.bench;

import io.unibench.UnibenchException;
import io.unibench.Units;
import io.unibench.load.IntervalSample;
import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.StepSchedule;
import io.unibench.results.RampSink;
import io.unibench.results.StepResult;
import io.unibench.results.StopReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link RampPlan} with any {@link LoadEngine}: one step after the other, a sampler taking the
 * meter's numbers every second, stop conditions checked after every step (and "unresponsive" during
 * one). Shared by every open-loop benchmark, so DNS and HTTP ramps behave and report identically.
 */
public final class RampRunner {

    /** The result of a whole ramp. */
    public record Outcome(List<StepResult> steps, StopReason reason, String detail) {
    }

    private final LoadEngine engine;
    private final RampPlan plan;
    private final StopConditions stops;
    private final int clients;
    private final Duration timeout;
    private final RampSink sink;
    private final RampListener listener;
    private volatile LoadMeter current;
    private volatile boolean interrupted;

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
        long runStart = System.nanoTime();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "unibench-sampler");
            t.setDaemon(true);
            return t;
        });
        try {
            engine.prepare();
            for (int i = 0; i < rates.size(); i++) {
                int step = i + 1;
                double rate = rates.get(i);
                StepRun run = runStep(step, rates.size(), rate, runStart, sampler);
                StepResult result = run.result;
                done.add(result);
                listener.stepFinished(result);
                if (result.saturated()) {
                    listener.warning(String.format(Locale.ROOT,
                            "step %d: the generator could not keep %s/s (sent %s/s, median send lag %.1f ms);"
                                    + " this step measures the client, not the server",
                            step, Units.formatRate(rate), Units.formatRate(result.achievedSendRate()),
                            result.totals().lag().getValueAtPercentile(50) / 1e6));
                }
                StopReason reason;
                String detail;
                if (interrupted) {
                    reason = StopReason.INTERRUPTED;
                    detail = "interrupted during step " + step;
                } else if (run.unresponsive) {
                    reason = StopReason.UNRESPONSIVE;
                    detail = "no answer for " + Units.formatDuration(stops.unresponsiveAfter());
                } else {
                    String[] verdict = verdict(result);
                    reason = verdict == null ? null : StopReason.valueOf(verdict[0]);
                    detail = verdict == null ? null : verdict[1];
                }
                if (reason == null && i == rates.size() - 1) {
                    reason = plan.isFixed() ? StopReason.COMPLETED : StopReason.MAX_RATE;
                    detail = plan.isFixed() ? "fixed rate run completed"
                            : "reached --max-rate " + Units.formatRate(plan.maxRate());
                }
                StopReason stop = reason;
                String why = detail;
                write(() -> sink.step(result, stop, why));
                if (stop != null) {
                    listener.finished(stop, why);
                    return new Outcome(done, stop, why);
                }
                if (!plan.cooldown().isZero()) {
                    Thread.sleep(plan.cooldown().toMillis());
                }
            }
            throw new IllegalStateException("unreachable: the last step always stops the ramp");
        } finally {
            sampler.shutdownNow();
        }
    }

    /** Null when the ramp may go on; else {reason enum name, detail}. */
    private String[] verdict(StepResult r) {
        if (r.totals().sent() > 0 && r.totals().completed() == 0) {
            return new String[] {"UNRESPONSIVE", "no answer to any of " + r.totals().sent() + " exchanges"};
        }
        if (r.saturated()) {
            return new String[] {"GENERATOR_SATURATED", String.format(Locale.ROOT,
                    "generator sent %.0f/s of %.0f/s offered", r.achievedSendRate(), r.offeredRate())};
        }
        if (r.failurePct() > stops.maxFailurePct()) {
            return new String[] {"LOSS", String.format(Locale.ROOT, "%.3f %% lost, failed or unsuccessful > %.3f %%",
                    r.failurePct(), stops.maxFailurePct())};
        }
        long p99 = r.totals().latency().getTotalCount() == 0 ? 0 : r.totals().latency().getValueAtPercentile(99);
        if (p99 > stops.maxP99().toNanos()) {
            return new String[] {"LATENCY", String.format(Locale.ROOT, "p99 %.3f ms > %s", p99 / 1e6,
                    Units.formatDuration(stops.maxP99()))};
        }
        if (r.completedRate() < stops.minCompletedPct() / 100.0 * r.offeredRate()) {
            return new String[] {"THROUGHPUT", String.format(Locale.ROOT,
                    "completed %.0f/s < %.1f %% of %.0f/s offered", r.completedRate(), stops.minCompletedPct(),
                    r.offeredRate())};
        }
        return null;
    }

    private static final class StepRun {
        StepResult result;
        boolean unresponsive;
    }

    private StepRun runStep(int step, int steps, double rate, long runStart, ScheduledExecutorService sampler)
            throws InterruptedException {
        long warmup = plan.warmup().toNanos();
        long measure = plan.stepDuration().toNanos();
        // a little lead time so every sender thread is ready before the first due time
        long start = System.nanoTime() + 20_000_000L;
        StepSchedule schedule = new StepSchedule(step, rate, clients, start, warmup, measure, timeout.toNanos());
        LoadMeter meter = new LoadMeter(engine.protocol(), schedule.measureStartNanos());
        current = meter;
        if (interrupted) {
            meter.requestStop();
        }
        listener.stepStarted(step, steps, rate, warmup, measure);
        StepRun run = new StepRun();
        Object lock = new Object();
        IntervalSample[] total = {IntervalSample.empty(engine.protocol())};
        long unresponsiveNanos = stops.unresponsiveAfter().toNanos();
        RuntimeException[] tickFailure = new RuntimeException[1];
        Runnable sampleSecond = () -> {
            synchronized (lock) {
                IntervalSample s = meter.sample();
                total[0] = total[0].plus(s);
                long now = System.nanoTime();
                int runSecond = (int) Math.max(0, (now - runStart) / 1_000_000_000L);
                write(() -> sink.second(runSecond, step, rate, s));
                listener.second(step, rate, s, Math.max(0, schedule.endNanos() - now));
                long quietSince = Math.max(meter.lastAnswerNanos(), start);
                if (now - quietSince >= unresponsiveNanos && !meter.stopRequested()) {
                    run.unresponsive = true;
                    meter.requestStop();
                }
            }
        };
        // a scheduled task that throws is silently never run again: keep the failure and end the step instead
        Runnable tick = () -> {
            try {
                sampleSecond.run();
            } catch (RuntimeException e) {
                synchronized (lock) {
                    if (tickFailure[0] == null) {
                        tickFailure[0] = e;
                    }
                }
                meter.requestStop();
                throw e;
            }
        };
        var future = sampler.scheduleAtFixedRate(tick, 1000, 1000, TimeUnit.MILLISECONDS);
        try {
            engine.runStep(schedule, meter);
        } finally {
            future.cancel(false);
        }
        synchronized (lock) {
            if (tickFailure[0] != null) {
                throw tickFailure[0];
            }
        }
        synchronized (lock) {
            // the last, partial second (and the drain after the schedule) belongs in the time series too
            IntervalSample last = meter.sample();
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
        run.result = StepResult.of(step, rate, clients, Math.max(1, measured), total[0], engine.protocol());
        return run;
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
