package io.unibench.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "http", mixinStandardHelpOptions = true,
        description = "Open-loop HTTP load at a constant or stepped request rate (wrk2-like).")
final class BenchHttpCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "URL", description = "http://HOST[:PORT]/PATH")
    String target;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench bench http", 5);
    }
}
