package io.unibench.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "study", mixinStandardHelpOptions = true,
        description = "Run the whole unikernel-vs-container study (build, deploy, DNS, HTTP, boot, footprint, report).")
final class StudyCommand implements Callable<Integer> {
    @Option(names = "--profile", defaultValue = "quick", description = "smoke, quick or full (default: ${DEFAULT-VALUE}).")
    String profile;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench study", 7);
    }
}
