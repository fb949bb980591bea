package io.unibench.bench.boot;

import io.unibench.UsageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The whole churn plan, computed before anything starts: periods of {@code start, start+step, ..., max}
 * running instances, each {@code period} long; within a period, at every {@code interval} one instance
 * chosen at random (seeded, so a run can be repeated exactly) is killed and started again. The same
 * schedule is replayed on every backend of a run, so both see the same sequence of victims.
 */
public record ChurnSchedule(int start, int step, int max, Duration period, Duration interval, long seed,
                            List<Period> periods) {

    /** Upper bound on restarts, so a typo cannot plan a run of years. */
    public static final int MAX_RESTARTS = 1_000_000;

    /**
     * One period: {@code instances} running, {@code restarts} at fixed offsets from the period's start.
     *
     * @param index     1-based
     * @param instances instances running during the period
     */
    public record Period(int index, int instances, List<Restart> restarts) {
    }

    /**
     * One planned kill-and-restart.
     *
     * @param cycle       1-based number within its period
     * @param offsetNanos when, counted from the start of the period's churn (after its launches)
     * @param slot        which running instance (0-based, in launch order)
     */
    public record Restart(int cycle, long offsetNanos, int slot) {
    }

    public ChurnSchedule {
        periods = List.copyOf(periods);
    }

    /** Validates the numbers (one usage error line each) and draws the victims. */
    public static ChurnSchedule of(int start, int step, int max, Duration period, Duration interval, long seed) {
        if (start <= 0) {
            throw new UsageException("--start must be positive (got " + start + ")");
        }
        if (step <= 0) {
            throw new UsageException("--step must be positive (got " + step + ")");
        }
        if (max <= 0) {
            throw new UsageException("--max must be positive (got " + max + ")");
        }
        if (max < start) {
            throw new UsageException("--max (" + max + ") is below --start (" + start + ")");
        }
        if ((max - start) % step != 0) {
            throw new UsageException("--max (" + max + ") must be --start (" + start + ") plus a multiple of --step ("
                    + step + ")");
        }
        if (interval.isZero() || interval.isNegative()) {
            throw new UsageException("--interval must be positive");
        }
        if (period.isZero() || period.isNegative()) {
            throw new UsageException("--period must be positive");
        }
        if (period.compareTo(interval) < 0) {
            throw new UsageException("--period (" + period.toMillis() + " ms) is shorter than --interval ("
                    + interval.toMillis() + " ms): no restart would happen");
        }
        long perPeriod = period.toNanos() / interval.toNanos();
        long periodsCount = (max - start) / step + 1L;
        if (perPeriod * periodsCount > MAX_RESTARTS) {
            throw new UsageException("the schedule plans more than " + MAX_RESTARTS + " restarts; raise --interval");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Period> periods = new ArrayList<>();
        int index = 1;
        for (int n = start; n <= max; n += step) {
            List<Restart> restarts = new ArrayList<>();
            for (int k = 1; k <= perPeriod; k++) {
                restarts.add(new Restart(k, k * interval.toNanos(), random.nextInt(n)));
            }
            periods.add(new Period(index++, n, restarts));
        }
        return new ChurnSchedule(start, step, max, period, interval, seed, periods);
    }

    public int restartsPerPeriod() {
        return periods.get(0).restarts().size();
    }

    public int totalRestarts() {
        return periods.stream().mapToInt(p -> p.restarts().size()).sum();
    }

    /** Planned wall time of one backend's churn, launches and slow boots not counted. */
    public Duration plannedDuration() {
        return period.multipliedBy(periods.size());
    }
}
