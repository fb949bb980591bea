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
     * {@code plumbingMs} the network plumbing within it (lab mode; NaN in forward mode).
     */
    public record Event(String kind, String backend, String service, int runningInstances, int cycle,
                        String instance, double spawnMs, double startReturnedMs, double consoleReadyMs,
                        double answerMs, String outcome, double plumbingMs) {
        public boolean ready() {
            return "ready".equals(outcome) && !Double.isNaN(answerMs);
        }
    }

    /** Boot-time statistics of one kind, backend, service and instance count. */
    public record Summary(String kind, String backend, String service, int runningInstances, long count,
                          long failures, double minMs, double p10Ms, double p50Ms, double meanMs, double p90Ms,
                          double p99Ms, double maxMs, double stddevMs) {
    }
}
