package io.unibench.probe;

import java.time.Duration;

/**
 * "Is the service ready?" asked one way: the first CORRECT application answer through a host endpoint
 * (a DNS reply carrying the expected record, an HTTP response with the expected status and body). A TCP
 * connect never counts: QEMU's user networking and docker-proxy accept before the guest is up.
 * <p>
 * A probe is one try at a time; {@link ReadinessWait} repeats it until ready, a deadline, or the instance
 * dies. Implementations keep whatever they need between tries (a socket, outstanding query ids) so a late
 * answer to an earlier try still counts.
 */
public interface ReadinessProbe extends AutoCloseable {

    /**
     * The outcome of one try: ready, or what came back instead (for the error message). {@code heard} is false
     * when the try only waited out its timeout in silence, so a waiter can report the last real (wrong) answer
     * rather than the silence of a short final try.
     */
    record Attempt(boolean ready, String detail, boolean heard) {
        public static Attempt ok(String detail) {
            return new Attempt(true, detail, true);
        }

        public static Attempt notYet(String detail) {
            return new Attempt(false, detail, true);
        }

        /** Nothing came back within the try's timeout. */
        public static Attempt silent(String detail) {
            return new Attempt(false, detail, false);
        }
    }

    /** One try, waiting at most {@code timeout} for the answer. Never throws for network trouble. */
    Attempt attempt(Duration timeout);

    /** Short per-try timeout to start with (it grows while nothing answers, see {@link ReadinessWait}). */
    Duration initialTimeout();

    /** Longest per-try timeout. */
    Duration maxTimeout();

    /** What is asked where, e.g. {@code DNS www.cetic.be A = 10.0.0.5 @ 127.0.0.1:20000}. */
    String describe();

    @Override
    void close();
}
