package io.unibench.study;

import io.unibench.UsageException;
import io.unibench.bench.RampPlan;
import io.unibench.bench.StopConditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How much of the study to run. {@code full} is the 2018 study's method (5-minute steps from 100 by 100
 * until a stop condition; boot periods of 20 minutes from 10 to 140 instances); {@code quick} finishes in
 * 5 to 10 minutes (its ramps run until each server breaks, so a faster server takes longer) and
 * {@code smoke} in about 1, and both still exercise every part.
 *
 * <p>The values are typed (the study calls the benchmarks with them); {@link Ramp#args()} and
 * {@link Boot#args()} give the same values as the options of {@code bench dns|http|boot}, for the equivalent
 * command line each sub-run records.
 *
 * @param dns      the DNS ramp
 * @param http     the HTTP ramp
 * @param boot     the boot benchmark (cold boots, then churn)
 * @param idle     how long each deployed instance is watched idle for the footprint
 * @param expected human estimate of the wall time, printed before starting
 */
public record StudyProfile(String name, Ramp dns, Ramp http, Boot boot, Duration idle, String expected) {

    public static final List<String> NAMES = List.of("smoke", "quick", "full");

    /**
     * The network mode when {@code --network} is not given: {@code lab} (no proxy in the path) for smoke and
     * quick, {@code both} for full (the two side by side: what the forwarder costs).
     */
    public String defaultNetwork() {
        return name.equals("full") ? "both" : "lab";
    }

    /**
     * One ramp.
     *
     * @param connections HTTP connections (or DNS clients) the rate is spread over
     */
    public record Ramp(RampPlan plan, StopConditions stops, Duration timeout, int connections) {
        /** These values as the options of {@code bench dns|http} (after --target). */
        public List<String> args(String connectionsOption) {
            List<String> a = new ArrayList<>(List.of("--start-rate", num(plan.startRate()), "--step", num(plan.step()),
                    "--max-rate", plan.autoMax() ? "auto" : num(plan.maxRate()), "--step-duration", dur(plan.stepDuration()),
                    "--warmup", dur(plan.warmup()), "--cooldown", dur(plan.cooldown()),
                    "--generator-warmup", dur(plan.generatorWarmup()), "--timeout", dur(timeout),
                    "--max-loss", num(stops.maxFailurePct()), "--max-p99", dur(stops.maxP99()),
                    "--min-completed", num(stops.minCompletedPct()), "--unresponsive", dur(stops.unresponsiveAfter())));
            a.addAll(List.of(connectionsOption, Integer.toString(connections)));
            return a;
        }
    }

    /** The boot benchmark: {@code cold} boots, then churn from {@code start} to {@code max} instances. */
    public record Boot(int cold, int start, int step, int max, Duration period, Duration interval,
                       Duration bootTimeout) {
        public List<String> args() {
            return List.of("--cold", Integer.toString(cold), "--start", Integer.toString(start), "--step",
                    Integer.toString(step), "--max", Integer.toString(max), "--period", dur(period), "--interval",
                    dur(interval), "--boot-timeout", dur(bootTimeout));
        }
    }

    /** {@code --max-rate auto}: step on to the break point, then bisect (the study's default). */
    private static final double AUTO = -1;

    private static Ramp ramp(double start, double step, double max, Duration stepDuration, Duration warmup,
                             Duration timeout, Duration unresponsive, int connections) {
        StopConditions d = StopConditions.DEFAULTS;
        RampPlan plan = (max == AUTO ? RampPlan.auto(start, step, stepDuration, warmup, Duration.ZERO)
                : new RampPlan(start, step, max, stepDuration, warmup, Duration.ZERO))
                .withGeneratorWarmup(RampPlan.DEFAULT_GENERATOR_WARMUP);
        return new Ramp(plan,
                new StopConditions(d.maxFailurePct(), d.maxP99(), d.minCompletedPct(), unresponsive), timeout,
                connections);
    }

    public static StudyProfile of(String name) {
        Duration s = Duration.ofSeconds(1);
        return switch (name) {
            case "smoke" -> new StudyProfile("smoke",
                    ramp(500, 1500, 2000, s.multipliedBy(2), Duration.ofMillis(500), s, s.multipliedBy(3), 100),
                    ramp(300, 700, 1000, s.multipliedBy(2), Duration.ofMillis(500), s, s.multipliedBy(3), 20),
                    new Boot(3, 2, 2, 2, s.multipliedBy(6), s.multipliedBy(2), s.multipliedBy(10)),
                    Duration.ofSeconds(3), "about 1 minute");
            case "quick" -> new StudyProfile("quick",
                    ramp(5000, 10_000, AUTO, s.multipliedBy(5), s, s.multipliedBy(2), s.multipliedBy(5), 100),
                    ramp(2000, 6000, AUTO, s.multipliedBy(5), s, s.multipliedBy(2), s.multipliedBy(5), 100),
                    new Boot(10, 5, 5, 10, s.multipliedBy(20), s.multipliedBy(2), s.multipliedBy(10)),
                    Duration.ofSeconds(5), "5 to 10 minutes (each ramp runs until its server breaks)");
            case "full" -> new StudyProfile("full",
                    ramp(100, 100, AUTO, Duration.ofMinutes(5), s, s.multipliedBy(5), s.multipliedBy(10), 100),
                    ramp(100, 100, AUTO, Duration.ofMinutes(5), s, s.multipliedBy(5), s.multipliedBy(10), 100),
                    new Boot(20, 10, 10, 140, Duration.ofMinutes(20), s.multipliedBy(5), s.multipliedBy(10)),
                    Duration.ofSeconds(10),
                    "boot: 14 periods x 20 min x 2 backends (about 9.5 h); DNS and HTTP: 5 min per 100/s step"
                            + " per backend until the server breaks (a server that breaks at 10k/s takes 8 h 20 min)");
            default -> throw new UsageException("unknown profile '" + name + "' (use " + NAMES + ")");
        };
    }

    /** A rate or percentage as the CLI reads it: 500, 1000000, 0.5. */
    static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** A duration as the CLI reads it: 500ms, 2s, 5m. */
    static String dur(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return String.format(Locale.ROOT, "%dms", ms);
    }
}
