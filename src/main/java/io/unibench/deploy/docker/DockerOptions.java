package io.unibench.deploy.docker;

import java.time.Duration;

/**
 * Container settings that override the manifest (the study: 128 MB, 1 CPU).
 *
 * @param memoryBytes memory limit, null for the manifest's
 * @param cpus        CPU limit, null for the manifest's
 * @param stopGrace   how long {@code destroy} waits after SIGTERM before killing
 * @param statsApiOnly read container memory only through the Docker stats API (slower), never the cgroup
 */
public record DockerOptions(Long memoryBytes, Double cpus, Duration stopGrace, boolean statsApiOnly) {
    public static DockerOptions defaults() {
        return new DockerOptions(null, null, Duration.ofSeconds(2), false);
    }
}
