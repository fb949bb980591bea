package io.unibench.compare;

import java.util.SplittableRandom;

/**
 * A figure of one run that can be computed from its data and recomputed from a bootstrap resample of
 * that data (the per-event or per-second rows the run kept). Implementations hold the data; they never
 * read files.
 */
public interface Estimate {
    /** The figure on the data as measured. */
    double value();

    /** The figure on one resample (with replacement, same size) of the data. */
    double resample(SplittableRandom random);

    /** How many independent rows (events, seconds, instances) the figure rests on. */
    int samples();

    /** True when the figure has no sampling error (an image size): any difference is a real one. */
    default boolean exact() {
        return false;
    }
}
