package io.unibench.cli;

import io.unibench.UnibenchException;
import io.unibench.bench.OpenLoopRun;
import io.unibench.results.FailOn;
import io.unibench.results.RunSummary;
import io.unibench.results.StopReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Where a benchmark writes its run folder, how loudly it runs, what it prints at the end and which
 * thresholds it must keep: shared by every benchmark command, so they all end the same way
 * ({@link #finish}).
 */
final class RunOutputOptions {
    @Option(names = "--output", paramLabel = "DIR",
            description = "Run folder to create (must not exist). Default: a new folder under results/.")
    Path output;

    @Option(names = "--label", paramLabel = "TEXT", description = "Label in the results folder name and run.json.")
    String label;

    @Option(names = {"-q", "--quiet"}, description = "No live progress on stderr.")
    boolean quiet;

    @Mixin
    JsonOption json;

    @Option(names = "--fail-on", paramLabel = "RULES",
            description = {"Exit 3 when a rule is broken, e.g. \"loss>1%%,p99>10ms\" (bench dns/http: loss, p50, p90,",
                "p99, p99_9, max, break_point<RATE; bench boot: boot_p50, boot_p90, boot_p99, boot_failures).",
                "Without it a ramp stopped by a failing server still exits 0: that is a result."})
    String failOn;

    private List<FailOn.Rule> rules = List.of();

    /** Parses --fail-on for a command with these metrics; call before anything starts (bad rules: exit 2). */
    void checkRules(Set<String> metrics, String command) {
        rules = FailOn.parse(failOn, metrics, command);
    }

    /**
     * The end of every benchmark: writes summary.json into the run folder, prints the folder (or, with
     * --json, the summary document) on stdout and each broken --fail-on rule on stderr. Exit code: 130
     * interrupted, 3 a rule broken, else 0.
     */
    int finish(Path dir, StopReason reason, CommandSpec spec) {
        RunSummary summary = RunSummary.of(dir);
        List<FailOn.Violation> broken = FailOn.check(rules, summary.figures());
        summary.withRules(rules, broken);
        try {
            summary.write(dir);
        } catch (IOException e) {
            throw new UnibenchException("could not write " + dir.resolve(RunSummary.FILE) + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json.on() ? summary.json() : dir + "\n");
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        broken.forEach(v -> err.println(v.message()));
        err.flush();
        if (reason == StopReason.INTERRUPTED) {
            return Main.EXIT_INTERRUPTED;
        }
        return broken.isEmpty() ? Main.EXIT_OK : Main.EXIT_THRESHOLD;
    }

    /** Exactly --output, or a new folder under results/ named after the benchmark and label. */
    OpenLoopRun.Output output(String benchmark) {
        return OpenLoopRun.Output.of(output, benchmark, label);
    }
}
