package io.unibench.probe;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Repeats a {@link ReadinessProbe} until it gets a correct answer, the deadline passes, or the instance
 * is known to be dead. Tries follow each other at most {@link #GAP_NANOS} apart; the per-try timeout
 * starts at the probe's initial value and doubles (up to its maximum) while nothing answers, so a slow
 * guest is not flooded and a fast one is seen within about a millisecond. Timed with System.nanoTime.
 */
public final class ReadinessWait {
    /** Pause between two tries. */
    public static final long GAP_NANOS = 500_000;

    /** What the waiter asks the instance between tries. */
    public interface Watch {
        /** Null while the instance may still come up; else why it never will (exited, crashed...). */
        String failure();

        /** Called before every try (cheap work only, e.g. noting when the console printed its ready line). */
        default void poll() {
        }
    }

    /**
     * @param ready        whether a correct answer came
     * @param readyNanos   System.nanoTime when it came (0 if not)
     * @param attempts     tries made
     * @param lastAnswer   what the last try got (for errors); when it heard nothing, also the last answer heard
     * @param failure      why the instance can never become ready, when the watch said so
     */
    public record Outcome(boolean ready, long readyNanos, int attempts, String lastAnswer, String failure) {
    }

    private ReadinessWait() {
    }

    /** Waits until {@code deadlineNanos} (a System.nanoTime value); checks {@code watch} every ~10 ms. */
    public static Outcome await(ReadinessProbe probe, long deadlineNanos, Watch watch) {
        Duration timeout = probe.initialTimeout();
        int attempts = 0;
        String last = "no try made";
        String lastHeard = null;
        long nextWatch = 0;
        while (true) {
            watch.poll();
            long now = System.nanoTime();
            if (now - nextWatch >= 0) {
                String f = watch.failure();
                if (f != null) {
                    return new Outcome(false, 0, attempts, last, f);
                }
                nextWatch = now + 10_000_000;
            }
            long left = deadlineNanos - now;
            if (left <= 0) {
                return new Outcome(false, 0, attempts, last, null);
            }
            Duration t = Duration.ofNanos(Math.min(timeout.toNanos(), left));
            long before = System.nanoTime();
            ReadinessProbe.Attempt a = probe.attempt(t);
            attempts++;
            if (a.ready()) {
                return new Outcome(true, System.nanoTime(), attempts, a.detail(), null);
            }
            if (a.heard()) {
                lastHeard = a.detail();
                last = a.detail();
            } else {
                last = lastHeard == null ? a.detail() : a.detail() + "; last answer heard: " + lastHeard;
            }
            if (System.nanoTime() - before >= t.toNanos()) {
                // the whole timeout passed silently: give the next try longer
                timeout = timeout.multipliedBy(2).compareTo(probe.maxTimeout()) > 0 ? probe.maxTimeout()
                        : timeout.multipliedBy(2);
            }
            LockSupport.parkNanos(GAP_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return new Outcome(false, 0, attempts, "interrupted", "interrupted");
            }
        }
    }
}
