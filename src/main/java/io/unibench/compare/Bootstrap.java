package io.unibench.compare;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap of the ratio of two figures (A / B): each side is resampled on its own, with
 * replacement, {@code resamples} times, and the interval is cut from the distribution of the resampled
 * ratios. Seeded: the same seed, data and figure key give the same interval, and the key mixed into the
 * seed keeps a figure's interval the same whatever other figures are computed with it.
 */
public final class Bootstrap {
    /** Default number of resamples: enough for a stable 95 % interval, fast on a few thousand events. */
    public static final int DEFAULT_RESAMPLES = 2000;
    public static final long DEFAULT_SEED = 15;

    private final long seed;
    private final int resamples;
    private final double confidence;

    /** The ratio A / B on the data and its confidence interval. */
    public record Interval(double ratio, double low, double high) {
        /** True when the whole interval lies above 1 (A larger than B). */
        public boolean above(double limit) {
            return low > limit;
        }

        /** True when the whole interval lies below the limit (A smaller than B). */
        public boolean below(double limit) {
            return high < limit;
        }
    }

    public Bootstrap(long seed, int resamples, double confidence) {
        if (resamples < 100) {
            throw new IllegalArgumentException("at least 100 resamples");
        }
        this.seed = seed;
        this.resamples = resamples;
        this.confidence = confidence;
    }

    public long seed() {
        return seed;
    }

    public int resamples() {
        return resamples;
    }

    public double confidence() {
        return confidence;
    }

    /** A / B with its interval; exact figures (no sampling error) get a zero-width interval. */
    public Interval ratio(String key, Estimate a, Estimate b) {
        double point = ratio(a.value(), b.value());
        if (a.exact() && b.exact()) {
            return new Interval(point, point, point);
        }
        SplittableRandom random = new SplittableRandom(seed ^ mix(key));
        double[] r = new double[resamples];
        for (int i = 0; i < resamples; i++) {
            r[i] = ratio(a.resample(random), b.resample(random));
        }
        Arrays.sort(r);
        double tail = (1 - confidence) / 2;
        return new Interval(point, quantile(r, tail), quantile(r, 1 - tail));
    }

    static double ratio(double a, double b) {
        if (a == b) {
            return 1; // 0 / 0 included: the same figure
        }
        return b == 0 ? Double.POSITIVE_INFINITY : a / b;
    }

    private static double quantile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        if (Double.isInfinite(sorted[lo]) || Double.isInfinite(sorted[hi])) {
            return sorted[rank - lo < 0.5 ? lo : hi];
        }
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }

    /** FNV-1a of the key, so each figure draws its own stream. */
    private static long mix(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte c : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= c;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
