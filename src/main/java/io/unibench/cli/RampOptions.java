package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.bench.OpenLoopRun;
import io.unibench.bench.RampPlan;
import io.unibench.bench.ServerCpu;
import io.unibench.bench.StopConditions;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import io.unibench.results.RunMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import picocli.CommandLine.Option;

/**
 * Options shared by every open-loop benchmark (DNS, HTTP): the ramp or fixed rate, timing, stop
 * conditions and output. One mixin, so the benchmarks accept the same spellings and defaults.
 */
public final class RampOptions {
    /** Runs that may last longer than this say so, and how to shorten them, before they start. */
    static final Duration LONG_RUN = Duration.ofMinutes(10);

    @Option(names = "--instance", paramLabel = "ID",
            description = "The instance under load (an id from `unibench status`): its CPU time over each step's "
                    + "measured window goes into steps.csv (server_cpu_s, cpu_us_per_query).")
    String instance;

    @Option(names = "--rate", converter = Converters.RateConverter.class, paramLabel = "RATE",
            description = "Fixed rate per second for one step (instead of a ramp), e.g. 1k.")
    Double rate;

    @Option(names = "--duration", converter = Converters.DurationConverter.class, paramLabel = "DURATION",
            description = "Length of the fixed-rate step (default: 30s).")
    Duration duration;

    @Option(names = "--start-rate", converter = Converters.RateConverter.class, paramLabel = "RATE",
            description = "Rate of the first ramp step (default: 100).")
    Double startRate;

    @Option(names = "--step", converter = Converters.RateConverter.class, paramLabel = "RATE",
            description = "Rate added at each ramp step (default: 100).")
    Double step;

    @Option(names = "--step-duration", converter = Converters.DurationConverter.class, paramLabel = "DURATION",
            description = {"Measured length of each ramp step (default: 5m, the study's; a default ramp can run",
                "for hours: a run that may last over 10 minutes prints how long before it starts)."})
    Duration stepDuration;

    @Option(names = "--max-rate", paramLabel = "RATE|auto",
            description = "Last ramp step (default: 1M), or auto: step on until a stop condition fires, then "
                    + "bisect between the last good and the first failing step to within 5 %% (each refinement "
                    + "a recorded step), never above what the generator can send.")
    String maxRate;

    @Option(names = "--warmup", converter = Converters.DurationConverter.class, defaultValue = "1s",
            paramLabel = "DURATION",
            description = "Load sent before each step's measurement starts, not recorded (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--generator-warmup", converter = Converters.DurationConverter.class, defaultValue = "10s",
            paramLabel = "DURATION",
            description = "Before step 1 the generator (this JVM) loads the target at the first step's rate, "
                    + "recorded in no step, until its JIT compiler has settled (under 5 ms of compile time in each "
                    + "of two 250 ms looks, after at least 1 s), the target has been silent for 2 s (or "
                    + "--unresponsive, if shorter), for at most this long (default: ${DEFAULT-VALUE}; 0s: "
                    + "none). A fresh JVM compiles its send loops in its first seconds of load, on the "
                    + "sender's core; --warmup is per step, for the server. run.json records it "
                    + "(generator_warmup). None with bench dns --driver dnsperf (its own process, no JIT).")
    Duration generatorWarmup;

    @Option(names = "--cooldown", converter = Converters.DurationConverter.class, defaultValue = "0s",
            paramLabel = "DURATION", description = "Pause between steps (default: ${DEFAULT-VALUE}).")
    Duration cooldown;

    @Option(names = "--timeout", converter = Converters.DurationConverter.class, defaultValue = "5s",
            paramLabel = "DURATION",
            description = "Per exchange; no answer by then counts as lost (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--max-loss", defaultValue = "1", paramLabel = "PCT",
            description = "Stop when lost + failed exceed this percentage of sent (default: ${DEFAULT-VALUE}).")
    double maxLossPct;

    @Option(names = "--max-p99", converter = Converters.DurationConverter.class, defaultValue = "1s",
            paramLabel = "DURATION",
            description = "Stop when the corrected p99 latency exceeds this (default: ${DEFAULT-VALUE}).")
    Duration maxP99;

    @Option(names = "--min-completed", defaultValue = "90", paramLabel = "PCT",
            description = "Stop when the completed rate falls below this percentage of offered (default: ${DEFAULT-VALUE}).")
    double minCompletedPct;

    @Option(names = "--unresponsive", converter = Converters.DurationConverter.class, defaultValue = "10s",
            paramLabel = "DURATION",
            description = "Stop when nothing at all was answered for this long (default: ${DEFAULT-VALUE}).")
    Duration unresponsive;

    @Option(names = "--lab", paramLabel = "LAB",
            description = "Run the load generator inside lab LAB (its client side), so --target may be a lab address "
                    + "such as 10.0.0.100; needs root.")
    String lab;

    @Option(names = "--max-send-lag", converter = Converters.DurationConverter.class, defaultValue = "10ms",
            paramLabel = "DURATION",
            description = "Flag a step as generator-saturated when the generator's send-lag p99 exceeds this "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration maxSendLag;

    @Option(names = "--cpu-layout", paramLabel = "split|shared", description = io.unibench.bench.CpuLayout.HELP
            + " The instance is --instance, or the one unibench started that serves --target; run.json records "
            + "both placements, read back.")
    String cpuLayout;

    @picocli.CommandLine.Mixin
    RunOutputOptions run;

    /** The --cpu-layout on this host (checked before anything starts: split on a 1-CPU host is bad input). */
    io.unibench.bench.CpuLayout cpuLayout() {
        return io.unibench.bench.CpuLayout.choose(cpuLayout);
    }

    /**
     * Places the generator (this JVM) and the instance under load (--instance, else the recorded instance
     * serving {@code target}) as --cpu-layout says, and records both in run.json. Call before the engine
     * starts its threads.
     */
    io.unibench.bench.CpuLayout.Placed placeCpus(RunMetadata meta, java.net.InetSocketAddress target, PrintWriter err) {
        io.unibench.bench.CpuLayout layout = cpuLayout();
        StateStore state = StateStore.open();
        Instance inst = instance != null ? state.get(instance).orElseThrow(() -> new UsageException(
                "--instance: no instance '" + instance + "' (see unibench status)"))
                : io.unibench.bench.CpuLayout.serving(state, target).orElse(null);
        io.unibench.deploy.Deployer d = inst == null ? null : Deployments.create(state, ServiceCatalog.load(),
                BackendOptions.defaults(), new DeployProgress(err, true)).deployer(inst.backend());
        return layout.apply(d, inst, meta);
    }

    /**
     * With {@code --lab}: the lab, checked (root, recorded, its namespace ours). Without: null, and a target
     * inside a recorded lab's subnet is refused, so lab addresses are never loaded from the host namespace.
     */
    io.unibench.deploy.lab.Lab lab(java.net.InetAddress target) {
        io.unibench.deploy.StateStore state = io.unibench.deploy.StateStore.open();
        io.unibench.deploy.lab.Labs labs = new io.unibench.deploy.lab.Labs(state);
        if (lab == null) {
            if (io.unibench.deploy.lab.InsideLab.labName() == null) {
                for (io.unibench.deploy.lab.Lab l : labs.list()) {
                    for (io.unibench.deploy.lab.Segment s : l.segments()) {
                        if (s.subnet().offsetOf(target.getHostAddress()) > 0) {
                            throw new UsageException(target.getHostAddress() + " is an address of lab " + l.name()
                                    + " (" + s.subnet() + "): add --lab " + l.name() + " to load it from inside the lab");
                        }
                    }
                }
            }
            return null;
        }
        io.unibench.deploy.lab.Lab.checkName(lab);
        io.unibench.deploy.lab.Labs.requirePrivileges();
        io.unibench.deploy.lab.Lab l = labs.require(lab);
        if (labs.presence(l) != io.unibench.deploy.lab.Labs.Presence.ours) {
            throw new io.unibench.UnibenchException("lab " + l.name() + " has no namespace of ours (" + l.namespace()
                    + ")");
        }
        return l;
    }

    /** Where the generator ran, for run.json. */
    static void describeGenerator(RunMetadata meta, io.unibench.deploy.lab.Lab lab) {
        Map<String, Object> g = new java.util.LinkedHashMap<>();
        if (lab == null) {
            g.put("namespace", "host (default network namespace)");
        } else {
            g.put("lab", lab.name());
            g.put("namespace", lab.namespace());
            g.put("source_address", lab.defaultSegment().gateway());
            g.put("how", io.unibench.deploy.lab.InsideLab.how(lab));
            if (io.unibench.deploy.topology.Topologies.isTopology(lab)) {
                meta.put(io.unibench.deploy.topology.Topologies.RUN_JSON_KEY,
                        io.unibench.deploy.topology.Topologies.runJson(lab));
            }
        }
        meta.put("generator_network", g);
    }

    /** The rate plan these options describe; a usage error when they contradict each other. */
    public RampPlan plan() {
        return steps().withGeneratorWarmup(generatorWarmup);
    }

    private RampPlan steps() {
        boolean ramp = startRate != null || step != null || stepDuration != null || maxRate != null;
        if (rate != null) {
            if (ramp) {
                throw new UsageException("--rate/--duration (one fixed step) cannot be combined with "
                        + "--start-rate/--step/--step-duration/--max-rate (a ramp)");
            }
            Duration d = duration == null ? Duration.ofSeconds(30) : duration;
            if (!(rate > 0)) {
                throw new UsageException("--rate must be positive (got " + rate + ")");
            }
            if (d.isZero() || d.isNegative()) {
                throw new UsageException("--duration must be positive");
            }
            return RampPlan.fixed(rate, d, warmup);
        }
        if (duration != null) {
            throw new UsageException("--duration needs --rate (for a ramp use --step-duration)");
        }
        double start = startRate == null ? 100 : startRate;
        double by = step == null ? 100 : step;
        Duration each = stepDuration == null ? Duration.ofMinutes(5) : stepDuration;
        if ("auto".equals(maxRate)) {
            if (!(by > 0)) {
                throw new UsageException("--step must be positive (got " + by + ")");
            }
            return RampPlan.auto(start, by, each, warmup, cooldown);
        }
        double max;
        try {
            max = maxRate == null ? 1_000_000 : io.unibench.Units.parseRate(maxRate);
        } catch (UsageException e) {
            throw new UsageException("--max-rate: " + e.getMessage() + " (or auto)");
        }
        return new RampPlan(start, by, max, each, warmup, cooldown);
    }

    public StopConditions stops() {
        return new StopConditions(maxLossPct, maxP99, minCompletedPct, unresponsive, maxSendLag);
    }

    public Duration timeout() {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new UsageException("--timeout must be positive");
        }
        return timeout;
    }

    public Path output() {
        return run.output;
    }

    public String label() {
        return run.label;
    }

    public boolean quiet() {
        return run.quiet;
    }

    /**
     * Checks the output folder (before anything is written) and starts the run's metadata with the
     * command line, every ramp parameter and the label: the part every open-loop benchmark shares.
     */
    RunMetadata startMetadata(String benchmark, picocli.CommandLine.Model.CommandSpec spec) {
        run.checkRules(io.unibench.results.FailOn.RAMP, "bench " + benchmark);
        output(benchmark).check();
        RampPlan p = plan();
        if (p.autoMax()) {
            // an auto ramp's length is where the server breaks: its worst case (every step) says nothing
            long pct = Math.round(io.unibench.bench.RampRunner.REFINE_TOLERANCE * 100);
            spec.commandLine().getErr().println("bench " + benchmark + ": --max-rate auto steps on until a stop"
                    + " condition fires, then bisects to within " + pct + " % (steps of "
                    + io.unibench.Units.formatDuration(p.stepDuration()) + " + "
                    + io.unibench.Units.formatDuration(p.warmup()) + " warm-up)");
            spec.commandLine().getErr().flush();
        } else if (p.longest().compareTo(LONG_RUN) > 0) {
            spec.commandLine().getErr().println("bench " + benchmark + ": up to " + io.unibench.Units.formatDuration(
                    p.longest()) + " (" + p.rates().size() + " steps of " + io.unibench.Units.formatDuration(
                    p.stepDuration()) + " + " + io.unibench.Units.formatDuration(p.warmup())
                    + " warm-up) unless a stop condition ends it first; shorten it with --step-duration, --max-rate"
                    + " or a larger --step");
            spec.commandLine().getErr().flush();
        }
        RunMetadata meta = new RunMetadata(benchmark, Invocation.commandLine(spec), java.time.Instant.now());
        describe().forEach(meta::parameter);
        if (run.label != null) {
            meta.put(RunMetadata.LABEL, run.label);
        }
        return meta;
    }

    /** Where the run's folder goes: exactly --output, or a new folder under results/. */
    OpenLoopRun.Output output(String benchmark) {
        return run.output(benchmark);
    }

    /** The live progress line for this run (silent with --quiet). */
    ProgressPrinter progress(String rateUnit) {
        return new ProgressPrinter(System.err, run.quiet, rateUnit);
    }

    /** summary.json, the folder or --json document on stdout, --fail-on; the exit code. */
    int finish(OpenLoopRun.Result result, picocli.CommandLine.Model.CommandSpec spec) {
        return run.finish(result.dir(), result.outcome().reason(), spec);
    }

    /**
     * The CPU time of the instance under load (--instance, else the recorded instance serving {@code target},
     * as for the CPU placement), recorded in run.json ({@code server_instance}); null when neither is known.
     * An unknown id is bad input.
     */
    LongSupplier serverCpu(RunMetadata meta, java.net.InetSocketAddress target, PrintWriter err) {
        StateStore state = StateStore.open();
        Instance inst = instance != null ? state.get(instance).orElseThrow(() -> new UsageException(
                "--instance: no instance '" + instance + "' (see unibench status)"))
                : io.unibench.bench.CpuLayout.serving(state, target).orElse(null);
        if (inst == null) {
            return null;
        }
        ServiceCatalog catalog = ServiceCatalog.load();
        Deployments d = Deployments.create(state, catalog, BackendOptions.defaults(), new DeployProgress(err, true));
        meta.put("server_instance", Map.of("id", inst.id(), "backend", inst.backend().id(), "service",
                inst.service()));
        // what the backend says about its measurements (QEMU's CPU time under KVM halt polling) goes with the
        // cost per query read from it, as in a study's run.json
        if (catalog.names().contains(inst.service())) {
            d.deployer(inst.backend()).caveats(catalog.get(inst.service())).forEach(meta::caveat);
        }
        return ServerCpu.of(d.deployer(inst.backend()), inst);
    }

    /** Every value that shapes the run, for run.json. */
    public Map<String, Object> describe() {
        return plan().describe(timeout(), stops());
    }
}
