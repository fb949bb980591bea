package io.unibench.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the instances unibench runs now: backend, endpoints, up-time, memory, health.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON document on stdout instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench status", 4);
    }
}
