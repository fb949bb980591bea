package io.unibench.compare;

import io.unibench.results.BootStats;
import io.unibench.results.BreakPoint;
import java.util.ArrayList;
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
     * @param stopped            the runner stopped the ramp on this step for a server failure (steps.csv's
     *                           stop_reason): it breaks on every resample
     */
    public record Step(double offered, List<Second> seconds, boolean generatorSaturated, boolean stopped) {
        public Step(double offered, List<Second> seconds, boolean generatorSaturated) {
            this(offered, seconds, generatorSaturated, false);
        }
    }

    /**
     * The break point of a ramp by {@link BreakPoint}'s rule (rate order, generator-saturated steps left out,
     * the run's criteria, a step's p99 the largest of its per-second p99s), a step's lost + failed share taken
     * from its seconds. Resampling draws each step's seconds with replacement (a block bootstrap: latencies
     * within a second are not independent, seconds nearly are).
     */
    public static Estimate breakPoint(List<Step> steps, BreakPoint.Criteria c) {
        List<Step> s = List.copyOf(steps);
        int n = s.stream().mapToInt(x -> x.seconds().size()).sum();
        return new Estimate() {
            @Override
            public double value() {
                return rule(s, c, null).rate();
            }

            @Override
            public double resample(SplittableRandom random) {
                return rule(s, c, random).rate();
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
    public static boolean breakPointReached(List<Step> steps, BreakPoint.Criteria criteria) {
        return rule(steps, criteria, null).reached();
    }

    /** The rule on the data, or on a resample of each step's seconds when {@code random} is given. */
    static BreakPoint.Result rule(List<Step> steps, BreakPoint.Criteria c, SplittableRandom random) {
        List<BreakPoint.Step> rows = new ArrayList<>(steps.size());
        for (int k = 0; k < steps.size(); k++) {
            Step step = steps.get(k);
            List<Second> secs = step.seconds();
            long sent = 0;
            long failed = 0;
            double[] p99 = new double[secs.size()];
            for (int i = 0; i < secs.size(); i++) {
                Second x = random == null || step.generatorSaturated() ? secs.get(i)
                        : secs.get(random.nextInt(secs.size()));
                sent += x.sent();
                failed += x.failed();
                p99[i] = x.p99Us();
            }
            double failedPct = secs.isEmpty() ? Double.NaN : sent == 0 ? 100 : 100.0 * failed / sent;
            rows.add(new BreakPoint.Step(k + 1, step.offered(), failedPct, BreakPoint.stepP99(p99), Double.NaN,
                    step.generatorSaturated(), step.stopped()));
        }
        return BreakPoint.of(rows, c);
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
