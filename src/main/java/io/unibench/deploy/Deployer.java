package io.unibench.deploy;

import io.unibench.deploy.lab.LabLink;
import io.unibench.results.Caveat;
import io.unibench.util.Doctor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Everything backend-specific, behind one interface: start/stop/observe instances of a {@link ServiceSpec}
 * on one backend, and what the generic code needs to know about that backend (prerequisites, image identity
 * and size, memory given and host memory per instance, facts for run.json, restart semantics, how its images
 * are built, where its endpoints are). One implementation per folder {@code deploy/<backend>/}, registered in
 * {@link Backend}. Callers ({@link Deployments}, the boot benchmark, the study, the CLI) never test which
 * backend they hold.
 * <p>
 * A deployer owns only what it started: it finds its instances through the {@link StateStore} records (and,
 * for containers, the {@code unibench.owner} label; for processes, pid + start time + command line), never by
 * name patterns. Readiness is not the deployer's business: the caller probes the endpoints
 * ({@link io.unibench.probe.ReadinessWait}) and asks the {@link Start} handle whether the instance died
 * meanwhile.
 * <p>
 * Extension points for the next issues: {@link #endpoints} is the network attachment step (forward mode:
 * a host port on 127.0.0.1; lab mode attaches to a bridge in a namespace instead), and the {@link Context}
 * carries backend options by type (a remote host, CPU placement) without changing this interface.
 */
public interface Deployer {

    /** What a deployer is made with: the state it records in, the manifests, options, a sink for warnings. */
    record Context(StateStore state, ServiceCatalog catalog, BackendOptions options, Consumer<String> warnings) {
        public Context {
            options = options == null ? BackendOptions.defaults() : options;
            warnings = warnings == null ? w -> { } : warnings;
        }
    }

    Backend backend();

    /**
     * What this backend needs on this host (a tool, a daemon, a registered runtime), each checked now, for
     * {@code doctor}: the detail is the version found, or how to get it; {@code neededBy} the commands that
     * need it by default ({@link Doctor#RUNNING} for the study's pair, empty for optional backends and
     * nice-to-haves such as KVM).
     */
    List<Doctor.Check> prerequisites();

    /**
     * Checks, before anything is started, that {@code spec} can run here (tool or daemon present, image
     * built); throws a {@link io.unibench.UnibenchException} that says what to do otherwise (a
     * {@link io.unibench.UsageException} when what was asked cannot work here, e.g. a runtime not registered).
     */
    void preflight(ServiceSpec spec);

    /** Starts talking to a daemon in the background when that is slow (the first call then waits less). */
    default void warmUp() {
    }

    /** The image {@code spec} runs from on this backend; {@link Image#built()} false when it is not built. */
    Image image(ServiceSpec spec);

    /** How the images of {@code specs} are built (steps shared between backends have the same key). */
    List<BuildStep> buildSteps(List<ServiceSpec> specs);

    /** Memory the instance is given (guest RAM, container limit); -1 when the backend sets no limit. */
    long memoryGivenBytes(ServiceSpec spec);

    /** Host memory one running instance takes, all costs included (estimate for the boot benchmark's check). */
    long hostMemoryPerInstanceBytes(ServiceSpec spec);

    /** Versions of the tools and daemons involved, for run.json's {@code tools} (name to version line). */
    Map<String, String> tools();

    /**
     * What an instance of {@code spec} on this backend is, for run.json: image identity and size, memory,
     * accelerator or runtime and their flags, and the network path in front of it.
     */
    Map<String, Object> facts(ServiceSpec spec);

    /**
     * Known limits of measurements on this backend, by caveat id, for run.json (the report shows them):
     * e.g. gVisor's platform and network flags, the native backend's lack of isolation. None by default.
     */
    default Map<Caveat, String> caveats(ServiceSpec spec) {
        return Map.of();
    }

    /** What {@link #kill} and a restart do here ({@code kill}, {@code restart}), for run.json. */
    Map<String, String> restartSemantics(boolean recreate);

    /**
     * The network attachment: the host endpoints in front of the manifest's ports, with host ports on
     * 127.0.0.1 taken from {@code ports} (the allocator, under the state lock). By default (forward mode) one
     * host port per manifest port, forwarded to the service's own port inside the guest or container; a
     * backend whose service binds the host ports itself says so (native: one host port per service port,
     * shared by UDP and TCP).
     */
    default List<Endpoint> endpoints(ServiceSpec spec, IntSupplier ports) {
        List<Endpoint> eps = new ArrayList<>();
        for (ServiceSpec.PortSpec p : spec.ports()) {
            eps.add(new Endpoint(p.name(), p.protocol(), "127.0.0.1", ports.getAsInt(), p.port()));
        }
        return eps;
    }

    /**
     * How an instance of this backend joins a lab segment ({@code --network lab}): {@link LabLink#VETH}
     * (a veth from the CNI bridge plugin, the default) or {@link LabLink#TAP} (a tap the deployer plugs
     * into the bridge itself), or null when this backend cannot join a lab (yet). The deployer's
     * {@link #start} reads the {@link Instance#lab() link}.
     */
    default String labPath() {
        return LabLink.VETH;
    }

    /** The lab-side device name of instance {@code id}, when the deployer chooses it (a tap); null when CNI does. */
    default String labDevice(String id) {
        return null;
    }

    /** The lab-side device of link {@code link} (0, 1, ...) of a multi-homed instance (a topology's router). */
    default String labDevice(String id, int link) {
        return link == 0 ? labDevice(id) : null;
    }

    /**
     * Starts {@code recorded} (already in the state store, with its id and host endpoints) and returns as
     * soon as the start call returned. Throws {@link PortInUseException} when a host port turned out taken.
     */
    Start start(ServiceSpec spec, Instance recorded);

    /** Current state, memory and CPU time of an instance (for status, the footprint, the boot benchmark). */
    Observation observe(Instance instance);

    /**
     * The instance's cumulative CPU nanoseconds (negative when unreadable), for sampling every second while
     * a benchmark loads it. The sampler runs on the generator's core, so a backend whose {@link #observe}
     * costs an API call or a control-socket round trip (Docker's list, QEMU's QMP) overrides this with a
     * plain file read: on a pinned generator those calls were send-lag stalls of 10 to 26 ms.
     */
    default java.util.function.LongSupplier cpuClock(Instance instance) {
        return () -> observe(instance).cpuNanos();
    }

    /**
     * Stops (gracefully, then by force after a short grace) and removes the instance, if it is still the
     * one unibench started. Idempotent. Returns what was done, for the user.
     */
    String destroy(Instance instance);

    /**
     * Stops the instance at once, without any grace (SIGKILL), keeping its record (and whatever
     * {@link #restart} needs, e.g. the container), so that it can be started again (the boot benchmark's
     * churn). Idempotent.
     */
    void kill(Instance instance);

    /**
     * Starts an instance stopped by {@link #kill} again, the backend's way. By default {@link #start}: a new
     * process with the same record and ports (a full boot). Docker starts the same container.
     */
    default Start restart(ServiceSpec spec, Instance killed) {
        return start(spec, killed);
    }

    /**
     * Confines the running {@code instance} to {@code cpus} ({@code --cpu-layout}: the CPUs the load generator
     * does not use) and reads the placement back (QEMU: every thread of its process, vCPUs included;
     * containers: the cpuset; a process: its threads). By default the backend cannot place its instances: the
     * result says so, and the run records a caveat.
     */
    default io.unibench.util.Affinity.Pinning place(Instance instance, io.unibench.util.CpuSet cpus) {
        return io.unibench.util.Affinity.Pinning.unsupported(cpus, "the " + backend().id()
                + " backend cannot place its instances on CPUs");
    }

    /** The last lines the instance printed on its console (for error messages). */
    List<String> consoleTail(Instance instance, int lines);

    /** Where its full console log is (a file, or a command that shows it). */
    String logLocation(Instance instance);

    /**
     * Instances this backend runs for {@code state}'s owner that have no record (left by a killed deploy).
     * Throws when the backend cannot be asked (daemon down).
     */
    default List<Instance> strays(StateStore state) {
        return List.of();
    }

    /**
     * The image of a service on a backend.
     *
     * @param kind      what it is, for messages: {@code unikernel image}, {@code container image}, {@code binary}
     * @param ref       how the backend names it: a file path or an image reference
     * @param id        a content id (image id, sha256 of the file), null when not built
     * @param sizeBytes its size, -1 when not built
     */
    record Image(String kind, String ref, String id, long sizeBytes) {
        public boolean built() {
            return id != null;
        }
    }

    /** One step of building images; {@code key} identifies it, so backends that share it run it once. */
    record BuildStep(String key, String description, Runnable run, List<String> make) {
        public BuildStep(String key, String description, Runnable run) {
            this(key, description, run, null);
        }

        /**
         * A {@code make} invocation: {@link ImageBuilder} runs it with the build's variables appended
         * ({@code ZONE=FILE} from {@code unibench build --zone}), so every make step builds the same zone.
         */
        public static BuildStep make(String key, List<String> command) {
            return new BuildStep(key, String.join(" ", command), null, List.copyOf(command));
        }
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

        /** The guest's own boot stamps (a unikernel prints them on its console after its first answer), or null. */
        default GuestStamps guestStamps() {
            return null;
        }

        /** True while this instance is expected to print its boot stamps and has not yet (worth a short wait). */
        default boolean stampsPending() {
            return false;
        }

        /**
         * System.nanoTime when the instance's own code began (a unikernel's kernel entry, a container's process
         * start), -1 when unknown. By default derived from the stamps: the ready line's host time minus the
         * guest's entry-to-ready time (see {@link GuestStamps}).
         */
        default long guestEntryNanos() {
            GuestStamps g = guestStamps();
            long ready = consoleReadyNanos();
            return g == null || ready < 0 ? -1 : ready - (g.readyUs() - g.entryUs()) * 1000;
        }

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
     * was read ({@code rss}, {@code cgroup}, {@code docker-stats-api}), null when unknown. {@code cpuNanos} is
     * the CPU time (user + system) the instance used so far, -1 when unknown; {@code cpuSource} says what it
     * covers ({@code process} for the VMM or service process, {@code cgroup} for a container's cgroup).
     */
    record Observation(InstanceState state, long memoryBytes, String memorySource, long cpuNanos, String cpuSource,
                       String detail) {
        public Observation(InstanceState state, long memoryBytes, String memorySource, String detail) {
            this(state, memoryBytes, memorySource, -1, null, detail);
        }

        public static Observation without(InstanceState state, String detail) {
            return new Observation(state, -1, null, detail);
        }

        public Observation withCpu(long nanos, String source) {
            return new Observation(state, memoryBytes, memorySource, nanos, nanos < 0 ? null : source, detail);
        }
    }
}
