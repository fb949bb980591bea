package io.unibench.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark and write its results (CSV + run.json) to a new folder under results/.",
        subcommands = {BenchDnsCommand.class, BenchHttpCommand.class, BenchBootCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
