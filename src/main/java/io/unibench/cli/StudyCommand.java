package io.unibench.cli;

import io.unibench.bench.OpenLoopRun;
import io.unibench.bench.RampListener;
import io.unibench.bench.boot.BootListener;
import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import io.unibench.results.StopReason;
import io.unibench.study.NetworkComparison;
import io.unibench.study.StudyProfile;
import io.unibench.study.StudyRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

@Command(name = "study", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole unikernel-vs-container study: build, deploy DNS and web on QEMU/KVM and Docker,",
            "measure the idle footprint, run the DNS and HTTP ramps on both, the boot benchmark (cold boots and",
            "churn), tear everything down and draw the report; all in one results folder."},
        footerHeading = "%nProfiles:%n",
        footer = {"  smoke  about 1 minute; every part, tiny ramps (what CI runs)",
            "  quick  5 to 10 minutes, ramps to each break point (the quick start's default)",
            "  full   the 2018 study's method: 5-minute steps from 100 by 100 until the server breaks;",
            "         boot periods of 20 minutes from 10 to 140 instances (many hours)",
            "",
            "Examples:",
            "  unibench study",
            "  unibench study --profile smoke --output /tmp/smoke",
            "  unibench study --profile full --backend qemu"})
final class StudyCommand implements Callable<Integer> {
    @Option(names = "--profile", defaultValue = "quick", paramLabel = "NAME",
            description = "smoke, quick or full (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--backend", defaultValue = "both", paramLabel = "BACKEND",
            description = UnibenchCommand.BACKEND_HELP)
    String backend;

    @Option(names = "--network", paramLabel = "MODE",
            description = "lab (each instance on a bridge in a lab unibench owns, no proxy; needs root), forward "
                    + "(127.0.0.1 through slirp / docker-proxy) or both (two studies side by side, and what the "
                    + "forwarder costs per backend) (default: lab for smoke and quick, both for full).")
    String network;

    @Option(names = "--lab", defaultValue = "study", paramLabel = "NAME",
            description = "The lab lab mode uses, created when missing (default: ${DEFAULT-VALUE}).")
    String lab;

    @Option(names = "--cpu-layout", paramLabel = "split|shared", description = io.unibench.bench.CpuLayout.HELP
            + " Applied to every DNS and HTTP benchmark and to the boot benchmark's instances.")
    String cpuLayout;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Study folder to create (must not exist). Default: a new folder under results/.")
    Path output;

    @picocli.CommandLine.Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        StudyProfile p = StudyProfile.of(profile);
        List<Backend> backends = Backend.parseChoice(backend);
        OpenLoopRun.Output out = OpenLoopRun.Output.of(output, "study", p.name());
        out.check();
        String mode = network == null ? p.defaultNetwork() : network;
        if (!List.of("lab", "forward", "both").contains(mode)) {
            throw new io.unibench.UsageException("--network must be lab, forward or both (got '" + mode + "')");
        }
        io.unibench.deploy.lab.Lab.checkName(lab);
        io.unibench.bench.CpuLayout layout = io.unibench.bench.CpuLayout.choose(cpuLayout);
        if (!mode.equals("forward")) {
            io.unibench.deploy.lab.Labs.requirePrivileges();
            io.unibench.deploy.lab.Labs.requireTools(true);
        }
        if (mode.equals("both")) {
            return both(p, out);
        }
        StateStore state = StateStore.open();
        io.unibench.deploy.lab.Lab l = null;
        if (mode.equals("lab")) {
            l = new io.unibench.deploy.lab.Labs(state).ensure(lab, null);
            if (!io.unibench.deploy.lab.InsideLab.inside(l)) {
                return NetworkOptions.reexecInside(l, spec);
            }
        }
        ServiceCatalog catalog = ServiceCatalog.load();
        Deployments deployments = Deployments.create(state, catalog, BackendOptions.defaults(),
                new DeployProgress(spec.commandLine().getErr(), false));
        if (l != null) {
            deployments.inLab(l);
        }
        // the benchmarks' progress goes to stderr: our stdout is only the study folder, for scripts
        StudyRunner.Listeners listeners = new StudyRunner.Listeners() {
            @Override
            public RampListener ramp(String rateUnit) {
                return new ProgressPrinter(System.err, false, rateUnit);
            }

            @Override
            public BootListener boot() {
                return new BenchBootCommand.BootProgress(spec.commandLine().getErr(), false);
            }
        };
        List<String> commandLine = Invocation.commandLine(spec);
        StudyRunner runner = new StudyRunner(p, backends, listeners, deployments, catalog, BackendOptions.defaults(),
                System.err);
        if (l != null) {
            runner.inLab(l);
        }
        runner.cpuLayout(layout);
        StudyRunner.Result r = runner.run(out.base(), out.exact(), commandLine);
        // summary.json: the study's folder and every sub-run's headline (as their own summary.json say)
        io.unibench.results.RunSummary summary = null;
        if (java.nio.file.Files.isRegularFile(r.dir().resolve(io.unibench.results.RunMetadata.FILE))) {
            summary = io.unibench.results.RunSummary.of(r.dir());
            try {
                summary.write(r.dir());
            } catch (java.io.IOException e) {
                System.err.println("warning: could not write " + r.dir().resolve(io.unibench.results.RunSummary.FILE)
                        + ": " + e.getMessage());
            }
        }
        spec.commandLine().getOut().print(json.on() && summary != null ? summary.json() : r.dir() + "\n");
        spec.commandLine().getOut().flush();
        System.err.println("study " + r.reason().label() + (r.failure() == null ? "" : ": " + r.failure())
                + "; report: " + r.dir().resolve("report").resolve("index.html"));
        if (r.reason() == StopReason.INTERRUPTED) {
            return Main.EXIT_INTERRUPTED;
        }
        return r.reason() == StopReason.COMPLETED ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }

    /**
     * {@code --network both}: the study through the forwarders ({@code forward/}), then on the lab bridge
     * ({@code lab/}), in one folder, with one report over both and {@code network-comparison.csv}: each
     * backend's capacity in both modes and the ratio lab/forward.
     */
    private int both(StudyProfile p, OpenLoopRun.Output out) {
        java.nio.file.Path dir;
        try {
            dir = io.unibench.results.ResultsDirectory.create(out.base(), out.exact(), "study", p.name() + "-both",
                    java.time.Instant.now());
        } catch (java.io.IOException e) {
            throw new io.unibench.UnibenchException("could not create the study folder: " + e.getMessage(), e);
        }
        io.unibench.results.RunMetadata meta = new io.unibench.results.RunMetadata("study",
                Invocation.commandLine(spec), java.time.Instant.now());
        meta.put("profile", p.name());
        meta.put("network", java.util.Map.of("mode", "both", "forward", "forward/", "lab", "lab/"));
        List<String> common = new ArrayList<>(List.of("study", "--profile", p.name(), "--backend", backend));
        if (cpuLayout != null) {
            common.addAll(List.of("--cpu-layout", cpuLayout));
        }
        int worst = Main.EXIT_OK;
        List<java.util.Map<String, Object>> stages = new ArrayList<>();
        for (String mode : List.of("forward", "lab")) {
            List<String> args = new ArrayList<>(common);
            args.addAll(List.of("--network", mode, "--lab", lab, "--output", dir.resolve(mode).toString()));
            CommandLine cl = Main.commandLine();
            cl.setOut(spec.commandLine().getErr());
            cl.setErr(spec.commandLine().getErr());
            System.err.println("==> study " + mode + ": unibench " + String.join(" ", args));
            int code = cl.execute(args.toArray(String[]::new));
            stages.add(java.util.Map.of("name", mode, "command", args, "exit", code));
            worst = Math.max(worst, code);
            if (code == Main.EXIT_INTERRUPTED) {
                break;
            }
        }
        try {
            NetworkComparison.write(dir, dir.resolve("forward"), dir.resolve("lab"));
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("warning: could not write " + NetworkComparison.FILE + ": " + e.getMessage());
        }
        CommandLine cl = Main.commandLine();
        cl.setOut(spec.commandLine().getErr());
        cl.setErr(spec.commandLine().getErr());
        cl.execute("report", dir.resolve("forward").toString(), dir.resolve("lab").toString(), "--output",
                dir.resolve("report").toString());
        meta.put("stages", stages);
        meta.finish(java.time.Instant.now(), worst == Main.EXIT_OK ? StopReason.COMPLETED
                : worst == Main.EXIT_INTERRUPTED ? StopReason.INTERRUPTED : StopReason.FAILED, null);
        try {
            meta.write(dir);
        } catch (java.io.IOException e) {
            System.err.println("warning: could not write run.json: " + e.getMessage());
        }
        spec.commandLine().getOut().println(dir);
        spec.commandLine().getOut().flush();
        return worst;
    }
}
