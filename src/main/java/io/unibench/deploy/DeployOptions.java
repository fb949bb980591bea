package io.unibench.deploy;

import java.time.Duration;
import java.util.List;

/**
 * What {@code unibench deploy} was asked: which services on which backends, how many of each, how long
 * to wait for each to answer, and backend settings (each backend reads its own options record).
 */
public record DeployOptions(List<String> services, List<Backend> backends, int count, Duration readyTimeout,
                            BackendOptions backendOptions) {
    public DeployOptions {
        services = List.copyOf(services);
        backends = List.copyOf(backends);
    }
}
