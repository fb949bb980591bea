package io.unibench.cli;

import io.unibench.Units;
import io.unibench.UsageException;
import io.unibench.bench.OpenLoopRun;
import io.unibench.bench.boot.BootBenchmark;
import io.unibench.bench.boot.BootListener;
import io.unibench.bench.boot.BootOptions;
import io.unibench.bench.boot.ChurnSchedule;
import io.unibench.bench.boot.DeployerBootTarget;
import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.results.BootEvent;
import io.unibench.results.BootStats;
import io.unibench.results.RunMetadata;
import io.unibench.results.StopReason;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "boot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Boot time under orchestration churn: N instances up; every --interval a random one is killed",
            "(SIGKILL, no grace) and started again, timed from just before the start call to the first correct",
            "answer (DNS reply with the expected record / HTTP 200 with the expected body) on its own endpoint.",
            "N grows from --start by --step to --max, each for --period. The defaults are the 2018 study's",
            "schedule (10..140 instances, 20 minutes each). --cold N instead boots one instance N times with",
            "nothing else running; given with schedule options, the cold boots run first, then the churn.",
            "Backends run one after the other with the same seeded schedule. The defaults take about 9 h 20 min",
            "per backend: a run that may last over 10 minutes prints how long, and how to shorten it, first.",
            "Writes boot-events.csv, boot-summary.csv, host-load.csv and run.json to a new results folder."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench bench boot --cold 20",
            "  unibench bench boot --cold 10 --start 5 --step 5 --max 10 --period 20s --interval 2s",
            "  unibench bench boot --backend qemu --start 10 --step 10 --max 140 --period 60s",
            "  unibench bench boot --backend docker --service web --start 2 --step 2 --max 4 --period 15s --recreate",
            "  unibench bench boot --backend libvirt --cold 5 --libvirt-uri qemu+ssh://root@server/system"})
final class BenchBootCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "both", paramLabel = "BACKEND",
            description = UnibenchCommand.BACKEND_HELP)
    String backend;

    @Option(names = "--service", defaultValue = "dns", paramLabel = "SERVICE",
            description = "dns or web (any manifest in unikernels/services; default: ${DEFAULT-VALUE}).")
    String service;

    @Option(names = "--start", defaultValue = "10", paramLabel = "N",
            description = "Instances in the first period (default: ${DEFAULT-VALUE}).")
    int start;

    @Option(names = "--step", defaultValue = "10", paramLabel = "N",
            description = "Instances added at each period (default: ${DEFAULT-VALUE}).")
    int step;

    @Option(names = "--max", defaultValue = "140", paramLabel = "N",
            description = "Instances in the last period (default: ${DEFAULT-VALUE}).")
    int max;

    @Option(names = "--period", defaultValue = "20m", converter = Converters.DurationConverter.class,
            paramLabel = "DURATION", description = "Length of each period (default: ${DEFAULT-VALUE}).")
    Duration period;

    @Option(names = "--interval", defaultValue = "5s", converter = Converters.DurationConverter.class,
            paramLabel = "DURATION", description = "Time between two restarts within a period (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--cold", defaultValue = "0", paramLabel = "N", showDefaultValue = CommandLine.Help.Visibility.NEVER,
            description = "N sequential boots of a single instance, nothing else running; alone, instead of the churn,"
                    + " with --start/--step/--max/--period/--interval, before it.")
    int cold;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N",
            description = "With --cold: boots per backend before the measured ones, not recorded (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--boot-timeout", defaultValue = "10s", converter = Converters.DurationConverter.class,
            paramLabel = "DURATION",
            description = "A boot without a correct answer by then is recorded as 'timeout' (default: ${DEFAULT-VALUE}).")
    Duration bootTimeout;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the random choice of instances to restart (default: drawn; recorded in run.json).")
    Long seed;

    @Option(names = "--cpu-layout", paramLabel = "split|shared", description = io.unibench.bench.CpuLayout.HELP
            + " Here the generator is the prober; run.json records the first boot's placement per backend.")
    String cpuLayout;

    @Option(names = "--recreate",
            description = "Remove the killed instance and start a new one (Docker: a new container; default: the "
                    + "backend's restart, for Docker the same container started again, as the study did). QEMU and "
                    + "native always spawn a new process.")
    boolean recreate;

    @picocli.CommandLine.Mixin
    QemuOptionsMixin qemuOptions;

    @picocli.CommandLine.Mixin
    RemoteOptionsMixin remoteOptions;

    @picocli.CommandLine.Mixin
    RunOutputOptions run;

    @picocli.CommandLine.Mixin
    NetworkOptions network;

    @Spec
    CommandSpec spec;

    private static final List<String> CHURN_OPTIONS = List.of("--start", "--step", "--max", "--period", "--interval",
            "--recreate");

    @Override
    public Integer call() {
        List<Backend> backends = Backend.parseChoice(backend);
        if (spec.commandLine().getParseResult().hasMatchedOption("--cold") && cold <= 0) {
            // 0 must not silently mean "the churn schedule" (hours): a count is positive or left out
            throw new UsageException("--cold must be a positive number of boots (got " + cold + "); leave it out to"
                    + " run only the churn schedule");
        }
        if (warmup < 0) {
            throw new UsageException("--warmup must not be negative (got " + warmup + ")");
        }
        io.unibench.bench.CpuLayout layout = io.unibench.bench.CpuLayout.choose(cpuLayout);
        BackendOptions backendOptions = BackendOptions.defaults().with(qemuOptions.options())
                .with(remoteOptions.options());
        long seedValue = seed != null ? seed : System.currentTimeMillis();
        ChurnSchedule schedule = ChurnSchedule.of(start, step, max, period, interval, seedValue);
        OpenLoopRun.Output out = run.output(BootBenchmark.BENCHMARK);
        // --cold alone measures cold boots only; with a schedule option (or without --cold) the churn runs too
        boolean churn = cold == 0 || CHURN_OPTIONS.stream().anyMatch(spec.commandLine().getParseResult()::hasMatchedOption);
        BootOptions options = new BootOptions(backends, service, schedule, cold, warmup, churn, bootTimeout, recreate,
                out);
        run.checkRules(io.unibench.results.FailOn.BOOT, "bench boot");
        ServiceCatalog catalog = ServiceCatalog.load();
        ServiceSpec serviceSpec = catalog.get(service);
        out.check();
        network.validate();
        StateStore state = StateStore.open();
        if (io.unibench.deploy.lab.InsideLab.labName() == null) {
            network.checkRoom(state, Math.max(max, 1));
        }
        io.unibench.deploy.lab.Lab lab = network.ensureLab(state);
        if (lab != null && !io.unibench.deploy.lab.InsideLab.inside(lab)) {
            return NetworkOptions.reexecInside(lab, spec);
        }

        RunMetadata meta = new RunMetadata(BootBenchmark.BENCHMARK, Invocation.commandLine(spec), Instant.now());
        if (run.label != null) {
            meta.put(RunMetadata.LABEL, run.label);
        }
        Duration expected = expected(schedule, churn, backends.size());
        if (expected.compareTo(RampOptions.LONG_RUN) > 0) {
            spec.commandLine().getErr().println("bench boot: expected to take about " + Units.formatDuration(expected)
                    + (churn ? " (" + schedule.periods().size() + " periods of " + Units.formatDuration(period) + " on "
                    + backends.size() + " backend" + (backends.size() > 1 ? "s" : "") + ")" : "")
                    + "; shorten it with --max, --period or --backend, or measure cold boots only with --cold N");
            spec.commandLine().getErr().flush();
        }
        BootProgress progress = new BootProgress(spec.commandLine().getErr(), run.quiet);
        List<io.unibench.deploy.Deployer> deployers = new java.util.ArrayList<>();
        for (Backend b : backends) {
            deployers.add(b.deployer(new io.unibench.deploy.Deployer.Context(state, catalog, backendOptions, null)));
        }
        meta.put("network", NetworkOptions.describe(lab, deployers, serviceSpec));
        BootBenchmark.Result r;
        try (io.unibench.bench.CpuLayout.Boots boots = layout.forBoots(meta)) {
            r = BootBenchmark.run(options, serviceSpec,
                    b -> DeployerBootTarget.open(b, state, catalog, serviceSpec, backendOptions, recreate,
                            progress::warning, lab).onCpus(boots),
                    meta, progress);
        }
        return run.finish(r.dir(), r.reason(), spec);
    }

    /**
     * The live line on stderr: on a terminal rewritten at every boot (stage, running instances, boots so far,
     * last and median boot, time left); off a terminal one line per failed boot and per finished group.
     */
    /** The churn periods plus about a second per cold boot, per backend. */
    static Duration expected(ChurnSchedule schedule, boolean churn, int backends) {
        Duration one = Duration.ZERO;
        if (churn) {
            one = one.plus(schedule.period().multipliedBy(schedule.periods().size()));
        }
        return one.multipliedBy(backends);
    }

    static final class BootProgress implements BootListener {
        private final StatusLine status;
        private final boolean quiet;

        BootProgress(PrintWriter err, boolean quiet) {
            this.status = new StatusLine(err, quiet);
            this.quiet = quiet;
        }

        @Override
        public synchronized void activity(String backend, String what) {
            status.line(backend + ": " + what);
        }

        @Override
        public synchronized void event(BootEvent e, BootListener.Progress p) {
            if (quiet) {
                return;
            }
            String text = String.format(Locale.ROOT, "%s %s  running %d  boots %d  last %s  median %s  left %s",
                    p.backend(), p.stage(), p.running(), p.events(),
                    e.ready() ? ms(e.answerMs()) : e.outcome().name(), ms(p.medianMs()),
                    Units.formatDuration(Duration.ofNanos(p.nanosLeft())));
            if (status.live()) {
                status.update(text);
            } else if (!e.ready()) {
                status.line(text);
            }
        }

        @Override
        public synchronized void summary(String kind, String backend, int running, BootStats stats, int failures) {
            status.line(String.format(Locale.ROOT, "%s %s with %d running: %d boots, %d failed, p50 %s, p90 %s, max %s",
                    backend, kind, running, stats.count() + failures, failures, ms(stats.p50()), ms(stats.p90()),
                    ms(stats.max())));
        }

        @Override
        public synchronized void warning(String message) {
            status.warning(message);
        }

        @Override
        public synchronized void finished(StopReason reason, String detail) {
            status.line("stopped: " + reason.label() + (detail == null ? "" : " (" + detail + ")"));
        }

        private static String ms(Double v) {
            return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.1fms", v);
        }
    }
}
