package io.unibench.cli;

import io.unibench.report.Report;
import io.unibench.report.ReportOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Draw charts (SVG, PNG) and one self-contained index.html from result folders:",
            "a bench dns, http or boot run, a study (its run folders and footprint.csv),",
            "or a folder of runs. Folders given together are compared side by side.",
            "Prints the path of index.html; --json prints the page's data model instead",
            "(also written as report.json beside index.html)."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench report results/20261129T120000Z-dns-knot",
            "  unibench report results/*-dns-qemu results/*-dns-docker",
            "  unibench report results/20261129T130000Z-study -o /tmp/study-report",
            "  unibench report results/20261129T130000Z-study --json | jq '.page.caveats[].id'"})
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RESULTS_DIR", description = "One or more result folders.")
    List<Path> dirs;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = {"Report folder to create; must not exist (default:", "<first RESULTS_DIR>/report, or report-2, ... when taken)."})
    Path output;

    @picocli.CommandLine.Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // the arguments as typed, from the root command on (they include "report")
        List<String> commandLine = Invocation.commandLine(spec);
        Report.Result r = Report.run(new ReportOptions(dirs, output, commandLine));
        if (json.on()) {
            spec.commandLine().getOut().print(r.json());
        } else {
            spec.commandLine().getOut().println(r.index());
        }
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
