package io.unibench.results;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVRecord;

/**
 * The break-point rule, once: where a ramp's server broke, for summary.json and {@code --fail-on}
 * ({@link RunSummary}), compare's bootstrap ({@code compare/Estimates}), the report's and the study's
 * capacity ({@code report/RampRun}, {@code study/NetworkComparison}).
 * <ul>
 *   <li>Steps count in order of offered rate: an auto ramp's bisection steps come after its first failing
 *       step in the file, so file order is not rate order. A rate is held when every step at it held.</li>
 *   <li>A step flagged {@code generator_saturated} neither holds nor breaks: it measured the generator.</li>
 *   <li>A step is held when its lost + failed share of sent is within the run's {@code --max-loss}, its p99
 *       within its {@code --max-p99} (not judged on a p99 it does not have) and the runner did not stop the ramp on it for a server failure (loss,
 *       latency, throughput, failing, unresponsive). A step's p99 is the largest of its per-second p99s
 *       where seconds.csv has them ({@link #stepP99}), else the step's own.</li>
 *   <li>The break point is the offered rate of the last step held before the first that was not, 0 when
 *       the lowest already failed; it is {@linkplain Result#reached reached} only when the data show a
 *       step failing above it, else it is a lower bound (the ramp ended at its --max-rate, or on the
 *       generator, before the server broke).</li>
 *   <li>The capacity is the highest answered rate of the held steps below the break point.</li>
 * </ul>
 * Pure over its rows ({@link #of}); {@link #read} is the one reader of a run folder's rows for it.
 */
public final class BreakPoint {
    private BreakPoint() {
    }

    /** When a step counts as held: the run's own stop conditions (percent, microseconds). */
    public record Criteria(double maxFailurePct, double maxP99Us) {
        /** The CLI's defaults ({@code --max-loss 1}, {@code --max-p99 1s}), for a run that did not record its own. */
        public static final Criteria DEFAULTS = new Criteria(1, 1e6);

        /**
         * The run's criteria from run.json's {@code parameters} ({@code stop_max_loss_pct}, older runs
         * {@code max_loss_pct}; {@code stop_max_p99_s}); the defaults for what is not recorded.
         */
        public static Criteria of(JsonNode parameters) {
            JsonNode p = parameters == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                    : parameters;
            JsonNode loss = p.has("stop_max_loss_pct") ? p.path("stop_max_loss_pct") : p.path("max_loss_pct");
            JsonNode p99 = p.path("stop_max_p99_s");
            return new Criteria(loss.isNumber() ? loss.asDouble() : DEFAULTS.maxFailurePct(),
                    p99.isNumber() ? p99.asDouble() * 1e6 : DEFAULTS.maxP99Us());
        }
    }

    /**
     * One step as the rule sees it.
     *
     * @param step               its number in the run (file order)
     * @param offered            offered rate
     * @param failedPct          lost + failed as a percentage of sent (100 when nothing was sent); NaN when the
     *                           step has no data, which ends the held steps without showing a failure
     * @param p99Us              the step's p99 (see {@link #stepP99}); NaN when not known (not judged on it)
     * @param answered           completed rate, NaN when not known (for the capacity)
     * @param generatorSaturated the generator could not keep the step's schedule
     * @param stopped            the runner stopped the ramp on this step for a server failure
     */
    public record Step(int step, double offered, double failedPct, double p99Us, double answered,
                       boolean generatorSaturated, boolean stopped) {
        /** The same step with other measured figures (a resample of its seconds). */
        public Step measured(double failedPct, double p99Us) {
            return new Step(step, offered, failedPct, p99Us, answered, generatorSaturated, stopped);
        }

        boolean heldUnder(Criteria c) {
            return !stopped && failedPct <= c.maxFailurePct() && !(p99Us > c.maxP99Us());
        }
    }

    /**
     * The rule's outcome.
     *
     * @param rate     the break point (offered rate), 0 when no step held
     * @param reached  the data show a step failing above {@code rate}; when false, {@code rate} is a lower bound
     * @param capacity the highest answered rate of the held steps, NaN when none held (or none knows it)
     */
    public record Result(double rate, boolean reached, double capacity) {
    }

    /** The stop reasons by which the runner says the server failed a step. */
    private static final Set<String> SERVER_FAILURES = Set.of(StopReason.LOSS.label(), StopReason.LATENCY.label(),
            StopReason.THROUGHPUT.label(), StopReason.FAILING.label(), StopReason.UNRESPONSIVE.label());

    /** The rule over a ramp's steps, in any order. */
    public static Result of(List<Step> steps, Criteria criteria) {
        List<Step> byRate = steps.stream().filter(s -> !s.generatorSaturated())
                .sorted(Comparator.comparingDouble(Step::offered)).toList();
        double held = 0;
        double capacity = Double.NaN;
        int i = 0;
        while (i < byRate.size()) {
            double rate = byRate.get(i).offered();
            boolean failed = false;
            boolean noData = false;
            double answered = Double.NaN;
            for (; i < byRate.size() && byRate.get(i).offered() == rate; i++) {
                Step s = byRate.get(i);
                if (Double.isNaN(s.failedPct()) && !s.stopped()) {
                    noData = true;
                } else if (!s.heldUnder(criteria)) {
                    failed = true;
                } else if (!(s.answered() <= answered)) {
                    answered = s.answered();
                }
            }
            if (failed) {
                return new Result(held, true, capacity);
            }
            if (noData) {
                break;
            }
            held = rate;
            if (!Double.isNaN(answered) && !(answered <= capacity)) {
                capacity = answered;
            }
        }
        return new Result(held, false, capacity);
    }

    /**
     * A step's p99 from its per-second p99s: the largest. The step's own p99 can be no larger (if no second
     * has more than 1 % of its answers above X, neither has the step), and a median of seconds would hide a
     * queue building up within the step (a step whose p99 was 1.37 s had a median per-second p99 of 0.56 s).
     * NaN entries are seconds without a corrected latency (nothing answered, or a driver that measures only
     * service time, as dnsperf); NaN when no second has one: the step is then not judged on its p99 (a step
     * that answered nothing has lost everything).
     */
    public static double stepP99(double[] perSecondP99Us) {
        double max = Double.NaN;
        for (double v : perSecondP99Us) {
            if (!Double.isNaN(v) && !(v <= max)) {
                max = v;
            }
        }
        return max;
    }

    /** Whether a steps.csv stop reason says the server failed the step. */
    public static boolean serverFailure(String stopReason) {
        return SERVER_FAILURES.contains(stopReason);
    }

    /** A ramp's steps as read from its run folder, with the rate unit of its columns. */
    public record Ramp(String rateUnit, List<Step> steps) {
        public Result under(Criteria criteria) {
            return of(steps, criteria);
        }
    }

    /**
     * The steps of a run folder's {@code steps.csv}, each step's p99 the largest of its per-second p99s in
     * {@code seconds.csv} where that file has the step, else the step's own. Columns a hand-made or older
     * table lacks read as not known (loss as 0, no saturation, no stop reason). Null when there is no
     * steps.csv or it names no offered rate.
     */
    public static Ramp read(Path runDir) {
        Path file = runDir.resolve(RampCsvSink.STEPS_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        CsvRows csv = CsvRows.read(file, List.of());
        String offered = csv.header().stream().filter(c -> c.startsWith("offered_")).findFirst().orElse(null);
        if (offered == null) {
            return null;
        }
        String unit = offered.substring("offered_".length());
        String completed = RampCsvSink.completed(unit);
        Map<Integer, double[]> seconds = secondP99s(runDir);
        List<Step> steps = new ArrayList<>();
        List<CSVRecord> rows = csv.rows();
        for (int i = 0; i < rows.size(); i++) {
            CSVRecord r = rows.get(i);
            int n = csv.has(RampCsvSink.STEP.name()) ? (int) csv.number(r, RampCsvSink.STEP.name()) : i + 1;
            double[] perSecond = seconds.get(n);
            double p99 = perSecond != null ? stepP99(perSecond) : csv.number(r, RampCsvSink.LATENCY_P99_US.name());
            steps.add(new Step(n, csv.number(r, offered), zero(csv.number(r, RampCsvSink.LOSS_PCT.name()))
                    + zero(csv.number(r, RampCsvSink.ERROR_PCT.name())), p99, csv.number(r, completed),
                    "true".equals(csv.text(r, RampCsvSink.GENERATOR_SATURATED.name())),
                    serverFailure(csv.text(r, RampCsvSink.STOP_REASON.name()))));
        }
        return new Ramp(unit, steps);
    }

    /**
     * seconds.csv's per-second p99s by step; empty when the file is absent, has no such columns or cannot be
     * read (a run cut short mid-line): the steps then keep their own p99s.
     */
    private static Map<Integer, double[]> secondP99s(Path runDir) {
        Path file = runDir.resolve(RampCsvSink.SECONDS_FILE);
        Map<Integer, double[]> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        String step = RampCsvSink.SECOND_STEP.name();
        String p99 = RampCsvSink.SECOND_LATENCY_P99_US.name();
        Map<Integer, List<Double>> bySteps = new HashMap<>();
        try {
            CsvRows csv = CsvRows.read(file, List.of());
            if (!csv.has(step) || !csv.has(p99)) {
                return out;
            }
            for (CSVRecord r : csv.rows()) {
                double n = csv.number(r, step);
                if (!Double.isNaN(n)) {
                    bySteps.computeIfAbsent((int) n, k -> new ArrayList<>()).add(csv.number(r, p99));
                }
            }
        } catch (io.unibench.UsageException e) {
            return out; // optional data: a seconds.csv that cannot be read leaves the steps' own p99s
        }
        bySteps.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return out;
    }

    private static double zero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
