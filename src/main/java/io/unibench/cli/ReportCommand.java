package io.unibench.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Draw charts (SVG, PNG) and one self-contained index.html from result folders.",
        footerHeading = "%nExamples:%n",
        footer = {"  unibench report results/20261129T120000Z-dns-knot"})
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RESULTS_DIR", description = "One or more result folders.")
    List<Path> dirs;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench report", 7);
    }
}
