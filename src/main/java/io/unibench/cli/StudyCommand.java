package io.unibench.cli;

import io.unibench.bench.OpenLoopRun;
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
import picocli.CommandLine;

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
        // every benchmark runs as the command a user would type, through this same command tree
        // (their stdout goes to our stderr with the progress: our stdout is only the study folder, for scripts)
        StudyRunner.CommandRunner commands = args -> {
            CommandLine cl = Main.commandLine();
            cl.setOut(spec.commandLine().getErr());
            cl.setErr(spec.commandLine().getErr());
            return cl.execute(args.toArray(String[]::new));
        };
        List<String> commandLine = Invocation.commandLine(spec);
        StudyRunner.Result r = new StudyRunner(p, backends, commands, deployments, catalog, System.err)
                .run(out.base(), out.exact(), commandLine);
        spec.commandLine().getOut().println(r.dir());
        spec.commandLine().getOut().flush();
        System.err.println("study " + r.reason().label() + (r.failure() == null ? "" : ": " + r.failure())
                + "; report: " + r.dir().resolve("report").resolve("index.html"));
        if (r.reason() == StopReason.INTERRUPTED) {
            return Main.EXIT_INTERRUPTED;
        }
        return r.reason() == StopReason.COMPLETED ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }
}
