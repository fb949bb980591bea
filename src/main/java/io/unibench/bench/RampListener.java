package io.unibench.bench;

import io.unibench.load.IntervalSample;
import io.unibench.results.RampSink;
import io.unibench.results.StepResult;
import io.unibench.results.StopReason;

/**
 * Live events of a running ramp, for the terminal (progress line, warnings). Results go to a
 * {@link RampSink}; the two never mix. All methods have empty defaults.
 */
public interface RampListener {
    /** The generator's warm-up before step 1 is over (only when the plan has one). */
    default void generatorWarmedUp(GeneratorWarmup warmup) {
    }

    default void stepStarted(int step, int steps, double offeredRate, long warmupNanos, long measureNanos) {
    }

    /** About once a second during a step. */
    default void second(int step, double offeredRate, IntervalSample second, long stepNanosLeft) {
    }

    default void stepFinished(StepResult result) {
    }

    default void warning(String message) {
    }

    default void finished(StopReason reason, String detail) {
    }
}
