package io.unibench.load;

/**
 * An open-loop load generator for one protocol against one target. The ramp calls {@link #runStep}
 * once per step; the engine sends on the schedule whatever the server does, records every exchange in
 * the meter through one {@link LoadMeter.Worker} per sending thread, and returns once the schedule
 * has ended and every outstanding exchange has been answered or has timed out.
 */
public interface LoadEngine extends AutoCloseable {

    LoadProtocol protocol();

    /** Short description for the terminal and run.json, e.g. "udp, 100 sockets, 2 threads". */
    String describe();

    /**
     * Called once before the first step, outside any measurement: set-up whose cost is not the server's
     * answer time (opening connections). Default: nothing.
     */
    default void prepare() throws InterruptedException {
    }

    void runStep(StepSchedule schedule, LoadMeter meter) throws InterruptedException;

    /** The server this engine loads, so its CPU time is not counted as host noise; null if unknown. */
    default java.net.InetSocketAddress targetAddress() {
        return null;
    }

    /**
     * The processes this engine runs on this host right now (an external generator: dnsperf), so their CPU
     * time counts as the benchmark's, not as host noise. Default: none (the engine is this JVM).
     */
    default java.util.Set<Long> processes() {
        return java.util.Set.of();
    }

    @Override
    void close();
}
