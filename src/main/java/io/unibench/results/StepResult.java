package io.unibench.results;

import io.unibench.load.IntervalSample;
import io.unibench.load.LoadProtocol;

/**
 * The measurement of one ramp step: the offered rate, what was sent and answered within the measured
 * window, and the latency histograms (nanoseconds). Rates are per second of measured window.
 *
 * @param step           1-based step number
 * @param offeredRate    scheduled exchanges per second
 * @param measuredNanos  length of the measured window (shorter than planned when the step was cut)
 * @param totals         counts and histograms of the whole step
 * @param saturated      true when the generator did not keep its schedule
 */
public record StepResult(int step, double offeredRate, int clients, long measuredNanos, IntervalSample totals,
                         boolean saturated, LoadProtocol protocol) {

    /** The generator counts as saturated below this share of the offered send rate. */
    public static final double MIN_SEND_RATIO = 0.99;
    /** ... or when its median send lag exceeds this. */
    public static final long MAX_MEDIAN_LAG_NANOS = 10_000_000L;

    public static StepResult of(int step, double offeredRate, int clients, long measuredNanos,
                                IntervalSample totals, LoadProtocol protocol) {
        double seconds = measuredNanos / 1e9;
        double achieved = seconds > 0 ? totals.sent() / seconds : 0;
        boolean saturated = achieved < MIN_SEND_RATIO * offeredRate
                || (totals.lag().getTotalCount() > 0
                && totals.lag().getValueAtPercentile(50) > MAX_MEDIAN_LAG_NANOS);
        return new StepResult(step, offeredRate, clients, measuredNanos, totals, saturated, protocol);
    }

    public double seconds() {
        return measuredNanos / 1e9;
    }

    public double achievedSendRate() {
        return seconds() > 0 ? totals.sent() / seconds() : 0;
    }

    public double completedRate() {
        return seconds() > 0 ? totals.completed() / seconds() : 0;
    }

    /** Answers that count as correct (e.g. NOERROR and NXDOMAIN, or HTTP 2xx/3xx) per second. */
    public long successes() {
        long n = 0;
        for (int i : protocol.successes()) {
            n += totals.outcomes()[i];
        }
        return n;
    }

    public double lossPct() {
        return totals.sent() == 0 ? 0 : 100.0 * totals.lost() / totals.sent();
    }

    public double errorPct() {
        return totals.sent() == 0 ? 0 : 100.0 * totals.errorsTotal() / totals.sent();
    }

    /** Answers that are not successes (e.g. SERVFAIL, or HTTP 4xx/5xx), in percent of sent. */
    public double unsuccessfulPct() {
        return totals.sent() == 0 ? 0 : 100.0 * (totals.completed() - successes()) / totals.sent();
    }

    /**
     * Lost plus errors plus answers that are not successes ({@link LoadProtocol#successes()}), in percent of
     * sent; what the loss stop condition looks at. A server that answers 503 under load is failing even
     * though it answers.
     */
    public double failurePct() {
        return lossPct() + errorPct() + unsuccessfulPct();
    }
}
