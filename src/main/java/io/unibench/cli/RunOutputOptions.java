package io.unibench.cli;

import io.unibench.bench.OpenLoopRun;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a benchmark writes its run folder and how loudly it runs: shared by every benchmark command. */
final class RunOutputOptions {
    @Option(names = "--output", paramLabel = "DIR",
            description = "Run folder to create (must not exist). Default: a new folder under results/.")
    Path output;

    @Option(names = "--label", paramLabel = "TEXT", description = "Label in the results folder name and run.json.")
    String label;

    @Option(names = {"-q", "--quiet"}, description = "No live progress on stderr.")
    boolean quiet;

    /** Exactly --output, or a new folder under results/ named after the benchmark and label. */
    OpenLoopRun.Output output(String benchmark) {
        return OpenLoopRun.Output.of(output, benchmark, label);
    }
}
