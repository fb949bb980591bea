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

@Command(name = "study", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole unikernel-vs-container study: build, deploy DNS and web on QEMU/KVM and Docker,",
            "measure the idle footprint, run the DNS and HTTP ramps on both, the boot benchmark (cold boots and",
            "churn), tear everything down and draw the report; all in one results folder."},
        footerHeading = "%nProfiles:%n",
        footer = {"  smoke  about 1 minute; every part, tiny ramps (what CI runs)",
            "  quick  about 5 minutes (the quick start's default)",
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
        ServiceCatalog catalog = ServiceCatalog.load();
        Deployments deployments = Deployments.create(StateStore.open(), catalog, BackendOptions.defaults(),
                new DeployProgress(spec.commandLine().getErr(), false));
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
        StudyRunner.Result r = new StudyRunner(p, backends, listeners, deployments, catalog, BackendOptions.defaults(),
                System.err)
                .run(out.base(), out.exact(), commandLine);
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
}
