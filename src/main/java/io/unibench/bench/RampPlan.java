package io.unibench.bench;

import io.unibench.UsageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The stepped rate schedule of an open-loop benchmark: rates {@code start, start+step, ...} up to
 * {@code maxRate}, each held for {@code stepDuration} after a {@code warmup} that is sent but not
 * recorded, with a {@code cooldown} pause between steps. A fixed run is a plan with one step.
 */
public record RampPlan(double startRate, double step, double maxRate, Duration stepDuration, Duration warmup,
                       Duration cooldown, boolean autoMax) {

    /** Upper bound on the number of steps, so every ramp ends by itself even without a stop condition. */
    public static final int MAX_STEPS = 10_000;

    /** A ramp up to {@code maxRate}. */
    public RampPlan(double startRate, double step, double maxRate, Duration stepDuration, Duration warmup,
                    Duration cooldown) {
        this(startRate, step, maxRate, stepDuration, warmup, cooldown, false);
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
        if (step > 0 && (maxRate - startRate) / step + 1 > MAX_STEPS) {
            throw new UsageException("the ramp has more than " + MAX_STEPS + " steps; raise --step or lower --max-rate");
        }
    }

    /** One fixed step at {@code rate} for {@code duration}. */
    public static RampPlan fixed(double rate, Duration duration, Duration warmup) {
        return new RampPlan(rate, 0, rate, duration, warmup, Duration.ZERO);
    }

    /** The longest this plan can run: every step, warm-up and cool-down (stop conditions usually end it before). */
    public Duration longest() {
        int steps = rates().size();
        return stepDuration.plus(warmup).multipliedBy(steps).plus(cooldown.multipliedBy(Math.max(0, steps - 1)));
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

    /** Longest possible wall time of the plan, if no stop condition ends it early. */
    public Duration worstCaseDuration() {
        int n = rates().size();
        return stepDuration.plus(warmup).multipliedBy(n).plus(cooldown.multipliedBy(Math.max(0, n - 1)));
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
        m.put("timeout_s", timeout.toNanos() / 1e9);
        m.put("stop_max_loss_pct", stops.maxFailurePct());
        m.put("stop_max_p99_s", stops.maxP99().toNanos() / 1e9);
        m.put("stop_min_completed_pct", stops.minCompletedPct());
        m.put("stop_unresponsive_s", stops.unresponsiveAfter().toNanos() / 1e9);
        m.put("saturated_send_lag_p99_s", stops.maxSendLagP99().toNanos() / 1e9);
        return m;
    }
}
