package io.unibench.bench;

import io.unibench.UsageException;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Instance;
import io.unibench.deploy.InstanceState;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.lab.LabLink;
import io.unibench.results.Caveat;
import io.unibench.results.RunMetadata;
import io.unibench.util.Affinity;
import io.unibench.util.CpuSet;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the load generator and the instance under test run ({@code --cpu-layout}). {@code split}: the
 * generator's threads on the first half of the online CPUs (rounded up), the instance on the others, so
 * neither takes the other's cores; {@code shared}: both may run on every online CPU (the scheduler decides,
 * as without unibench). The generator pins its own JVM ({@link Affinity}: every thread, so the engines'
 * senders inherit it); the instance is placed by its backend ({@link Deployer#place}). Both placements are
 * read back and recorded in run.json under {@value #RUN_JSON_KEY}; one that failed or did not read back as
 * asked is a {@link Caveat#CPU_PLACEMENT} caveat, never silence.
 */
public record CpuLayout(Mode mode, CpuSet online, CpuSet generator, CpuSet instance) {
    public static final String RUN_JSON_KEY = "cpu_layout";
    public static final String HELP = "split: the load generator on the first half of the online CPUs, the instance "
            + "under test on the others; shared: both on every CPU (default: split with at least 2 online CPUs, "
            + "else shared).";

    public enum Mode { split, shared }

    /**
     * The layout {@code option} names (null: the default for this host), on the {@code online} CPUs.
     *
     * @throws UsageException for an unknown name, or {@code split} on a host with one online CPU
     */
    public static CpuLayout choose(String option, CpuSet online) {
        Mode m;
        if (option == null) {
            m = online.size() >= 2 ? Mode.split : Mode.shared;
        } else {
            try {
                m = Mode.valueOf(option);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--cpu-layout must be split or shared (got '" + option + "')");
            }
        }
        if (m == Mode.split && online.size() < 2) {
            throw new UsageException("--cpu-layout split needs at least 2 online CPUs (this host has " + online.size()
                    + ": " + online + "); use --cpu-layout shared");
        }
        if (m == Mode.shared) {
            return new CpuLayout(m, online, online, online);
        }
        CpuSet g = online.first((online.size() + 1) / 2);
        return new CpuLayout(m, online, g, online.minus(g));
    }

    /** The default layout for this host. */
    public static CpuLayout choose(String option) {
        return choose(option, CpuSet.online());
    }

    /**
     * The running instance unibench started that serves {@code target} (a host endpoint, or a lab address
     * and the service's port there), if any: with {@code --target} alone a bench still places it.
     */
    public static Optional<Instance> serving(StateStore state, InetSocketAddress target) {
        String host = target.getAddress() == null ? target.getHostString() : target.getAddress().getHostAddress();
        for (Instance i : state.list()) {
            if (i.state() != InstanceState.running) {
                continue;
            }
            boolean hit = i.endpoints().stream().anyMatch(e -> e.port() == target.getPort() && sameHost(e.host(), host))
                    || i.labLinks().stream().map(LabLink::address).anyMatch(host::equals)
                    && i.endpoints().stream().anyMatch(e -> e.guestPort() == target.getPort());
            if (hit) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    private static boolean sameHost(String a, String b) {
        return a.equals(b) || ("localhost".equals(a) || "127.0.0.1".equals(a)) && ("localhost".equals(b)
                || "127.0.0.1".equals(b));
    }

    /**
     * Pins this JVM (the generator) and, when known, {@code instance} through its {@code deployer}, and records
     * both in {@code meta}. Call it before the engine starts its threads; closing the result gives this JVM
     * back the CPUs it had (a study, or a test, goes on after the run). The instance keeps its placement.
     *
     * @param instance null when the target is a server unibench did not start (only the generator is pinned)
     */
    public Placed apply(Deployer deployer, Instance instance, RunMetadata meta) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layout", mode.name());
        m.put("online_cpus", online.toString());
        long self = ProcessHandle.current().pid();
        CpuSet before = Affinity.readBack(self).values().stream().findFirst().orElse(online);
        Affinity.Pinning g = Affinity.pinProcess(self, generator,
                "sched_setaffinity on every thread of the generator's JVM (pid " + self + ")");
        m.put("generator", g.describe());
        if (!g.verified()) {
            meta.caveat(Caveat.CPU_PLACEMENT, "--cpu-layout " + mode + ": the generator could not be placed on CPUs "
                    + generator + " (" + g.problem() + "); it ran where the scheduler put it");
        }
        if (instance == null || deployer == null) {
            m.put("instance", Map.of("cpus", "unknown", "how", "not placed: the target is not an instance unibench "
                    + "started (no --instance, no recorded endpoint matches); only the generator is pinned"));
            return new Placed(put(meta, m), self, before);
        }
        Affinity.Pinning p;
        try {
            p = deployer.place(instance, this.instance);
        } catch (RuntimeException e) {
            p = Affinity.Pinning.unsupported(this.instance, e.getMessage());
        }
        Map<String, Object> im = new LinkedHashMap<>();
        im.put("id", instance.id());
        im.put("backend", instance.backend().id());
        im.putAll(p.describe());
        m.put("instance", im);
        if (!p.verified()) {
            meta.caveat(Caveat.CPU_PLACEMENT, "--cpu-layout " + mode + ": instance " + instance.id() + " ("
                    + instance.backend().id() + ") could not be placed on CPUs " + this.instance + " (" + p.problem()
                    + ")" + (mode == Mode.split ? "; it may share the generator's CPUs" : ""));
        }
        return new Placed(put(meta, m), self, before);
    }

    /**
     * For a boot benchmark, where unibench starts every instance itself: pins this JVM (the prober) like
     * {@link #apply}, and returns what starts instances on the instance CPUs. Closing it gives this JVM its
     * CPUs back.
     */
    public Boots forBoots(RunMetadata meta) {
        Map<String, Object> m = new java.util.concurrent.ConcurrentSkipListMap<>();
        m.put("layout", mode.name());
        m.put("online_cpus", online.toString());
        long self = ProcessHandle.current().pid();
        CpuSet before = Affinity.readBack(self).values().stream().findFirst().orElse(online);
        Affinity.Pinning g = Affinity.pinProcess(self, generator,
                "sched_setaffinity on every thread of the prober's JVM (pid " + self + ")");
        m.put("generator", g.describe());
        if (!g.verified()) {
            meta.caveat(Caveat.CPU_PLACEMENT, "--cpu-layout " + mode + ": the prober could not be placed on CPUs "
                    + generator + " (" + g.problem() + ")");
        }
        Map<String, Object> im = new java.util.concurrent.ConcurrentSkipListMap<>();
        im.put("cpus", instance.toString());
        im.put("how", "a process the JVM spawns (QEMU, native) is born on these CPUs (spawned from a thread placed "
                + "there; its threads inherit them); any other instance (a container) is placed by its backend "
                + "right after the start call, inside the measured boot; the first boot of each backend is read back");
        m.put("instance", im);
        meta.put(RUN_JSON_KEY, m);
        return new Boots(this, meta, im, new Placed(m, self, before));
    }

    /** Starts the boot benchmark's instances on the instance CPUs; see {@link #forBoots}. */
    public static final class Boots implements AutoCloseable {
        private final CpuLayout layout;
        private final RunMetadata meta;
        private final Map<String, Object> record;
        private final Placed placed;
        private final java.util.Set<String> readBack = java.util.concurrent.ConcurrentHashMap.newKeySet();

        private Boots(CpuLayout layout, RunMetadata meta, Map<String, Object> record, Placed placed) {
            this.layout = layout;
            this.meta = meta;
            this.record = record;
            this.placed = placed;
        }

        /** Runs {@code start} (a launch or restart of {@code deployer}'s instance) so the instance runs on its CPUs. */
        public Deployer.Start start(Deployer deployer, java.util.function.Supplier<Deployer.Start> start) {
            String f = Affinity.setThread(0, layout.instance);
            Deployer.Start s;
            try {
                s = start.get();
            } finally {
                if (f == null) {
                    Affinity.setThread(0, layout.generator);
                }
            }
            Instance inst = s.instance();
            long self = ProcessHandle.current().pid();
            boolean child = f == null && inst.pid() != null && ProcessHandle.of(inst.pid())
                    .flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L) == self;
            String backend = inst.backend().id();
            boolean first = readBack.add(backend);
            if (child && !first) {
                return s; // born on the instance CPUs, as the first boot of this backend read back
            }
            Affinity.Pinning p;
            try {
                p = child ? new Affinity.Pinning(layout.instance, "spawned on the instance CPUs",
                        Affinity.readBack(inst.pid()), null) : deployer.place(inst, layout.instance);
            } catch (RuntimeException e) {
                p = Affinity.Pinning.unsupported(layout.instance, e.getMessage());
            }
            if (first) {
                record.put("first_boot_" + backend, p.describe());
            }
            if (!p.verified() && first) {
                meta.caveat(Caveat.CPU_PLACEMENT, "--cpu-layout " + layout.mode + ": " + backend + " instances could "
                        + "not be placed on CPUs " + layout.instance + " (" + p.problem() + ")");
            }
            return s;
        }

        @Override
        public void close() {
            placed.close();
        }
    }

    /** A placement made; {@link #close()} puts this JVM's threads back on the CPUs they had. */
    public record Placed(Map<String, Object> describe, long pid, CpuSet before) implements AutoCloseable {
        @Override
        public void close() {
            Affinity.pinProcess(pid, before, null);
        }
    }

    private static Map<String, Object> put(RunMetadata meta, Map<String, Object> m) {
        meta.put(RUN_JSON_KEY, m);
        return m;
    }
}
