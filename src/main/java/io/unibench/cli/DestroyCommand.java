package io.unibench.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = {"Stop and remove instances that unibench created (never anything else):",
            "containers by their unibench.* labels, QEMU by the pid and QMP socket it recorded."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench destroy --all", "  unibench destroy qemu-dns-1"})
final class DestroyCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "ID", description = "Instance ids (see 'unibench status').")
    List<String> ids;

    @Option(names = "--all", description = "Every instance unibench created.")
    boolean all;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench destroy", 4);
    }
}
