package io.unibench.results;

import java.util.Arrays;
import java.util.Collection;

/**
 * Summary of boot times in milliseconds: exact order statistics over all values (the counts are small,
 * no histogram needed). Percentiles interpolate linearly between the two nearest ranks (the common
 * "type 7" definition: p50 of an even count is the mean of the middle two); stddev is the sample
 * standard deviation (0 for one value). All fields are NaN when there are no values.
 */
public record BootStats(int count, double min, double p10, double p50, double mean, double p90, double p99,
                        double max, double stddev) {

    public static BootStats of(Collection<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return of(v);
    }

    static BootStats of(double[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return new BootStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN);
        }
        double mean = Arrays.stream(sorted).sum() / n;
        double ss = 0;
        for (double x : sorted) {
            ss += (x - mean) * (x - mean);
        }
        double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
        return new BootStats(n, sorted[0], percentile(sorted, 10), percentile(sorted, 50), mean,
                percentile(sorted, 90), percentile(sorted, 99), sorted[n - 1], sd);
    }

    /** Linear interpolation between closest ranks of an ascending array. */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 1) {
            return sorted[0];
        }
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
