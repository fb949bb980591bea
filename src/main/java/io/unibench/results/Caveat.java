package io.unibench.results;

import java.util.Arrays;
import java.util.Optional;

/**
 * A known limit of a measurement, recorded in run.json under {@code caveats} as {@code {"id": ..., "text":
 * ...}}. Writers pick the id here; the report decides by id (never by the wording of the text), e.g. a run
 * that recorded {@link #PORT_FORWARDER} itself replaces the report's generic sentence about forwarders.
 * Add an id here when a new kind of caveat appears (another backend's runtime flags, a shared link...).
 */
public enum Caveat {
    /** Traffic reaches the services through a user-space port forwarder (slirp hostfwd, docker-proxy). */
    PORT_FORWARDER("port-forwarder"),
    /** The load generator or prober shares the host's cores with the services under test. */
    SHARED_HOST("shared-host"),
    /** What "idle memory" counts differs per backend (a VMM's whole RSS vs a container's cgroup). */
    IDLE_MEMORY_SCOPE("idle-memory-scope"),
    /** The gVisor backend's runtime flags (platform, network mode) and what they mean for the comparison. */
    GVISOR_RUNTIME("gvisor-runtime"),
    /** The native backend is a plain host process: no isolation and no forwarder, the floor of the comparison. */
    NATIVE_PROCESS("native-process"),
    /**
     * Processes outside the benchmark used more than {@code HostNoise.THRESHOLD_PCT} of the host's CPU in a
     * second of a step (steps.csv {@code host_noise_max_pct}): those steps' figures are suspect.
     */
    HOST_NOISE("host-noise"),
    /** A {@code --cpu-layout} placement (the generator's or the instance's) failed or did not read back as asked. */
    CPU_PLACEMENT("cpu-placement"),
    /**
     * The host's KVM halt polling ({@code halt_poll_ns} > 0) is counted as QEMU's CPU time: a VMM's
     * {@code cpu_us_per_query} overstates its guest's cost at low rates.
     */
    KVM_HALT_POLL("kvm-halt-poll");

    private final String id;

    Caveat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The caveat with this id, if it is one unibench knows. */
    public static Optional<Caveat> byId(String id) {
        return Arrays.stream(values()).filter(c -> c.id.equals(id)).findFirst();
    }
}
