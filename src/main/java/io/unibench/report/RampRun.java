package io.unibench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.load.HostNoise;
import io.unibench.results.BreakPoint;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * A DNS or HTTP ramp read back from {@code steps.csv}.
 *
 * @param info      the run folder and its run.json
 * @param protocol  {@code dns} or {@code http}
 * @param rateUnit  {@code qps} or {@code rps}, from the column names
 * @param steps     the steps in file order
 * @param breakPoint where the server broke, by the one rule ({@link BreakPoint}: rate order, the run's
 *                   criteria, per-second p99s from seconds.csv)
 */
public record RampRun(RunInfo info, String protocol, String rateUnit, List<Step> steps, BreakPoint.Result breakPoint) {

    /**
     * One row of steps.csv. Latencies in microseconds as in the file; NaN where the file has no value
     * (no answer in that step). {@code cpuUsPerQuery}: the server's CPU per completed exchange, NaN when
     * the run did not know its instance. {@code split}: where the lost queries were lost, null when the
     * server could not be asked. {@code hostNoiseMaxPct}: the highest share of host CPU used outside the
     * benchmark in a second of the step, NaN when not measured.
     */
    public record Step(int step, double offered, double achievedSend, double completed, double lossPct,
                       double errorPct, long sent, long lost, long errors, double p50Us, double p90Us,
                       double p99Us, double p999Us, double maxUs, boolean saturated, String stopReason,
                       String stopDetail, double cpuUsPerQuery, LossSplit split, double hostNoiseMaxPct) {

        /** Nothing lost, no error. */
        public boolean clean() {
            return lossPct == 0 && errorPct == 0 && !(lost > 0) && !(errors > 0);
        }

        /** Processes outside the benchmark used more than {@value HostNoise#THRESHOLD_PCT} % of the host. */
        public boolean noisy() {
            return hostNoiseMaxPct > HostNoise.THRESHOLD_PCT;
        }
    }

    /**
     * Lost queries by where they were lost (steps.csv {@code loss_client}, {@code loss_path},
     * {@code loss_server}; see {@link io.unibench.load.ServerCounts#split}).
     */
    public record LossSplit(long client, long path, long server) {
    }

    /**
     * The capacity the ramp found: the highest answered rate of the steps held below its break point
     * ({@link BreakPoint.Result#capacity}); NaN when no step held. One definition for the report's
     * forwarder-cost table, {@code network-comparison.csv} and summary.json's break point.
     */
    public double capacity() {
        return breakPoint == null ? Double.NaN : breakPoint.capacity();
    }

    /**
     * The first step that broke the run's loss limit (run.json {@code parameters.stop_max_loss_pct}: lost
     * plus failed above it), or without a recorded limit the first that lost or failed anything; empty when
     * none did.
     */
    public OptionalInt firstFailingStep() {
        JsonNode p = info.path(io.unibench.results.RunMetadata.PARAMETERS);
        JsonNode limit = p.has("stop_max_loss_pct") ? p.path("stop_max_loss_pct") : p.path("max_loss_pct");
        return IntStream.range(0, steps.size()).filter(i -> {
            Step s = steps.get(i);
            return limit.isNumber() ? s.lossPct() + s.errorPct() > limit.asDouble() : !s.clean();
        }).findFirst();
    }

    /** The steps marked noisy (see {@link Step#noisy}). */
    public List<Step> noisySteps() {
        return steps.stream().filter(Step::noisy).toList();
    }

    /**
     * The index of the step with the highest offered rate that lost nothing, had no error and was really
     * offered (the generator kept its schedule).
     */
    public OptionalInt bestCleanStep() {
        return IntStream.range(0, steps.size()).filter(i -> steps.get(i).clean() && !steps.get(i).saturated())
                .reduce((a, b) -> steps.get(b).offered() >= steps.get(a).offered() ? b : a);
    }

    public boolean anySaturated() {
        return steps.stream().anyMatch(Step::saturated);
    }

    /** The stop reason of the run: run.json's, else the last step's. */
    public String stopReason() {
        String r = info.stopReason();
        if (r == null && !steps.isEmpty()) {
            r = emptyToNull(steps.get(steps.size() - 1).stopReason());
        }
        return r;
    }

    public String stopDetail() {
        String d = info.stopDetail();
        if (d == null && !steps.isEmpty()) {
            d = emptyToNull(steps.get(steps.size() - 1).stopDetail());
        }
        return d;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
