package io.unibench.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "boot", mixinStandardHelpOptions = true,
        description = {"Boot time under orchestration churn: N instances up, kill a random one, restart it, time",
            "from the start call until the service answers; grow N from --start to --max."})
final class BenchBootCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "both", description = "qemu, docker or both (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--service", defaultValue = "dns", description = "dns or web (default: ${DEFAULT-VALUE}).")
    String service;

    @Option(names = "--start", defaultValue = "10", description = "Instances in the first period (default: ${DEFAULT-VALUE}).")
    int start;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench bench boot", 6);
    }
}
