package io.unibench.results;

/**
 * One timed boot: a cold start, or a kill-and-restart during churn. Phase times are milliseconds since
 * just before the start call (System.nanoTime), null when the phase was not observed.
 *
 * @param kind             {@code cold} or {@code churn}
 * @param runningInstances instances of the run alive during this boot (this one included)
 * @param cycle            1-based: the n-th cold boot, or the n-th restart of the period
 * @param instance         id of the booted instance
 * @param plumbingMs       time spent on network plumbing within this boot (lab mode: tap creation for QEMU,
 *                         CNI ADD for containers; a duration, included in answerMs), null in forward mode
 * @param spawnMs          process spawned (QEMU) / container created (Docker); for a Docker restart of the
 *                         same container nothing is created and this is empty
 * @param startReturnedMs  the start call returned
 * @param consoleReadyMs   the service's ready line appeared on the console
 * @param answerMs         first correct application answer: the boot time
 * @param detail           why it failed (console lines are saved apart), null when ready
 */
public record BootEvent(Kind kind, String backend, String service, int runningInstances, int cycle, String instance,
                        Double plumbingMs, Double spawnMs, Double startReturnedMs, Double consoleReadyMs, Double answerMs,
                        Outcome outcome, String detail) {

    /** A boot without network plumbing (forward mode). */
    public BootEvent(Kind kind, String backend, String service, int runningInstances, int cycle, String instance,
                     Double spawnMs, Double startReturnedMs, Double consoleReadyMs, Double answerMs, Outcome outcome,
                     String detail) {
        this(kind, backend, service, runningInstances, cycle, instance, null, spawnMs, startReturnedMs,
                consoleReadyMs, answerMs, outcome, detail);
    }

    public enum Kind { cold, churn }

    /** {@code ready}: answered in time; {@code timeout}: no correct answer by --boot-timeout; {@code crashed}: died. */
    public enum Outcome { ready, timeout, crashed }

    public boolean ready() {
        return outcome == Outcome.ready;
    }

    /** Milliseconds from {@code t0} to {@code t}, or null when {@code t} is negative (not observed). */
    public static Double ms(long t0, long t) {
        return t < 0 ? null : (t - t0) / 1e6;
    }
}
