package io.unibench.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploy services on QEMU/KVM and/or Docker and wait until each answers.",
            "'poc' deploys the proof-of-concept services (dns, web)."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench deploy poc", "  unibench deploy poc --backend qemu --json",
            "  unibench deploy dns --backend docker --count 10"})
final class DeployCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SERVICE", description = "poc, dns or web.")
    String service;

    @Option(names = "--backend", defaultValue = "both", description = "qemu, docker or both (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--count", defaultValue = "1", description = "Instances per backend (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--json", description = "Print one JSON document on stdout instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench deploy", 4);
    }
}
