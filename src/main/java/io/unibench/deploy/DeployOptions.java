package io.unibench.deploy;

import io.unibench.deploy.docker.DockerOptions;
import io.unibench.deploy.qemu.QemuOptions;
import java.time.Duration;
import java.util.List;

/**
 * What {@code unibench deploy} was asked: which services on which backends, how many of each, how long
 * to wait for each to answer, and backend settings.
 */
public record DeployOptions(List<String> services, List<Backend> backends, int count, Duration readyTimeout,
                            QemuOptions qemu, DockerOptions docker) {
    public DeployOptions {
        services = List.copyOf(services);
        backends = List.copyOf(backends);
    }
}
