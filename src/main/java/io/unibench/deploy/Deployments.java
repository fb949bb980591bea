package io.unibench.deploy;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.Units;
import io.unibench.deploy.lab.AddressPlan;
import io.unibench.deploy.lab.InsideLab;
import io.unibench.deploy.lab.Lab;
import io.unibench.deploy.lab.LabLink;
import io.unibench.deploy.lab.LabPlacement;
import io.unibench.deploy.lab.Labs;
import io.unibench.deploy.lab.Segment;
import io.unibench.probe.ConsoleReadyProbe;
import io.unibench.probe.Probes;
import io.unibench.probe.ReadinessProbe;
import io.unibench.probe.ReadinessWait;
import io.unibench.util.InterruptGuard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The deploy life cycle over all backends: record, start, wait until the service answers, and tear down
 * what a failed (or interrupted) deploy had started; status and destroy of what the state store records.
 * Ids and host ports are handed out under the state directory's lock and recorded before anything starts,
 * so two unibench processes never collide and a killed deploy leaves records that {@code destroy} follows.
 */
public final class Deployments {
    /** Attempts at starting one instance when its host port turns out taken meanwhile. */
    private static final int PORT_RETRIES = 3;

    /** Progress and warnings, for the command line (stderr). */
    public interface Listener {
        default void warning(String message) {
        }

        default void starting(Instance instance) {
        }

        default void ready(Instance instance) {
        }

        default void destroyed(Instance instance, String how) {
        }
    }

    /** One instance to deploy. */
    /**
     * One instance to deploy; {@code placement} (lab mode only) puts it on given links with given routes (a
     * topology's node) instead of an address from the lab's plan on its default segment.
     */
    public record Request(ServiceSpec spec, Backend backend, LabPlacement placement) {
        public Request(ServiceSpec spec, Backend backend) {
            this(spec, backend, null);
        }
    }

    /** One line of {@code status}. {@code healthy} is null when not probed. */
    public record Status(Instance instance, Deployer.Observation observation, Boolean healthy, String health,
                         Duration uptime) {
    }

    private final StateStore state;
    private final Function<Backend, Deployer> deployerFactory;
    private final Map<Backend, Deployer> deployers = new EnumMap<>(Backend.class);
    private final Listener listener;
    private Lab lab;

    /** Ids this object is deploying and has not handed over yet (torn down on failure or Ctrl-C). */
    private final Set<String> inFlight = new LinkedHashSet<>();
    private boolean aborted;
    /** deployOne calls running now; the shutdown hook waits for them to notice the abort and clean up. */
    private int busy;

    public Deployments(StateStore state, Function<Backend, Deployer> deployerFactory, Listener listener) {
        this.state = state;
        this.deployerFactory = deployerFactory;
        this.listener = listener;
    }

    /** Deployments over the registered backends ({@link Backend}), each deployer made on first use. */
    public static Deployments create(StateStore state, ServiceCatalog catalog, BackendOptions options,
                                     Listener listener) {
        Deployer.Context context = new Deployer.Context(state, catalog, options, listener::warning);
        return new Deployments(state, b -> b.deployer(context), listener);
    }

    /** Lets the deployers of {@code backends} contact their daemons in the background (a faster first call). */
    public void warmUp(Collection<Backend> backends) {
        for (Backend b : backends) {
            deployer(b).warmUp();
        }
    }

    public StateStore state() {
        return state;
    }

    /**
     * From now on, new instances go on {@code lab}'s default segment (lab mode: an address from the lab's
     * plan, no host port, no proxy) instead of host ports on 127.0.0.1. The caller ensured the lab exists
     * and runs inside its namespace when it probes the instances.
     */
    public Deployments inLab(Lab l) {
        this.lab = l;
        return this;
    }

    /** The lab new instances go to, null in forward mode. */
    public Lab lab() {
        return lab;
    }

    public synchronized Deployer deployer(Backend b) {
        return deployers.computeIfAbsent(b, deployerFactory);
    }

    /**
     * Deploys every request in order, each waited for until it answers (or {@code readyTimeout}). On any
     * failure, or Ctrl-C (shutdown hook), everything this call started is destroyed before the error is
     * reported: nothing half-deployed stays behind.
     */
    public List<Instance> deploy(List<Request> requests, Duration readyTimeout) {
        if (lab != null) {
            for (Request r : requests) {
                requireLabSupport(deployer(r.backend()));
            }
            checkRoomInLab((int) requests.stream().filter(r -> r.placement() == null).count());
        }
        Set<String> checked = new HashSet<>();
        for (Request r : requests) {
            if (checked.add(r.backend() + "/" + r.spec().service())) {
                deployer(r.backend()).preflight(r.spec());
            }
        }
        // Ctrl-C: abortAndTearDown removes what this call started (it waits for starts in progress itself)
        InterruptGuard guard = InterruptGuard.install("unibench-deploy-teardown", this::abortAndTearDown, Duration.ZERO);
        List<Instance> done = new ArrayList<>();
        try {
            for (Request r : requests) {
                done.add(deployOne(r.spec(), r.backend(), r.placement(), readyTimeout));
            }
            synchronized (this) {
                inFlight.clear();
            }
            return done;
        } catch (RuntimeException e) {
            tearDownInFlight();
            throw e;
        } finally {
            guard.close();
        }
    }

    /**
     * Records, starts and waits for one instance (the boot benchmark calls this directly and reads
     * {@link Instance#timing()}). If it does not become ready, it is destroyed before the error is thrown.
     * A ready instance stays "in flight" until the enclosing {@link #deploy} succeeds, so a later failure
     * there tears it down too.
     */
    public Instance deployOne(ServiceSpec spec, Backend backend, Duration readyTimeout) {
        return deployOne(spec, backend, null, readyTimeout);
    }

    /** {@link #deployOne(ServiceSpec, Backend, Duration)} on the given links and routes (lab mode). */
    public Instance deployOne(ServiceSpec spec, Backend backend, LabPlacement placement, Duration readyTimeout) {
        synchronized (this) {
            busy++;
        }
        try {
            return recordStartAndWait(spec, backend, placement, readyTimeout);
        } finally {
            synchronized (this) {
                busy--;
                notifyAll();
            }
        }
    }

    private Instance recordStartAndWait(ServiceSpec spec, Backend backend, LabPlacement placement,
                                        Duration readyTimeout) {
        Deployer d = deployer(backend);
        Instance rec = record(spec, backend, placement);
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return startAndWait(d, spec, rec, readyTimeout);
                } catch (PortInUseException e) {
                    if (attempt >= PORT_RETRIES) {
                        throw e;
                    }
                    listener.warning(rec.id() + ": " + e.getMessage() + "; retrying on another port");
                    d.destroy(state.get(rec.id()).orElse(rec));
                    rec = reassignPorts(d, spec, rec, e.port());
                }
            }
        } catch (RuntimeException e) {
            String id = rec.id();
            synchronized (this) {
                inFlight.remove(id);
            }
            try {
                state.get(id).ifPresent(this::destroyOne);
            } catch (RuntimeException cleanup) {
                listener.warning("could not tear down " + id + ": " + cleanup.getMessage());
            }
            throw e;
        }
    }

    /**
     * Records and starts one instance and returns as soon as the start call returned, without waiting for
     * readiness (the boot benchmark times that wait itself, with failures as data). A host port found taken
     * is retried on another, as in {@link #deployOne}. The caller owns the instance (it is not "in flight"):
     * it removes it with {@link #destroyOne}.
     */
    public Deployer.Start launch(ServiceSpec spec, Backend backend) {
        Deployer d = deployer(backend);
        Instance rec = record(spec, backend);
        synchronized (this) {
            inFlight.remove(rec.id());
        }
        for (int attempt = 1; ; attempt++) {
            try {
                Deployer.Start s = d.start(spec, rec.withStartedAt(Instant.now()));
                state.locked(() -> state.put(s.instance()));
                return s;
            } catch (PortInUseException e) {
                if (attempt >= PORT_RETRIES) {
                    throw e;
                }
                listener.warning(rec.id() + ": " + e.getMessage() + "; retrying on another port");
                d.destroy(state.get(rec.id()).orElse(rec));
                rec = reassignPorts(d, spec, rec, e.port());
            }
        }
    }

    /** Bad input when {@code d}'s backend cannot join a lab (checked before any lab or instance is made). */
    public static void requireLabSupport(Deployer d) {
        if (d.labPath() == null) {
            throw new UsageException("backend " + d.backend().id() + " cannot join a lab yet; use --network forward");
        }
    }

    /** Bad input, before anything starts, when the lab's segment has no address left for {@code n} more instances. */
    public void checkRoomInLab(int n) {
        Segment seg = lab.defaultSegment();
        int free = AddressPlan.free(seg.subnet(), Labs.usedOffsets(lab, seg, state.list()));
        if (n > free) {
            throw new UsageException("subnet " + seg.subnet() + " of lab " + lab.name() + " has room for " + free
                    + " more instance" + (free == 1 ? "" : "s") + ", not " + n + "; use a larger --subnet");
        }
    }

    private Instance record(ServiceSpec spec, Backend backend) {
        return record(spec, backend, null);
    }

    private Instance record(ServiceSpec spec, Backend backend, LabPlacement placement) {
        if (placement != null && lab == null) {
            throw new IllegalStateException("a placement needs lab mode");
        }
        Deployer d = deployer(backend);
        return state.locked(() -> {
            String id = state.nextId(backend, spec.service());
            List<Endpoint> eps;
            LabLink link = null;
            LabPlacement placed = null;
            if (lab == null) {
                PortAllocator ports = PortAllocator.forState(state);
                eps = d.endpoints(spec, ports::allocate);
            } else if (placement != null) {
                // a topology's node: its links as planned (the deployer names tap devices, CNI names veths)
                List<LabLink> links = new ArrayList<>();
                for (int i = 0; i < placement.links().size(); i++) {
                    links.add(placement.links().get(i).withPath(d.labPath()).withDevice(d.labDevice(id, i)));
                }
                placed = new LabPlacement(links, placement.routes());
                link = links.get(0);
                eps = new ArrayList<>();
                for (ServiceSpec.PortSpec p : spec.ports()) {
                    eps.add(new Endpoint(p.name(), p.protocol(), link.address(), p.port(), p.port()));
                }
            } else {
                // the service's own ports on its lab address: nothing in between
                requireLabSupport(d);
                String path = d.labPath();
                link = Labs.allocate(lab, lab.defaultSegment(), spec.service(), path, d.labDevice(id), state.list());
                eps = new ArrayList<>();
                for (ServiceSpec.PortSpec p : spec.ports()) {
                    eps.add(new Endpoint(p.name(), p.protocol(), link.address(), p.port(), p.port()));
                }
            }
            Instance rec = Instance.starting(id, backend, spec.service(), eps, state.owner(), Map.of()).withLab(link)
                    .withPlacement(placed);
            state.put(rec);
            synchronized (this) {
                if (aborted) {
                    state.remove(id);
                    throw new UnibenchException("interrupted");
                }
                inFlight.add(id);
            }
            return rec;
        });
    }

    private Instance reassignPorts(Deployer d, ServiceSpec spec, Instance rec, int takenPort) {
        return state.locked(() -> {
            PortAllocator ports = PortAllocator.forState(state);
            ports.exclude(takenPort);
            // a fresh attachment: ports that share a host port (native UDP + TCP) move together
            List<Endpoint> eps = d.endpoints(spec, ports::allocate);
            Instance fresh = new Instance(rec.id(), rec.backend(), rec.service(), InstanceState.starting, eps, null,
                    null, Instant.now().toString(), rec.owner(), rec.deployerPid(), Map.of(), null, rec.lab(), rec.placement());
            state.put(fresh);
            return fresh;
        });
    }

    private Instance startAndWait(Deployer d, ServiceSpec spec, Instance rec, Duration readyTimeout) {
        Deployer.Start s;
        synchronized (this) {
            if (aborted) {
                throw new UnibenchException("interrupted");
            }
            listener.starting(rec);
            s = d.start(spec, rec.withStartedAt(Instant.now()));
            state.locked(() -> state.put(s.instance()));
        }
        // from here on the shutdown hook may tear this instance down at any time: updates go through
        // putIfLive so a destroyed instance is never recorded again
        try (s; ReadinessProbe probe = spec.isForwarder() ? new ConsoleReadyProbe(s::consoleReadyNanos, spec.service())
                : Probes.forSpec(spec.probe(), rec.endpoints())) {
            long deadline = s.startedNanos() + readyTimeout.toNanos();
            ReadinessWait.Outcome o = ReadinessWait.await(probe, deadline, new ReadinessWait.Watch() {
                @Override
                public String failure() {
                    return s.failure();
                }

                @Override
                public void poll() {
                    s.poll();
                }
            });
            if (!o.ready()) {
                Instance inst = s.instance();
                String why = o.failure() != null ? o.failure()
                        : "no correct answer within " + Units.formatDuration(readyTimeout)
                        + " (" + probe.describe() + "; last try: " + o.lastAnswer() + ")";
                List<String> tail = d.consoleTail(inst, 5);
                throw new UnibenchException(inst.id() + " failed to start: " + why
                        + (tail.isEmpty() ? "" : "; last console lines: " + String.join(" | ", tail))
                        + "; log: " + d.logLocation(inst));
            }
            long t0 = s.t0Nanos();
            long console = s.consoleReadyNanos();
            BootTiming timing = new BootTiming(s.spawnedNanos() - t0, s.startedNanos() - t0,
                    console < 0 ? -1 : console - t0, o.readyNanos() - t0, o.attempts(), s.plumbingNanos());
            Instance ready = s.instance().withState(InstanceState.running).withTiming(timing);
            putIfLive(ready);
            listener.ready(ready);
            return ready;
        }
    }

    private synchronized void putIfLive(Instance i) {
        if (aborted || !inFlight.contains(i.id())) {
            throw new UnibenchException("interrupted");
        }
        state.locked(() -> state.put(i));
    }

    /**
     * Shutdown hook: stop starting new instances, remove the ones this object started, then give the
     * deploying thread (which now fails fast: its instance is gone) up to 10 s to finish its own clean-up.
     */
    private void abortAndTearDown() {
        synchronized (this) {
            aborted = true;
        }
        tearDownInFlight();
        long deadline = System.nanoTime() + 10_000_000_000L;
        synchronized (this) {
            while (busy > 0 && deadline - System.nanoTime() > 0) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        tearDownInFlight();
    }

    private void tearDownInFlight() {
        List<String> ids;
        synchronized (this) {
            ids = new ArrayList<>(inFlight);
            inFlight.clear();
        }
        for (String id : ids) {
            try {
                state.get(id).ifPresent(this::destroyOne);
            } catch (RuntimeException e) {
                listener.warning("could not tear down " + id + ": " + e.getMessage());
            }
        }
    }

    /** Destroys one recorded instance and forgets it. */
    public String destroyOne(Instance i) {
        String how = deployer(i.backend()).destroy(i);
        state.locked(() -> state.remove(i.id()));
        listener.destroyed(i, how);
        return how;
    }

    /**
     * Destroys lab {@code name}: its instances first (they cannot live without it), then its namespace,
     * if it is ours. Returns what was done per instance and for the lab.
     */
    public Map<String, String> destroyLab(Lab l) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Instance i : state.list()) {
            if (i.lab() != null && i.lab().lab().equals(l.name())) {
                try {
                    out.put(i.id(), destroyOne(i));
                } catch (RuntimeException e) {
                    failures.add(i.id() + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new UnibenchException("could not destroy " + String.join("; ", failures) + "; lab " + l.name()
                    + " kept");
        }
        out.put("lab " + l.name(), new Labs(state).destroy(l));
        return out;
    }

    /**
     * Every recorded instance, plus the strays each registered backend finds (containers of a killed deploy
     * without a record). A backend that cannot be asked (daemon down) is skipped when nothing of it is
     * recorded (nothing of ours can run there); else its failure is thrown.
     */
    public List<Instance> known() {
        List<Instance> recorded = state.list();
        List<Instance> all = new ArrayList<>(recorded);
        for (Backend b : Backend.values()) {
            try {
                all.addAll(deployer(b).strays(state));
            } catch (UnibenchException e) {
                if (recorded.stream().anyMatch(i -> i.backend() == b)) {
                    throw e;
                }
            }
        }
        return all;
    }

    /**
     * Destroys the given ids, or all recorded instances and strays when {@code ids} is empty and
     * {@code all} is set. Unknown ids are a usage error before anything is destroyed.
     */
    public Map<String, String> destroy(List<String> ids, boolean all) {
        return destroy(ids, all, List.of(Backend.values()));
    }

    /** As {@link #destroy(List, boolean)}, with {@code all} limited to the instances of {@code backends}. */
    public Map<String, String> destroy(List<String> ids, boolean all, Collection<Backend> backends) {
        List<Instance> targets = new ArrayList<>();
        if (all) {
            if (!ids.isEmpty()) {
                throw new UsageException("give instance ids or --all, not both");
            }
            known().stream().filter(i -> backends.contains(i.backend())).forEach(targets::add);
        } else {
            if (ids.isEmpty()) {
                throw new UsageException("which instances? give ids (see 'unibench status') or --all");
            }
            List<String> unknown = new ArrayList<>();
            for (String id : ids) {
                state.get(id).ifPresentOrElse(targets::add, () -> unknown.add(id));
            }
            if (!unknown.isEmpty()) {
                throw new UsageException("no instance " + String.join(", ", unknown) + " in " + state.dir()
                        + " (see 'unibench status')");
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Instance i : targets) {
            try {
                out.put(i.id(), destroyOne(i));
            } catch (RuntimeException e) {
                failures.add(i.id() + ": " + e.getMessage());
            }
        }
        if (all && failures.isEmpty()) {
            // labs go last: their instances are gone now
            Labs labs = new Labs(state);
            for (Lab l : labs.list()) {
                try {
                    out.put("lab " + l.name(), labs.destroy(l));
                } catch (RuntimeException e) {
                    failures.add("lab " + l.name() + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new UnibenchException("could not destroy " + String.join("; ", failures));
        }
        return out;
    }

    /**
     * What runs now, observed in parallel: state and memory from the backend, health from one readiness
     * probe try per instance (when {@code probe} is set; unhealthy answers within {@code probeTimeout}).
     */
    public List<Status> status(List<Instance> instances, Map<String, ServiceSpec> specs, boolean probe,
                               Duration probeTimeout) {
        if (instances.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(32, instances.size()), r -> {
            Thread t = new Thread(r, "unibench-status");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Status>> futures = new ArrayList<>();
            Instant now = Instant.now();
            for (Instance i : instances) {
                futures.add(pool.submit(() -> observe(i, specs.get(i.service()), probe, probeTimeout, now)));
            }
            List<Status> out = new ArrayList<>();
            for (Future<Status> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new UnibenchException(String.valueOf(c), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnibenchException("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Whether this process may address the instance: a forward-mode instance from the host namespace, a
     * lab instance only from inside its lab.
     */
    public static boolean reachableFromHere(Instance i) {
        String inside = InsideLab.labName();
        return i.lab() == null ? inside == null : i.lab().lab().equals(inside);
    }

    private Status observe(Instance i, ServiceSpec spec, boolean probe, Duration probeTimeout, Instant now) {
        Deployer.Observation o = deployer(i.backend()).observe(i);
        Duration up = Duration.between(i.startedAt(), now);
        if (probe && o.state() == InstanceState.running && !reachableFromHere(i)) {
            // never address a lab from outside it: its instances are probed by a process inside the lab
            return new Status(i, o, null, i.lab() != null ? "in lab " + i.lab().lab() + " (probed from inside it)"
                    : "forward mode (probed from the host namespace)", up);
        }
        if (!probe || o.state() != InstanceState.running || spec == null) {
            return new Status(i, o, probe && o.state() != InstanceState.running ? Boolean.FALSE : null, o.detail(),
                    up);
        }
        if (spec.isForwarder()) {
            // nothing to ask a router: a topology checks its hop from the client (TopologyHealth)
            return new Status(i, o, null, "forwards; its hop is checked from the client", up);
        }
        try (ReadinessProbe p = Probes.forSpec(spec.probe(), i.endpoints())) {
            ReadinessProbe.Attempt a = p.attempt(probeTimeout);
            if (!a.ready()) {
                a = p.attempt(probeTimeout); // one retry: a UDP datagram may be lost
            }
            return new Status(i, o, a.ready(), a.detail(), up);
        }
    }
}
