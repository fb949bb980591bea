package io.unibench.deploy;

import java.util.List;

/**
 * Starts, observes and removes instances of a {@link ServiceSpec} on one backend. A deployer owns only
 * what it started: it finds its instances through the {@link StateStore} records (and, for Docker, the
 * {@code unibench.owner} label), never by name patterns. Readiness is not the deployer's business: the
 * caller probes the endpoints ({@link io.unibench.probe.ReadinessWait}) and asks the {@link Start} handle
 * whether the instance died meanwhile.
 */
public interface Deployer {

    Backend backend();

    /**
     * Checks, before anything is started, that {@code spec} can run here (tool or daemon present, image
     * built); throws a {@link io.unibench.UnibenchException} that says what to do otherwise.
     */
    void preflight(ServiceSpec spec);

    /**
     * Starts {@code recorded} (already in the state store, with its id and host endpoints) and returns as
     * soon as the start call returned. Throws {@link PortInUseException} when a host port turned out taken.
     */
    Start start(ServiceSpec spec, Instance recorded);

    /** Current state and memory of an instance (for status). */
    Observation observe(Instance instance);

    /**
     * Stops (gracefully, then by force after a short grace) and removes the instance, if it is still the
     * one unibench started. Idempotent. Returns what was done, for the user.
     */
    String destroy(Instance instance);

    /**
     * Stops the instance at once, without any grace (SIGKILL), keeping its record and, for Docker, its
     * container, so that {@link #restart} can start it again (the boot benchmark's churn). Idempotent.
     */
    default void kill(Instance instance) {
        throw new UnsupportedOperationException(backend() + " cannot kill an instance without grace");
    }

    /**
     * Starts an instance stopped by {@link #kill} again, the backend's way. By default {@link #start}: for
     * QEMU a new process with the same record and ports (a full boot). Docker starts the same container.
     */
    default Start restart(ServiceSpec spec, Instance killed) {
        return start(spec, killed);
    }

    /** The last lines the instance printed on its console (for error messages). */
    List<String> consoleTail(Instance instance, int lines);

    /** Where its full console log is (a file, or a command that shows it). */
    String logLocation(Instance instance);

    /** Instances this backend runs for {@code state}'s owner that have no record (left by a killed deploy). */
    default List<Instance> strays(StateStore state) {
        return List.of();
    }

    /** The instance just started, with the phases of its start and a way to notice its death. */
    interface Start extends AutoCloseable {
        /** The record, now with pid/container id and any facts learnt while starting. */
        Instance instance();

        /** System.nanoTime just before the spawn/create call. */
        long t0Nanos();

        /** System.nanoTime when the process was spawned / container created. */
        long spawnedNanos();

        /** System.nanoTime when the start call returned. */
        long startedNanos();

        /**
         * Nanoseconds spent on network plumbing within this start (lab mode: creating the tap, CNI ADD),
         * included in the boot; -1 when there was none (forward mode).
         */
        default long plumbingNanos() {
            return -1;
        }

        /** System.nanoTime when the ready line appeared on the console, -1 if not (yet) seen. */
        long consoleReadyNanos();

        /** Cheap check between probe tries (e.g. look for the ready line); default nothing. */
        default void poll() {
        }

        /** Null while the instance runs; else why it stopped (exit code, crash, paused by an emulation failure). */
        String failure();

        /** Releases watchers (QMP connection, log follower); the instance keeps running. */
        @Override
        void close();
    }

    /**
     * What {@link #observe} saw. {@code memoryBytes} is -1 when unknown; {@code memorySource} says where it
     * was read ({@code rss}, {@code cgroup}, {@code docker-stats-api}), null when unknown.
     */
    record Observation(InstanceState state, long memoryBytes, String memorySource, String detail) {
        public static Observation without(InstanceState state, String detail) {
            return new Observation(state, -1, null, detail);
        }
    }
}
