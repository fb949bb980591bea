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
            "Backends run one after the other with the same seeded schedule.",
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

    @Option(names = "--cold", defaultValue = "0", paramLabel = "N",
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

    @Spec
    CommandSpec spec;

    private static final List<String> CHURN_OPTIONS = List.of("--start", "--step", "--max", "--period", "--interval",
            "--recreate");

    @Override
    public Integer call() {
        List<Backend> backends = Backend.parseChoice(backend);
        BackendOptions backendOptions = BackendOptions.defaults().with(qemuOptions.options())
                .with(remoteOptions.options());
        long seedValue = seed != null ? seed : System.currentTimeMillis();
        ChurnSchedule schedule = ChurnSchedule.of(start, step, max, period, interval, seedValue);
        OpenLoopRun.Output out = run.output(BootBenchmark.BENCHMARK);
        // --cold alone measures cold boots only; with a schedule option (or without --cold) the churn runs too
        boolean churn = cold == 0 || CHURN_OPTIONS.stream().anyMatch(spec.commandLine().getParseResult()::hasMatchedOption);
        BootOptions options = new BootOptions(backends, service, schedule, cold, warmup, churn, bootTimeout, recreate,
                out);
        ServiceCatalog catalog = ServiceCatalog.load();
        ServiceSpec serviceSpec = catalog.get(service);
        out.check();

        RunMetadata meta = new RunMetadata(BootBenchmark.BENCHMARK, Invocation.commandLine(spec), Instant.now());
        if (run.label != null) {
            meta.put(RunMetadata.LABEL, run.label);
        }
        BootProgress progress = new BootProgress(spec.commandLine().getErr(), run.quiet);
        StateStore state = StateStore.open();
        BootBenchmark.Result r = BootBenchmark.run(options, serviceSpec,
                b -> DeployerBootTarget.open(b, state, catalog, serviceSpec, backendOptions, recreate, progress::warning),
                meta, progress);
        spec.commandLine().getOut().println(r.dir());
        spec.commandLine().getOut().flush();
        return r.reason() == StopReason.INTERRUPTED ? Main.EXIT_INTERRUPTED : Main.EXIT_OK;
    }

    /**
     * The live line on stderr: on a terminal rewritten at every boot (stage, running instances, boots so far,
     * last and median boot, time left); off a terminal one line per failed boot and per finished group.
     */
    static final class BootProgress implements BootListener {
        private final PrintWriter err;
        private final boolean quiet;
        private final boolean live;
        private boolean dirty;

        BootProgress(PrintWriter err, boolean quiet) {
            this.err = err;
            this.quiet = quiet;
            this.live = System.console() != null && System.getenv("TERM") != null
                    && !"dumb".equals(System.getenv("TERM"));
        }

        @Override
        public synchronized void activity(String backend, String what) {
            if (quiet) {
                return;
            }
            line(backend + ": " + what, false);
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
            if (live) {
                err.print("\r\033[K" + text);
                err.flush();
                dirty = true;
            } else if (!e.ready()) {
                line(text, false);
            }
        }

        @Override
        public synchronized void summary(String kind, String backend, int running, BootStats stats, int failures) {
            if (quiet) {
                return;
            }
            line(String.format(Locale.ROOT, "%s %s with %d running: %d boots, %d failed, p50 %s, p90 %s, max %s",
                    backend, kind, running, stats.count() + failures, failures, ms(stats.p50()), ms(stats.p90()),
                    ms(stats.max())), false);
        }

        @Override
        public synchronized void warning(String message) {
            line("warning: " + message, true);
        }

        @Override
        public synchronized void finished(StopReason reason, String detail) {
            if (quiet) {
                return;
            }
            line("stopped: " + reason.label() + (detail == null ? "" : " (" + detail + ")"), false);
        }

        private void line(String text, boolean always) {
            if (quiet && !always) {
                return;
            }
            if (dirty) {
                err.print("\r\033[K");
                dirty = false;
            }
            err.println(text);
            err.flush();
        }

        private static String ms(Double v) {
            return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.1fms", v);
        }
    }
}
