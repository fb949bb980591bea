package io.unibench.results;

import io.unibench.load.IntervalSample;
import java.io.IOException;

/** Where a ramp's results go as they are made (CSV files); each call is persisted before it returns. */
public interface RampSink {
    /** One second of one step; {@code runSecond} counts from the start of the run. */
    void second(int runSecond, int step, double offeredRate, IntervalSample sample) throws IOException;

    /** One finished step; {@code stopReason} is non-null on the last step of the run. */
    void step(StepResult result, StopReason stopReason, String stopDetail) throws IOException;
}
