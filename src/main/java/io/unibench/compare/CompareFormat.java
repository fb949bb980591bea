package io.unibench.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.unibench.Units;
import io.unibench.results.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The ways a {@link Comparison} is written: a text table, one JSON document, a Markdown table. */
public enum CompareFormat {
    text {
        @Override
        public String format(Comparison c) {
            List<String[]> cells = new ArrayList<>();
            cells.add(HEADER);
            for (Comparison.Row r : c.rows()) {
                cells.add(cells(r));
            }
            int[] w = new int[HEADER.length];
            for (String[] row : cells) {
                for (int i = 0; i < row.length; i++) {
                    w[i] = Math.max(w[i], row[i].length());
                }
            }
            StringBuilder b = new StringBuilder();
            for (String[] row : cells) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    line.append(i == row.length - 1 ? row[i] : String.format(Locale.ROOT, "%-" + w[i] + "s  ", row[i]));
                }
                b.append(line.toString().stripTrailing()).append('\n');
            }
            footer(c, b);
            return b.toString();
        }
    },
    markdown {
        @Override
        public String format(Comparison c) {
            StringBuilder b = new StringBuilder();
            b.append("| ").append(String.join(" | ", HEADER)).append(" |\n");
            b.append("|---|---:|---:|---:|---|---|\n");
            for (Comparison.Row r : c.rows()) {
                b.append("| ").append(String.join(" | ", java.util.Arrays.stream(cells(r)).map(x -> x.replace("|", "\\|"))
                        .toList())).append(" |\n");
            }
            b.append('\n');
            footer(c, b);
            return b.toString();
        }
    },
    json {
        @Override
        public String format(Comparison c) {
            ObjectNode root = JSON.createObjectNode();
            root.put(Schema.KEY, Schema.VERSION);
            root.put("kind", "compare");
            root.put("baseline", c.baseline().toString());
            root.put("candidate", c.candidate().toString());
            root.put("seed", c.seed());
            root.put("resamples", c.resamples());
            root.put("confidence", c.confidence());
            root.put("threshold_pct", c.thresholdPct());
            root.put("regressed", c.regressed());
            ArrayNode rows = root.putArray("figures");
            for (Comparison.Row r : c.rows()) {
                ObjectNode n = rows.addObject();
                n.put("key", r.key());
                n.put("figure", r.figure());
                n.put("metric", r.metric());
                n.put("unit", r.unit());
                n.put("higher_is_better", r.higherIsBetter());
                number(n, "baseline", r.baseline());
                number(n, "candidate", r.candidate());
                n.put("baseline_samples", r.baselineSamples());
                n.put("candidate_samples", r.candidateSamples());
                number(n, "ratio", r.ratio());
                number(n, "ci_low", r.low());
                number(n, "ci_high", r.high());
                n.put("verdict", r.verdict().name());
                n.put("regression", r.regression());
            }
            root.putPOJO("only_in_baseline", c.onlyInBaseline());
            root.putPOJO("only_in_candidate", c.onlyInCandidate());
            try {
                return JSON.writeValueAsString(root) + "\n";
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String[] HEADER = {"FIGURE", "BASELINE", "CANDIDATE", "CHANGE", "95% CI", "VERDICT"};

    /** The whole document for this comparison. */
    public abstract String format(Comparison c);

    private static String[] cells(Comparison.Row r) {
        String ci = r.exact() ? "exact" : r.verdict() == Comparison.Verdict.too_few ? "n/a"
                : pct(r.low()) + " .. " + pct(r.high());
        return new String[] {r.figure(), value(r.baseline(), r.unit()), value(r.candidate(), r.unit()),
            pct(r.ratio()), ci, r.verdict().text() + (r.regression() ? " (REGRESSION)" : "")};
    }

    private static void footer(Comparison c, StringBuilder b) {
        b.append(String.format(Locale.ROOT, "%d figures compared; %.0f %% intervals from %d bootstrap resamples,"
                + " seed %d; threshold %s %%%n", c.rows().size(), c.confidence() * 100, c.resamples(), c.seed(),
                trim(c.thresholdPct())));
        if (!c.onlyInBaseline().isEmpty()) {
            b.append("only in the baseline: ").append(String.join("; ", c.onlyInBaseline())).append('\n');
        }
        if (!c.onlyInCandidate().isEmpty()) {
            b.append("only in the candidate: ").append(String.join("; ", c.onlyInCandidate())).append('\n');
        }
        for (Comparison.Row r : c.regressions()) {
            b.append("REGRESSION: ").append(r.figure()).append(' ').append(pct(r.ratio()))
                    .append(" (whole interval beyond ").append(trim(c.thresholdPct())).append(" %)\n");
        }
    }

    /** A ratio as a signed change: 1.263 -> +26.3 %. */
    static String pct(double ratio) {
        if (Double.isInfinite(ratio)) {
            return "+inf";
        }
        double p = (ratio - 1) * 100;
        return String.format(Locale.ROOT, "%+.1f %%", Math.abs(p) < 0.05 ? 0.0 : p);
    }

    /** A ratio as people read it: 4.81, 12.3. */
    public static String times(double r) {
        return Headline.times(r);
    }

    /** A value in its unit, as people read it. */
    public static String value(double v, String unit) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return switch (unit) {
            case "ms" -> String.format(Locale.ROOT, "%.1f ms", v);
            case "us" -> v >= 1000 ? String.format(Locale.ROOT, "%.2f ms", v / 1000)
                    : String.format(Locale.ROOT, "%.0f us", v);
            case "qps", "rps" -> Units.formatRate(v) + " " + unit;
            case "bytes" -> v >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", v / (1 << 20))
                    : String.format(Locale.ROOT, "%.1f KiB", v / 1024);
            default -> trim(v) + " " + unit;
        };
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static void number(ObjectNode n, String key, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }
}
