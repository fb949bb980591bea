package io.unibench.compare;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code unibench compare} found: per figure both values, the ratio candidate / baseline with its
 * bootstrap interval, and the verdict. Knows no output format ({@link CompareFormat} does).
 */
public record Comparison(Path baseline, Path candidate, long seed, int resamples, double confidence,
                         double thresholdPct, List<Row> rows, List<String> onlyInBaseline,
                         List<String> onlyInCandidate) {

    /** better / worse: the whole interval is on one side of 1; otherwise no significant difference. */
    public enum Verdict {
        better("better"), worse("worse"), same("no significant difference"),
        too_few("too few samples");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * One compared figure. {@code ratio}, {@code low}, {@code high}: candidate / baseline and its
     * interval. {@code regression}: worse, and worse by more than the threshold over the whole interval.
     * {@code exact}: both values have no sampling error (image sizes), so the interval is the ratio itself.
     */
    public record Row(String key, String figure, String metric, String unit, boolean higherIsBetter,
                      double baseline, double candidate, int baselineSamples, int candidateSamples,
                      double ratio, double low, double high, Verdict verdict, boolean regression, boolean exact) {

        /** Relative change in percent (candidate against baseline). */
        public double changePct() {
            return (ratio - 1) * 100;
        }
    }

    public boolean regressed() {
        return rows.stream().anyMatch(Row::regression);
    }

    public List<Row> regressions() {
        return rows.stream().filter(Row::regression).toList();
    }
}
