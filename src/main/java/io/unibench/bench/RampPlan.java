package io.unibench.bench;

import io.unibench.UsageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The stepped rate schedule of an open-loop benchmark: rates {@code start, start+step, ...} up to
 * {@code maxRate}, each held for {@code stepDuration} after a {@code warmup} that is sent but not
 * recorded, with a {@code cooldown} pause between steps. A fixed run is a plan with one step.
 *
 * <p>Before step 1 the generator itself warms up for at most {@code generatorWarmup} (zero: not at all), at
 * the first step's rate and recorded nowhere, until this JVM's JIT compiler is quiet (see
 * {@link RampRunner}). The per-step {@code warmup} is for the server and the path; it is too short for a
 * fresh JVM, which compiles its send and receive loops in the first seconds of load on the very core the
 * sender runs on. The constructors and factories below plan no generator warm-up;
 * {@link #withGeneratorWarmup(Duration)} adds one.
 */
public record RampPlan(double startRate, double step, double maxRate, Duration stepDuration, Duration warmup,
                       Duration cooldown, boolean autoMax, Duration generatorWarmup) {

    /** Upper bound on the number of steps, so every ramp ends by itself even without a stop condition. */
    public static final int MAX_STEPS = 10_000;

    /**
     * The longest generator warm-up of {@code bench dns|http} and the study unless told otherwise: a fresh JVM's
     * compiler had settled after 2-4 s of load on one core (it usually ends there, well before this).
     */
    public static final Duration DEFAULT_GENERATOR_WARMUP = Duration.ofSeconds(10);

    /** A ramp up to {@code maxRate}. */
    public RampPlan(double startRate, double step, double maxRate, Duration stepDuration, Duration warmup,
                    Duration cooldown) {
        this(startRate, step, maxRate, stepDuration, warmup, cooldown, false);
    }

    private RampPlan(double startRate, double step, double maxRate, Duration stepDuration, Duration warmup,
                     Duration cooldown, boolean autoMax) {
        this(startRate, step, maxRate, stepDuration, warmup, cooldown, autoMax, Duration.ZERO);
    }

    /**
     * {@code --max-rate auto}: steps on until a stop condition fires (at most {@link #MAX_STEPS}), then the
     * runner bisects between the last good and the first failing step.
     */
    public static RampPlan auto(double startRate, double step, Duration stepDuration, Duration warmup,
                                Duration cooldown) {
        return new RampPlan(startRate, step, startRate + (MAX_STEPS - 2) * step, stepDuration, warmup, cooldown,
                true);
    }

    public RampPlan {
        if (!(startRate > 0)) {
            throw new UsageException("the start rate must be positive (got " + startRate + ")");
        }
        if (!(maxRate > 0)) {
            throw new UsageException("--max-rate must be positive (got " + maxRate + ")");
        }
        if (maxRate < startRate) {
            throw new UsageException("--max-rate (" + maxRate + ") is below --start-rate (" + startRate + ")");
        }
        if (step < 0 || (step == 0 && maxRate > startRate)) {
            throw new UsageException("--step must be positive (got " + step + ")");
        }
        if (stepDuration.isZero() || stepDuration.isNegative()) {
            throw new UsageException("the step duration must be positive (got " + stepDuration + ")");
        }
        if (warmup.isNegative() || cooldown.isNegative()) {
            throw new UsageException("--warmup and --cooldown must not be negative");
        }
        if (generatorWarmup.isNegative()) {
            throw new UsageException("--generator-warmup must not be negative");
        }
        if (step > 0 && (maxRate - startRate) / step + 1 > MAX_STEPS) {
            throw new UsageException("the ramp has more than " + MAX_STEPS + " steps; raise --step or lower --max-rate");
        }
    }

    /** One fixed step at {@code rate} for {@code duration}. */
    public static RampPlan fixed(double rate, Duration duration, Duration warmup) {
        return new RampPlan(rate, 0, rate, duration, warmup, Duration.ZERO);
    }

    /** This plan with the generator warming up for at most {@code limit} before step 1 (zero: not at all). */
    public RampPlan withGeneratorWarmup(Duration limit) {
        return new RampPlan(startRate, step, maxRate, stepDuration, warmup, cooldown, autoMax, limit);
    }

    /**
     * The longest this plan can run: the generator's warm-up, every step, warm-up and cool-down (stop
     * conditions usually end it before).
     */
    public Duration longest() {
        int steps = rates().size();
        return generatorWarmup.plus(stepDuration.plus(warmup).multipliedBy(steps))
                .plus(cooldown.multipliedBy(Math.max(0, steps - 1)));
    }

    public boolean isFixed() {
        return step == 0;
    }

    public List<Double> rates() {
        List<Double> rates = new ArrayList<>();
        if (isFixed()) {
            rates.add(startRate);
            return rates;
        }
        for (int i = 0; ; i++) {
            double r = startRate + i * step;
            if (r > maxRate + 1e-9) {
                break;
            }
            rates.add(r);
        }
        return rates;
    }

    /** Every value that shapes a ramp run (this plan, the per-exchange timeout, the stops), for run.json. */
    public java.util.Map<String, Object> describe(Duration timeout, StopConditions stops) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("mode", isFixed() ? "fixed" : "ramp");
        m.put("start_rate", startRate);
        m.put("step", step);
        m.put("max_rate", autoMax ? "auto" : maxRate);
        m.put("step_duration_s", stepDuration.toNanos() / 1e9);
        m.put("warmup_s", warmup.toNanos() / 1e9);
        m.put("cooldown_s", cooldown.toNanos() / 1e9);
        m.put("generator_warmup_s", generatorWarmup.toNanos() / 1e9);
        m.put("timeout_s", timeout.toNanos() / 1e9);
        m.put("stop_max_loss_pct", stops.maxFailurePct());
        m.put("stop_max_p99_s", stops.maxP99().toNanos() / 1e9);
        m.put("stop_min_completed_pct", stops.minCompletedPct());
        m.put("stop_unresponsive_s", stops.unresponsiveAfter().toNanos() / 1e9);
        m.put("saturated_send_lag_p99_s", stops.maxSendLagP99().toNanos() / 1e9);
        return m;
    }
}
