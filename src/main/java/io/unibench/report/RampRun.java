package io.unibench.report;

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
 */
public record RampRun(RunInfo info, String protocol, String rateUnit, List<Step> steps) {

    /**
     * One row of steps.csv. Latencies in microseconds as in the file; NaN where the file has no value
     * (no answer in that step). {@code cpuUsPerQuery}: the server's CPU per completed exchange, NaN when
     * the run did not know its instance.
     */
    public record Step(int step, double offered, double achievedSend, double completed, double lossPct,
                       double errorPct, long sent, long lost, long errors, double p50Us, double p90Us,
                       double p99Us, double p999Us, double maxUs, boolean saturated, String stopReason,
                       String stopDetail, double cpuUsPerQuery) {

        /** Nothing lost, no error. */
        public boolean clean() {
            return lossPct == 0 && errorPct == 0 && !(lost > 0) && !(errors > 0);
        }
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
