package io.unibench.compare;

import io.unibench.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code unibench compare BASELINE CANDIDATE}: reads the figures both folders share, bootstraps the ratio
 * of each, and decides. A figure is <em>worse</em> when its whole interval lies on the bad side of 1
 * (slower, bigger, breaking earlier) and a <em>regression</em> when the whole interval lies beyond the
 * threshold on that side; {@link Comparison#regressed()} is what makes the command exit 1.
 */
public final class Compare {
    /**
     * Fewest events (boots, seconds, instances) per side for a verdict: a percentile bootstrap of a median
     * or p90 from fewer is far too narrow (it cannot see beyond the few values drawn), so below this a
     * figure is "too few samples" whatever its interval says.
     */
    public static final int MIN_SAMPLES = 10;

    /** The options of one comparison; {@code metrics} empty means every metric. */
    public record Options(Path baseline, Path candidate, Set<String> metrics, double thresholdPct, long seed,
                          int resamples, double confidence) {
    }

    private Compare() {
    }

    public static Comparison run(Options o) {
        Map<String, Figure> base = filter(Figures.read(o.baseline()), o.metrics());
        Map<String, Figure> cand = filter(Figures.read(o.candidate()), o.metrics());
        Bootstrap bootstrap = new Bootstrap(o.seed(), o.resamples(), o.confidence());
        List<Comparison.Row> rows = new ArrayList<>();
        List<String> onlyBase = new ArrayList<>();
        for (Figure b : base.values()) {
            Figure c = cand.get(b.key());
            if (c == null) {
                onlyBase.add(b.name());
                continue;
            }
            rows.add(row(bootstrap, b, c, o.thresholdPct()));
        }
        List<String> onlyCand = cand.values().stream().filter(c -> !base.containsKey(c.key())).map(Figure::name)
                .toList();
        if (rows.isEmpty()) {
            throw new UsageException(o.baseline() + " and " + o.candidate() + " share no comparable figure"
                    + (o.metrics().isEmpty() ? "" : " among --metric " + String.join(",", o.metrics()))
                    + " (baseline has " + (base.isEmpty() ? "none" : String.join(", ", names(base))) + ")");
        }
        rows.sort(java.util.Comparator.comparingInt((Comparison.Row r) -> Figures.METRICS.indexOf(r.metric())));
        return new Comparison(o.baseline(), o.candidate(), o.seed(), o.resamples(), o.confidence(), o.thresholdPct(),
                rows, onlyBase, onlyCand);
    }

    static Comparison.Row row(Bootstrap bootstrap, Figure b, Figure c, double thresholdPct) {
        Estimate eb = b.estimate();
        Estimate ec = c.estimate();
        Bootstrap.Interval ci = bootstrap.ratio(b.key(), ec, eb);
        Comparison.Verdict verdict;
        boolean regression = false;
        double limit = thresholdPct / 100;
        boolean exact = eb.exact() && ec.exact();
        if (!exact && (eb.samples() < MIN_SAMPLES || ec.samples() < MIN_SAMPLES)) {
            verdict = Comparison.Verdict.too_few;
        } else if (ci.above(1)) {
            verdict = b.higherIsBetter() ? Comparison.Verdict.better : Comparison.Verdict.worse;
            regression = !b.higherIsBetter() && ci.above(1 + limit);
        } else if (ci.below(1)) {
            verdict = b.higherIsBetter() ? Comparison.Verdict.worse : Comparison.Verdict.better;
            regression = b.higherIsBetter() && ci.below(1 - limit);
        } else {
            verdict = Comparison.Verdict.same;
        }
        return new Comparison.Row(b.key(), b.name(), b.metric(), b.unit(), b.higherIsBetter(), eb.value(),
                ec.value(), eb.samples(), ec.samples(), ci.ratio(), ci.low(), ci.high(), verdict, regression, exact);
    }

    private static Map<String, Figure> filter(Map<String, Figure> all, Set<String> metrics) {
        if (metrics.isEmpty()) {
            return all;
        }
        Map<String, Figure> m = new java.util.LinkedHashMap<>();
        all.forEach((k, f) -> {
            if (metrics.contains(f.metric())) {
                m.put(k, f);
            }
        });
        return m;
    }

    private static List<String> names(Map<String, Figure> figures) {
        List<String> n = figures.values().stream().map(Figure::name).toList();
        return n.size() <= 4 ? n : List.of(String.join(", ", n.subList(0, 4)), "... (" + n.size() + " in all)");
    }

    /** {@code 5%}, {@code 5}, {@code 0.5%}: a percentage from 0 to 1000; anything else is a usage error. */
    public static double parseThreshold(String text) {
        String t = text == null ? "" : text.strip();
        String num = t.endsWith("%") ? t.substring(0, t.length() - 1).strip() : t;
        try {
            double v = Double.parseDouble(num);
            if (num.matches("[0-9]+(\\.[0-9]+)?") && v <= 1000) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new UsageException("--threshold: '" + text + "' is not a percentage from 0 to 1000 (e.g. 5%)");
    }
}
