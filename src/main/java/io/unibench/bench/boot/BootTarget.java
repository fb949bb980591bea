package io.unibench.bench.boot;

import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Instance;
import java.util.List;
import java.util.Map;

/**
 * What the boot benchmark needs from one backend: start new instances, kill one without grace and
 * start it again, remove them. The real one ({@link DeployerBootTarget}) goes through the deployers and
 * the state store; tests use a fake whose "boot" time is known. Readiness is probed by the benchmark,
 * never by the target.
 */
public interface BootTarget extends AutoCloseable {

    Backend backend();

    /** Everything that can be checked before anything starts (tools, daemon, image built); throws if not. */
    void preflight();

    /** Host memory one running instance takes (estimate for the check before scaling up). */
    long memoryPerInstanceBytes();

    /** Facts for run.json: restart semantics, accelerator, image id and size, memory per instance... */
    Map<String, Object> describe();

    /** Known limits of measurements on this backend, for run.json's caveats. */
    default Map<io.unibench.results.Caveat, String> caveats() {
        return Map.of();
    }

    /** Versions of the tools and daemons this backend involves, for run.json's tools. */
    default Map<String, String> tools() {
        return Map.of();
    }

    /**
     * Records and starts a new instance and returns as soon as the start call returned (not waiting for
     * readiness). {@link Deployer.Start#t0Nanos()} is taken just before the spawn/create call.
     */
    Deployer.Start launch();

    /** Kills the instance without any grace (SIGKILL), keeping what {@link #restart} needs. Untimed. */
    void kill(Instance instance);

    /**
     * Starts a killed instance again, the backend's way (a new QEMU process; the same container, or a new
     * one with --recreate). {@link Deployer.Start#t0Nanos()} is taken just before the start call.
     */
    Deployer.Start restart(Instance instance);

    /** Stops and removes the instance and forgets it. Idempotent. */
    void remove(Instance instance);

    /** The last lines the instance printed on its console. */
    List<String> consoleTail(Instance instance, int lines);

    @Override
    default void close() {
    }
}
