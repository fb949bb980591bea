package io.unibench.bench;

import io.unibench.UsageException;
import io.unibench.results.StepResult;
import java.time.Duration;

/**
 * When a ramp stops by itself (the 2018 study's scripts never did). After each step: failures (lost
 * plus errors) above {@code maxFailurePct} percent of sent, corrected p99 latency above {@code maxP99},
 * completed rate below {@code minCompletedPct} percent of offered, or the generator falling behind its
 * schedule (send rate, or send-lag p99 above {@code maxSendLagP99}). During a step: nothing at all heard
 * from the target for {@code unresponsiveAfter}.
 */
public record StopConditions(double maxFailurePct, Duration maxP99, double minCompletedPct,
                             Duration unresponsiveAfter, Duration maxSendLagP99) {

    public static final StopConditions DEFAULTS =
            new StopConditions(1.0, Duration.ofSeconds(1), 90.0, Duration.ofSeconds(10));

    public StopConditions(double maxFailurePct, Duration maxP99, double minCompletedPct, Duration unresponsiveAfter) {
        this(maxFailurePct, maxP99, minCompletedPct, unresponsiveAfter,
                Duration.ofNanos(StepResult.MAX_P99_LAG_NANOS));
    }

    public StopConditions {
        if (maxFailurePct < 0 || maxFailurePct > 100) {
            throw new UsageException("--max-loss must be a percentage between 0 and 100 (got " + maxFailurePct + ")");
        }
        if (minCompletedPct < 0 || minCompletedPct > 100) {
            throw new UsageException("--min-completed must be a percentage between 0 and 100 (got "
                    + minCompletedPct + ")");
        }
        if (maxP99.isZero() || maxP99.isNegative()) {
            throw new UsageException("--max-p99 must be positive");
        }
        if (unresponsiveAfter.isZero() || unresponsiveAfter.isNegative()) {
            throw new UsageException("--unresponsive must be positive");
        }
        if (maxSendLagP99.isZero() || maxSendLagP99.isNegative()) {
            throw new UsageException("--max-send-lag must be positive");
        }
    }
}
