package io.unibench.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "unibench", mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Builds, deploys and measures the same network services (DNS, web) as unikernels on QEMU/KVM and"
                    + " as Docker containers, and writes reproducible results (CSV + run.json) under results/."},
        subcommands = {
            DoctorCommand.class,
            BuildCommand.class,
            DeployCommand.class,
            StatusCommand.class,
            DestroyCommand.class,
            LabCommand.class,
            BenchCommand.class,
            ReportCommand.class,
            CompareCommand.class,
            StudyCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:runtime failure (the reason is printed)",
            "2:bad input (one line on stderr; nothing started or written)",
            "3:a bench --fail-on rule was broken (results kept; the rule and the value printed)",
            "130:interrupted (Ctrl-C); instances torn down, partial results kept"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  unibench doctor",
            "  unibench bench dns --target 127.0.0.1:5353 --rate 1k --duration 10s",
            "  unibench bench dns --target 127.0.0.1:5353 --start-rate 1k --step 1k --step-duration 10s --max-rate 20k",
            "  unibench deploy poc --backend both",
            "  unibench destroy --all"})
public final class UnibenchCommand implements Runnable {
    /** The help of every --backend option ({@code unibench.backends} is set by {@link Main} from the registry). */
    static final String BACKEND_HELP = "${sys:unibench.backends}, both (= qemu,docker, the study's pair), all, or a "
            + "comma list (default: ${DEFAULT-VALUE}).";


    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces and debug logging on failures.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
