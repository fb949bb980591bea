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

    /**
     * One step of a ramp: its offered rate and its seconds.
     *
     * @param generatorSaturated the step measured the load generator, not only the server (steps.csv said so):
     *                           it neither holds nor breaks the server
     */
    public record Step(double offered, List<Second> seconds, boolean generatorSaturated) {
    }

    /** When a ramp step counts as held: the run's own stop conditions. */
    public record Criteria(double maxFailurePct, double maxP99Us) {
    }

    /**
     * The break point of a ramp: in order of offered rate (a ramp with {@code --max-rate auto} refines
     * between its last good and first bad step, so its steps are not in rate order), the rate of the last
     * step held before the first step that was not (lost + failed above the run's --max-loss, or the
     * step's p99 above its --max-p99), 0 when the lowest step already failed. Steps that measured the
     * generator are left out. A step's p99 is taken as the largest of its per-second p99s: the step's own p99
     * can be no larger (if no second has more than 1 % of its answers above X, neither has the step), and a
     * median of seconds would hide a queue building up within the step (a step whose p99 was 1.37 s had a
     * median per-second p99 of 0.56 s). Resampling draws each step's seconds with replacement (a block
     * bootstrap: latencies within a second are not independent, seconds nearly are).
     */
    public static Estimate breakPoint(List<Step> steps, Criteria criteria) {
        List<Step> s = byRate(steps);
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

    /**
     * Whether the data show the server breaking: some step the generator kept up with failed. When not,
     * {@link #breakPoint} is only a lower bound (the ramp stopped at its --max-rate, or because the
     * generator could not keep up, before the server broke).
     */
    public static boolean breakPointReached(List<Step> steps, Criteria criteria) {
        List<Step> s = byRate(steps);
        double held = breakPoint(s, criteria, null);
        return s.stream().anyMatch(x -> x.offered() > held && !x.seconds().isEmpty());
    }

    private static List<Step> byRate(List<Step> steps) {
        return steps.stream().filter(x -> !x.generatorSaturated())
                .sorted(java.util.Comparator.comparingDouble(Step::offered)).toList();
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
            double stepP99 = Double.NaN;
            for (int i = 0; i < secs.size(); i++) {
                Second x = random == null ? secs.get(i) : secs.get(random.nextInt(secs.size()));
                sent += x.sent();
                failed += x.failed();
                if (!Double.isNaN(x.p99Us()) && !(x.p99Us() <= stepP99)) {
                    stepP99 = x.p99Us();
                }
            }
            double failedPct = sent == 0 ? 100 : 100.0 * failed / sent;
            if (Double.isNaN(stepP99)) {
                stepP99 = Double.POSITIVE_INFINITY; // nothing answered
            }
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
