package io.unibench.compare;

import io.unibench.results.BootStats;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** The estimates compare and the report use: percentiles of events, a ramp's break point, exact values. */
public final class Estimates {
    private Estimates() {
    }

    /** The {@code p}-th percentile (linear between ranks, as boot-summary.csv) of independent values. */
    public static Estimate percentile(double[] values, double p) {
        double[] v = values.clone();
        return new Estimate() {
            @Override
            public double value() {
                return of(v, p);
            }

            @Override
            public double resample(SplittableRandom random) {
                return of(draw(v, random), p);
            }

            @Override
            public int samples() {
                return v.length;
            }
        };
    }

    /** A value without sampling error (a file size). */
    public static Estimate exact(double value) {
        return new Estimate() {
            @Override
            public double value() {
                return value;
            }

            @Override
            public double resample(SplittableRandom random) {
                return value;
            }

            @Override
            public int samples() {
                return 1;
            }

            @Override
            public boolean exact() {
                return true;
            }
        };
    }

    /** One second of a ramp step as seconds.csv keeps it. */
    public record Second(long sent, long failed, double p99Us) {
    }

    /** One step of a ramp: its offered rate and its seconds. */
    public record Step(double offered, List<Second> seconds) {
    }

    /** When a ramp step counts as held: the run's own stop conditions. */
    public record Criteria(double maxFailurePct, double maxP99Us) {
    }

    /**
     * The break point of a ramp: the offered rate of the last step held before the first step that was
     * not (lost + failed above the run's --max-loss, or the step's p99 above its --max-p99), 0 when the
     * first step already failed. A step's p99 is the median of its per-second p99s. Resampling draws
     * each step's seconds with replacement (a block bootstrap: latencies within a second are not
     * independent, seconds nearly are).
     */
    public static Estimate breakPoint(List<Step> steps, Criteria criteria) {
        List<Step> s = List.copyOf(steps);
        int n = s.stream().mapToInt(x -> x.seconds().size()).sum();
        return new Estimate() {
            @Override
            public double value() {
                return breakPoint(s, criteria, null);
            }

            @Override
            public double resample(SplittableRandom random) {
                return breakPoint(s, criteria, random);
            }

            @Override
            public int samples() {
                return n;
            }
        };
    }

    /** The break point on the data, or on a resample of each step's seconds when {@code random} is given. */
    static double breakPoint(List<Step> steps, Criteria c, SplittableRandom random) {
        double held = 0;
        for (Step step : steps) {
            List<Second> secs = step.seconds();
            if (secs.isEmpty()) {
                break;
            }
            long sent = 0;
            long failed = 0;
            double[] p99 = new double[secs.size()];
            int answered = 0;
            for (int i = 0; i < secs.size(); i++) {
                Second x = random == null ? secs.get(i) : secs.get(random.nextInt(secs.size()));
                sent += x.sent();
                failed += x.failed();
                if (!Double.isNaN(x.p99Us())) {
                    p99[answered++] = x.p99Us();
                }
            }
            double failedPct = sent == 0 ? 100 : 100.0 * failed / sent;
            double stepP99 = answered == 0 ? Double.POSITIVE_INFINITY : of(Arrays.copyOf(p99, answered), 50);
            if (failedPct > c.maxFailurePct() || stepP99 > c.maxP99Us()) {
                break;
            }
            held = step.offered();
        }
        return held;
    }

    static double[] draw(double[] v, SplittableRandom random) {
        double[] r = new double[v.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = v[random.nextInt(v.length)];
        }
        return r;
    }

    static double of(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return BootStats.percentile(sorted, p);
    }
}
