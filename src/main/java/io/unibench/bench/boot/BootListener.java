package io.unibench.bench.boot;

import io.unibench.results.BootCsv;
import io.unibench.results.BootEvent;
import io.unibench.results.BootStats;
import io.unibench.results.StopReason;

/** Live events of a boot run, for the terminal. Results go to {@link BootCsv}; the two never mix. */
public interface BootListener {

    /**
     * Where the run is.
     *
     * @param backend   backend being measured
     * @param stage     e.g. {@code period 3/14} or {@code cold}
     * @param running   instances of the run alive now
     * @param events    boots recorded so far on this backend
     * @param lastMs    last boot time (null if none or it failed)
     * @param medianMs  median boot time of the current period (or of all cold boots)
     * @param nanosLeft estimated time left for the whole run
     */
    record Progress(String backend, String stage, int running, int events, Double lastMs, Double medianMs,
                    long nanosLeft) {
    }

    /** Something is happening that takes a while (launching instances, removing them). */
    default void activity(String backend, String what) {
    }

    default void event(BootEvent event, Progress progress) {
    }

    /** A group (one kind, backend and instance count) is complete; its row is in boot-summary.csv. */
    default void summary(String kind, String backend, int runningInstances, BootStats readyBoots, int failures) {
    }

    default void warning(String message) {
    }

    default void finished(StopReason reason, String detail) {
    }
}
