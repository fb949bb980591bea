package io.unibench.results;

/** Why a benchmark run ended; written to the CSV and run.json in the {@link #label()} form. */
public enum StopReason {
    /** The last planned step (the --max-rate, or the single fixed step) completed. */
    MAX_RATE("max-rate"),
    /**
     * {@code --max-rate auto} found where the server breaks: the last held and the first failing rate are
     * within 5 % (the detail names both and the failure).
     */
    BREAK_POINT("break-point"),
    /** Lost plus failed exchanges exceeded the threshold. */
    LOSS("loss"),
    /** Corrected p99 latency exceeded the threshold. */
    LATENCY("latency"),
    /** Completed rate fell well below the offered rate. */
    THROUGHPUT("throughput"),
    /** The target answered, but nothing it answered was correct (wrong question, malformed, errors only). */
    FAILING("failing"),
    /** No answer at all for the configured time. */
    UNRESPONSIVE("unresponsive"),
    /** The load generator could not keep its schedule: the client, not the server, was the limit. */
    GENERATOR_SATURATED("generator_saturated"),
    /** Ctrl-C or a termination signal. */
    INTERRUPTED("interrupted"),
    /** A runtime failure of unibench or of the environment (the message says which). */
    FAILED("failed"),
    /** A non-ramp benchmark ran its whole schedule. */
    COMPLETED("completed");

    private final String label;

    StopReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
