package io.unibench.bench.boot;

import io.unibench.UnibenchException;
import io.unibench.Units;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.GuestStamps;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceSpec;
import io.unibench.probe.Probes;
import io.unibench.probe.ReadinessProbe;
import io.unibench.probe.ReadinessWait;
import io.unibench.results.BootCsv;
import io.unibench.results.BootEvent;
import io.unibench.results.BootStats;
import io.unibench.results.ResultsDirectory;
import io.unibench.results.RunMetadata;
import io.unibench.results.StopReason;
import io.unibench.util.InterruptGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code unibench bench boot}: boot time under orchestration churn (or cold, one instance at a time),
 * per backend, one backend after the other with the same schedule.
 * <p>
 * A boot is timed from just before the start call ({@link Deployer.Start#t0Nanos()}) to the first correct
 * application answer on the instance's own endpoint, polled through the service's readiness probe with a
 * short fixed per-try timeout ({@link BootProbe}); the spawn, start-returned and console-ready phases come
 * from the deployer's start handle. All on System.nanoTime. Restarts run in the calling thread, one at a
 * time, so a timing never queues behind other work; only the host-load sampler runs beside them.
 * <p>
 * Failures are data: a boot without an answer by {@code --boot-timeout} is a {@code timeout} event, a guest
 * that dies a {@code crashed} event, and its last console lines are saved next to the CSVs. At the end, on
 * Ctrl-C (shutdown hook) or on a failure, every instance the run started is removed.
 */
public final class BootBenchmark {
    public static final String BENCHMARK = "boot";
    /** Kept free for the host, unibench and the page cache when checking memory before scaling up. */
    public static final long MEMORY_RESERVE_BYTES = 512L << 20;
    static final int CONSOLE_LINES = 20;
    /** How long to keep looking for the console's ready line after the answer came (log followers lag). */
    static final long CONSOLE_GRACE_NANOS = 200_000_000L;

    /** Opens the target of a backend. */
    public interface Targets {
        BootTarget open(Backend backend);
    }

    /** What a finished (or interrupted) run produced. */
    public record Result(Path dir, StopReason reason, String detail, List<BootEvent> events) {
    }

    private final BootOptions options;
    private final ServiceSpec spec;
    private final BootListener listener;
    private final Map<Backend, BootTarget> targets;
    private final Map<String, Alive> alive = new LinkedHashMap<>();
    private final List<BootEvent> events = new ArrayList<>();
    private volatile boolean interrupted;
    private volatile Thread worker;
    private volatile String currentBackend = "";
    private volatile int running;
    private BootCsv csv;
    private long runStart;
    private int backendIndex;
    /** Wall time per cold boot so far (launch, answer, removal), for the time-left estimate. */
    private long coldPerBootNanos = 1_000_000_000L;

    private record Alive(BootTarget target, Instance instance) {
    }

    /** Thrown inside the run when Ctrl-C asked it to end. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted", null, false, false);
        }
    }

    private BootBenchmark(BootOptions options, ServiceSpec spec, Map<Backend, BootTarget> targets,
                          BootListener listener) {
        this.options = options;
        this.spec = spec;
        this.targets = targets;
        this.listener = listener;
    }

    /**
     * Checks everything that can be checked (targets' preflight, host memory) before anything starts, then
     * runs. Returns normally when the run completed or was interrupted (see {@link Result#reason()}); throws
     * {@link UnibenchException} after recording the failure in run.json when it failed.
     */
    public static Result run(BootOptions options, ServiceSpec spec, Targets factory, RunMetadata meta,
                             BootListener listener) {
        Map<Backend, BootTarget> targets = new EnumMap<>(Backend.class);
        try {
            for (Backend b : options.backends()) {
                BootTarget t = factory.open(b);
                targets.put(b, t);
                t.preflight();
            }
            checkMemory(options, targets, RunMetadata.HostInfo.memAvailable());
            return new BootBenchmark(options, spec, targets, listener).execute(meta);
        } finally {
            for (BootTarget t : targets.values()) {
                t.close();
            }
        }
    }

    /** Refuses, before anything starts, a run whose peak would not fit in the host's available memory. */
    static void checkMemory(BootOptions options, Map<Backend, BootTarget> targets, long availableBytes) {
        if (availableBytes < 0) {
            return; // unknown (not Linux): nothing to check against
        }
        int peak = options.peakInstances();
        for (BootTarget t : targets.values()) {
            long per = t.memoryPerInstanceBytes();
            long need = per * peak + MEMORY_RESERVE_BYTES;
            if (need > availableBytes) {
                long fit = Math.max(0, (availableBytes - MEMORY_RESERVE_BYTES) / Math.max(1, per));
                throw new UnibenchException(String.format(Locale.ROOT,
                        "not enough memory for %d %s instances: about %d MiB each plus %d MiB kept free needs"
                                + " %d MiB, the host has %d MiB available; lower --max to %d or less",
                        peak, t.backend(), per >> 20, MEMORY_RESERVE_BYTES >> 20, need >> 20, availableBytes >> 20,
                        fit));
            }
        }
    }

    /** Before each scale-up: other processes may have taken memory since the check at the start. */
    private static void checkMemoryBeforeScaling(BootTarget t, int adding, String stage) {
        long available = RunMetadata.HostInfo.memAvailable();
        long need = adding * t.memoryPerInstanceBytes() + MEMORY_RESERVE_BYTES;
        if (available >= 0 && need > available) {
            throw new UnibenchException(String.format(Locale.ROOT, "not enough memory to start %d more %s instances"
                    + " for %s: they need about %d MiB plus %d MiB kept free, the host has %d MiB available",
                    adding, t.backend(), stage, (adding * t.memoryPerInstanceBytes()) >> 20, MEMORY_RESERVE_BYTES >> 20,
                    available >> 20));
        }
    }

    private Result execute(RunMetadata meta) {
        Path dir;
        try {
            dir = ResultsDirectory.create(options.output().base(), options.output().exact(), BENCHMARK,
                    options.output().label(), Instant.now());
            describe(meta);
            meta.write(dir);
        } catch (IOException e) {
            throw new UnibenchException("could not create the results folder: " + e.getMessage(), e);
        }
        worker = Thread.currentThread();
        InterruptGuard guard = InterruptGuard.install("unibench-boot-interrupt", this::onInterrupt, this::grace);
        StopReason reason = StopReason.FAILED;
        String detail = null;
        ScheduledExecutorService sampler = null;
        try (BootCsv out = new BootCsv(dir)) {
            csv = out;
            runStart = System.nanoTime();
            sampler = startSampler();
            try {
                for (Backend b : options.backends()) {
                    backendIndex++;
                    currentBackend = b.id();
                    BootTarget t = targets.get(b);
                    if (options.cold() > 0) {
                        runCold(t);
                    }
                    if (options.churn()) {
                        runChurn(t);
                    }
                    removeAll();
                }
                reason = StopReason.COMPLETED;
                detail = events.size() + " boots recorded";
            } catch (Interrupted e) {
                reason = StopReason.INTERRUPTED;
                detail = "interrupted after " + events.size() + " boots";
            } catch (RuntimeException e) {
                if (interrupted) {
                    reason = StopReason.INTERRUPTED;
                    detail = "interrupted after " + events.size() + " boots (" + e.getMessage() + ")";
                } else {
                    detail = e instanceof UncheckedIOException u ? "could not write results in " + dir + ": "
                            + u.getCause().getMessage() : e.getMessage();
                    throw e instanceof UncheckedIOException ? new UnibenchException(detail, e) : e;
                }
            } finally {
                removeAll();
                if (sampler != null) {
                    sampler.shutdownNow();
                }
            }
            listener.finished(reason, detail);
            return new Result(dir, reason, detail, List.copyOf(events));
        } catch (IOException e) {
            detail = "could not write results in " + dir + ": " + e.getMessage();
            throw new UnibenchException(detail, e);
        } finally {
            try {
                meta.put("boots", events.size());
                meta.put("boot_failures", events.stream().filter(e -> !e.ready()).count());
                meta.finish(Instant.now(), reason, detail);
                meta.write(dir);
            } catch (IOException e) {
                listener.warning("could not rewrite run.json: " + e.getMessage());
            }
            guard.close();
        }
    }

    private void describe(RunMetadata meta) {
        options.describe().forEach(meta::parameter);
        meta.parameter("output", options.output().base().toString());
        Map<String, Object> backends = new LinkedHashMap<>();
        for (BootTarget t : targets.values()) {
            Map<String, Object> d = new LinkedHashMap<>(t.describe());
            d.put("memory_per_instance_estimate_bytes", t.memoryPerInstanceBytes());
            backends.put(t.backend().id(), d);
            t.tools().forEach(meta::tool);
            t.caveats().forEach(meta::caveat);
        }
        meta.put("backends", backends);
        Map<String, Object> readiness = new LinkedHashMap<>();
        readiness.put("definition", "first correct application answer on the instance's own host endpoint; "
                + "a TCP connect never counts");
        readiness.put("probe", spec.probe());
        readiness.put("per_try_timeout_ms", BootProbe.perTry(spec.probe().type()).toNanos() / 1e6);
        readiness.put("gap_between_tries_ms", ReadinessWait.GAP_NANOS / 1e6);
        readiness.put("clock", "System.nanoTime; phases in ms since just before the start call");
        readiness.put("breakdown", "guest_entry_ms: host clock, ms since the start call, when the instance's own"
                + " code began (unikernel: the host time its ready line appeared, watched every 1 ms, minus its own"
                + " entry-to-ready time, so QEMU's own start; container: the engine's State.StartedAt);"
                + " guest_clock_ms, guest_devices_ms, guest_ready_ms: the unikernel's own TSC, ms since its entry"
                + " (boot stamps it prints on its console after its first answer)");
        meta.put("readiness", readiness);
        if (options.churn()) {
            List<Map<String, Object>> periods = new ArrayList<>();
            for (ChurnSchedule.Period p : options.schedule().periods()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("period", p.index());
                m.put("instances", p.instances());
                m.put("restarts", p.restarts().size());
                m.put("victims", p.restarts().stream().map(ChurnSchedule.Restart::slot).toList());
                periods.add(m);
            }
            meta.put("schedule", periods);
        }
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("peak_instances_per_backend", options.peakInstances());
        mem.put("reserve_bytes", MEMORY_RESERVE_BYTES);
        mem.put("available_bytes_at_start", RunMetadata.HostInfo.memAvailable());
        meta.put("memory_check", mem);
    }

    // ---- the two modes -------------------------------------------------------------------------------

    private void runCold(BootTarget t) {
        for (int w = 1; w <= options.warmup(); w++) {
            checkInterrupted();
            listener.activity(t.backend().id(), "warm-up boot " + w + "/" + options.warmup() + " (not recorded)");
            Deployer.Start s = launch(t);
            BootEvent e = measure(t, s, BootEvent.Kind.cold, 1, 0);
            remove(t, s.instance());
            if (!e.ready()) {
                listener.warning(t.backend() + " warm-up boot " + w + " failed (" + e.outcome() + ": " + e.detail() + ")");
            }
        }
        List<BootEvent> group = new ArrayList<>();
        long backendStart = System.nanoTime();
        try {
            for (int cycle = 1; cycle <= options.cold(); cycle++) {
                checkInterrupted();
                Deployer.Start s = launch(t);
                BootEvent e = measure(t, s, BootEvent.Kind.cold, 1, cycle);
                group.add(e);
                coldPerBootNanos = (System.nanoTime() - backendStart) / cycle;
                long left = coldPerBootNanos * (options.cold() - cycle) + churnPlannedNanos() + laterBackendsNanos();
                record(t, e, "cold " + cycle + "/" + options.cold(), group, left);
                remove(t, s.instance());
            }
        } finally {
            summarize(group);
        }
    }

    private void runChurn(BootTarget t) {
        ChurnSchedule schedule = options.schedule();
        List<Instance> slots = new ArrayList<>();
        int periods = schedule.periods().size();
        for (ChurnSchedule.Period p : schedule.periods()) {
            checkInterrupted();
            String stage = "period " + p.index() + "/" + periods;
            int missing = p.instances() - slots.size();
            checkMemoryBeforeScaling(t, missing, stage);
            listener.activity(t.backend().id(), stage + ": launching " + missing + " instance"
                    + (missing == 1 ? "" : "s") + " to reach " + p.instances());
            while (slots.size() < p.instances()) {
                checkInterrupted();
                Deployer.Start s = launch(t);
                BootEvent e = measure(t, s, BootEvent.Kind.churn, p.instances(), 0);
                if (!e.ready()) {
                    listener.warning(t.backend() + " " + e.instance() + " launched for " + stage + " did not "
                            + "become ready (" + e.outcome() + ": " + e.detail() + "); it stays in the pool");
                }
                slots.add(s.instance());
            }
            List<BootEvent> group = new ArrayList<>();
            long periodStart = System.nanoTime();
            long periodNanos = schedule.period().toNanos();
            long plannedEnd = periodStart + (long) (periods - p.index() + 1) * periodNanos + laterBackendsNanos();
            try {
                for (ChurnSchedule.Restart r : p.restarts()) {
                    sleepUntil(periodStart + r.offsetNanos());
                    Instance victim = slots.get(r.slot());
                    t.kill(victim);
                    Deployer.Start s = t.restart(victim);
                    track(t, s.instance());
                    slots.set(r.slot(), s.instance());
                    BootEvent e = measure(t, s, BootEvent.Kind.churn, p.instances(), r.cycle());
                    group.add(e);
                    record(t, e, stage, group, Math.max(0, plannedEnd - System.nanoTime()));
                }
            } finally {
                summarize(group); // also the partial period of an interrupted run
            }
            sleepUntil(periodStart + periodNanos);
        }
    }

    // ---- one boot --------------------------------------------------------------------------------------

    private Deployer.Start launch(BootTarget t) {
        Deployer.Start s = t.launch();
        track(t, s.instance());
        return s;
    }

    /** Waits for the first correct answer of a just-started instance and turns its phases into an event. */
    private BootEvent measure(BootTarget t, Deployer.Start s, BootEvent.Kind kind, int runningInstances, int cycle) {
        Instance inst = s.instance();
        ReadinessWait.Outcome o;
        try (s; ReadinessProbe probe = new BootProbe(Probes.forSpec(spec.probe(), inst.endpoints()),
                BootProbe.perTry(spec.probe().type()))) {
            long t0 = s.t0Nanos();
            try {
                o = ReadinessWait.await(probe, t0 + options.bootTimeout().toNanos(), new ReadinessWait.Watch() {
                    @Override
                    public String failure() {
                        return s.failure();
                    }

                    @Override
                    public void poll() {
                        s.poll();
                    }
                });
            } catch (RuntimeException e) {
                // the start handle found the instance unusable (e.g. its host port was taken)
                o = new ReadinessWait.Outcome(false, 0, 0, "", String.valueOf(e.getMessage()));
            }
            if (interrupted) {
                throw new Interrupted();
            }
            long console = s.consoleReadyNanos();
            if (o.ready() && (console < 0 || s.stampsPending())) {
                long until = System.nanoTime() + CONSOLE_GRACE_NANOS;
                while ((console < 0 || s.stampsPending()) && System.nanoTime() - until < 0) {
                    LockSupport.parkNanos(1_000_000);
                    s.poll();
                    console = s.consoleReadyNanos();
                }
            }
            BootEvent.Guest guest = o.ready() ? guest(s, t0) : BootEvent.Guest.NONE;
            BootEvent.Outcome outcome = o.ready() ? BootEvent.Outcome.ready
                    : o.failure() != null ? BootEvent.Outcome.crashed : BootEvent.Outcome.timeout;
            String detail = switch (outcome) {
                case ready -> null;
                case crashed -> o.failure();
                case timeout -> "no correct answer within " + Units.formatDuration(options.bootTimeout()) + " ("
                        + probe.describe() + "; last try: " + o.lastAnswer() + ")";
            };
            return new BootEvent(kind, t.backend().id(), spec.service(), runningInstances, cycle, inst.id(),
                    s.plumbingNanos() < 0 ? null : s.plumbingNanos() / 1e6, ms(t0, s.spawnedNanos()),
                    ms(t0, s.startedNanos()), ms(t0, console),
                    o.ready() ? (o.readyNanos() - t0) / 1e6 : null, outcome, detail, guest);
        }
    }

    /** The breakdown of a ready boot: the guest's entry on the host clock, its own steps on its clock. */
    static BootEvent.Guest guest(Deployer.Start s, long t0) {
        GuestStamps g = s.guestStamps();
        long entry = s.guestEntryNanos();
        return new BootEvent.Guest(entry < 0 ? null : (entry - t0) / 1e6, g == null ? null : g.clockMs(),
                g == null ? null : g.devicesMs(), g == null ? null : g.readyMs());
    }

    private long churnPlannedNanos() {
        return options.churn() ? options.schedule().plannedDuration().toNanos() : 0;
    }

    /** Planned time of the backends after the current one (cold boots at the pace measured so far). */
    private long laterBackendsNanos() {
        long perBackend = coldPerBootNanos * options.cold() + churnPlannedNanos();
        return (options.backends().size() - backendIndex) * perBackend;
    }

    private void summarize(List<BootEvent> group) {
        if (group.isEmpty()) {
            return;
        }
        write(() -> csv.summary(group));
        BootEvent first = group.get(0);
        List<Double> ready = group.stream().filter(BootEvent::ready).map(BootEvent::answerMs).toList();
        listener.summary(first.kind().name(), first.backend(), first.runningInstances(), BootStats.of(ready),
                group.size() - ready.size());
    }

    private static Double ms(long t0, long t) {
        return BootEvent.ms(t0, t);
    }

    private void record(BootTarget t, BootEvent e, String stage, List<BootEvent> group, long nanosLeft) {
        events.add(e);
        write(() -> csv.event(e));
        if (!e.ready()) {
            List<String> tail;
            try {
                tail = t.consoleTail(alive(e.instance()), CONSOLE_LINES);
            } catch (RuntimeException ex) {
                tail = List.of("(console not readable: " + ex.getMessage() + ")");
            }
            List<String> lines = tail;
            write(() -> csv.failure(e, lines));
        }
        List<Double> ready = group.stream().filter(BootEvent::ready).map(BootEvent::answerMs).toList();
        long count = events.stream().filter(x -> x.backend().equals(e.backend())).count();
        listener.event(e, new BootListener.Progress(e.backend(), stage, running, (int) count, e.answerMs(),
                ready.isEmpty() ? null : BootStats.of(ready).p50(), nanosLeft));
    }

    // ---- bookkeeping -----------------------------------------------------------------------------------

    private synchronized void track(BootTarget t, Instance i) {
        alive.put(i.id(), new Alive(t, i));
        running = alive.size();
    }

    private synchronized Instance alive(String id) {
        Alive a = alive.get(id);
        return a == null ? null : a.instance();
    }

    private void remove(BootTarget t, Instance i) {
        t.remove(i);
        synchronized (this) {
            alive.remove(i.id());
            running = alive.size();
        }
    }

    /** Removes every instance of the run that is still there; failures become warnings naming the ids. */
    private void removeAll() {
        boolean wasInterrupted = Thread.interrupted();
        List<Alive> left;
        synchronized (this) {
            left = new ArrayList<>(alive.values());
        }
        if (!left.isEmpty()) {
            listener.activity(currentBackend, "removing " + left.size() + " instance" + (left.size() == 1 ? "" : "s"));
        }
        List<String> failed = new ArrayList<>();
        for (Alive a : left) {
            try {
                remove(a.target(), a.instance());
            } catch (RuntimeException e) {
                failed.add(a.instance().id() + " (" + e.getMessage() + ")");
            }
        }
        if (!failed.isEmpty()) {
            listener.warning("could not remove " + String.join(", ", failed) + "; try 'unibench destroy --all'");
        }
        if (wasInterrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkInterrupted() {
        if (interrupted) {
            throw new Interrupted();
        }
    }

    private void sleepUntil(long deadline) {
        while (true) {
            checkInterrupted();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Thread.sleep(Math.min(200, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                if (interrupted) {
                    throw new Interrupted();
                }
                Thread.currentThread().interrupt();
                throw new UnibenchException("interrupted", e);
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void write(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ScheduledExecutorService startSampler() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "unibench-host-load");
            th.setDaemon(true);
            return th;
        });
        HostLoad load = new HostLoad();
        load.cpuPct(); // baseline for the first second
        s.scheduleAtFixedRate(() -> {
            try {
                csv.hostLoad((System.nanoTime() - runStart) / 1e9, currentBackend, running, load.cpuPct(),
                        load.memUsedBytes());
            } catch (IOException | RuntimeException e) {
                // a missing sample is not worth failing the run; the CSV shows the gap
            }
        }, 1, 1, TimeUnit.SECONDS);
        return s;
    }

    /** Shutdown hook (Ctrl-C): end the run and wait until its instances are removed and files written. */
    /** Ctrl-C: stop booting; the run's finally removes what it started and writes its results. */
    private void onInterrupt() {
        interrupted = true;
        Thread w = worker;
        if (w != null) {
            w.interrupt();
        }
    }

    /** How long Ctrl-C waits for that: the removal of every instance still alive, plus the files. */
    private Duration grace() {
        int n;
        synchronized (this) {
            n = alive.size();
        }
        return Duration.ofSeconds(30).plusMillis(500L * n);
    }
}
