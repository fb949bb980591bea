package io.unibench.report;

import java.util.List;

/**
 * A boot benchmark read back from {@code boot-events.csv} and {@code boot-summary.csv}.
 */
public record BootRun(RunInfo info, List<Event> events, List<Summary> summary, List<HostLoad> hostLoad) {

    /** One sample of the host while the instances ran (from the optional {@code host-load.csv}). */
    public record HostLoad(double tSeconds, String backend, int runningInstances, double cpuPct, double memUsedBytes) {
    }

    /**
     * One start of one instance; {@code answerMs} is the boot time (NaN when it never answered),
     * {@code plumbingMs} the network plumbing within it (lab mode; NaN in forward mode). The breakdown
     * (NaN when not known, see {@link io.unibench.results.BootEvent.Guest}): {@code guestEntryMs} on the host
     * clock since the start call, {@code guestClockMs}, {@code guestDevicesMs}, {@code guestReadyMs} on the
     * guest's clock since its entry.
     */
    public record Event(String kind, String backend, String service, int runningInstances, int cycle,
                        String instance, double spawnMs, double startReturnedMs, double consoleReadyMs,
                        double answerMs, String outcome, double plumbingMs, double guestEntryMs,
                        double guestClockMs, double guestDevicesMs, double guestReadyMs) {
        /** An event without a breakdown. */
        public Event(String kind, String backend, String service, int runningInstances, int cycle, String instance,
                     double spawnMs, double startReturnedMs, double consoleReadyMs, double answerMs, String outcome) {
            this(kind, backend, service, runningInstances, cycle, instance, spawnMs, startReturnedMs, consoleReadyMs,
                    answerMs, outcome, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }

        public boolean ready() {
            return "ready".equals(outcome) && !Double.isNaN(answerMs);
        }

        /**
         * The phases of the boot in order, each a duration in ms (NaN when not known): start call to guest entry
         * (QEMU's own start, or the runtime's until the container's process started), entry to clock calibrated,
         * clock to devices up, devices to service bound, and service bound to the first answer on the host (the
         * answer's host time minus the guest's entry and its entry-to-ready time). They add up to
         * {@code answerMs} when all are known.
         */
        public double[] phases() {
            double toReady = Double.isNaN(guestReadyMs) ? guestEntryMs : guestEntryMs + guestReadyMs;
            return new double[] {guestEntryMs, guestClockMs, guestDevicesMs - guestClockMs,
                    guestReadyMs - guestDevicesMs, answerMs - toReady};
        }
    }

    /** Boot-time statistics of one kind, backend, service and instance count. */
    public record Summary(String kind, String backend, String service, int runningInstances, long count,
                          long failures, double minMs, double p10Ms, double p50Ms, double meanMs, double p90Ms,
                          double p99Ms, double maxMs, double stddevMs) {
    }
}
