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
 * @param guest            the boot's breakdown beyond the host's phases: when the guest began and how long its
 *                         own steps took ({@link Guest#NONE} when not known)
 */
public record BootEvent(Kind kind, String backend, String service, int runningInstances, int cycle, String instance,
                        Double plumbingMs, Double spawnMs, Double startReturnedMs, Double consoleReadyMs, Double answerMs,
                        Outcome outcome, String detail, Guest guest) {

    /**
     * Where a boot's time went inside the instance. Two time bases, never mixed in one number:
     *
     * @param entryMs   host clock, milliseconds since just before the start call, when the instance's own code
     *                  began: for a unikernel its kernel entry, placed on the host clock through its ready line
     *                  (the moment the host saw that line minus the guest's entry-to-ready time); so this is
     *                  QEMU's own start (process spawn, machine set-up, firmware, kernel load). For a container
     *                  the runtime's process start (the engine's {@code State.StartedAt}, local engines only).
     * @param clockMs   guest clock (its TSC), milliseconds from its entry to CPU set-up, command line and clock
     *                  calibration done
     * @param devicesMs guest clock, entry to network devices up (includes clockMs)
     * @param readyMs   guest clock, entry to service bound, just before the ready line (includes devicesMs)
     */
    public record Guest(Double entryMs, Double clockMs, Double devicesMs, Double readyMs) {
        public static final Guest NONE = new Guest(null, null, null, null);
    }

    public BootEvent {
        guest = guest == null ? Guest.NONE : guest;
    }

    /** A boot without a guest breakdown. */
    public BootEvent(Kind kind, String backend, String service, int runningInstances, int cycle, String instance,
                     Double plumbingMs, Double spawnMs, Double startReturnedMs, Double consoleReadyMs, Double answerMs,
                     Outcome outcome, String detail) {
        this(kind, backend, service, runningInstances, cycle, instance, plumbingMs, spawnMs, startReturnedMs,
                consoleReadyMs, answerMs, outcome, detail, Guest.NONE);
    }

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
