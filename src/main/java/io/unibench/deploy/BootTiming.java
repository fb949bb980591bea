package io.unibench.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Phases of one start, in nanoseconds from just before the spawn/create call (measured with
 * {@code System.nanoTime}); -1 when a phase was not observed. Ready means the first correct application
 * answer (DESIGN.md §2 rule 6), never a TCP connect.
 *
 * @param spawnedNanos      QEMU process spawned / container created
 * @param startedNanos      the start call returned (for QEMU the spawn itself)
 * @param consoleReadyNanos the service's ready line appeared on the console (serial log / container output)
 * @param readyNanos        first correct answer through the host endpoint
 * @param probeAttempts     probe tries until ready
 * @param plumbingNanos     time spent on network plumbing within the start (lab mode: tap creation, CNI
 *                          ADD; a duration, not a phase end), -1 in forward mode
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BootTiming(@JsonProperty("spawned_ns") long spawnedNanos, @JsonProperty("started_ns") long startedNanos,
                         @JsonProperty("console_ready_ns") long consoleReadyNanos,
                         @JsonProperty("ready_ns") long readyNanos, @JsonProperty("probe_attempts") int probeAttempts,
                         @JsonProperty("plumbing_ns") long plumbingNanos) {

    public double readyMillis() {
        return readyNanos / 1e6;
    }
}
