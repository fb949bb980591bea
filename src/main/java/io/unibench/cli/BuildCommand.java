package io.unibench.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Build the unikernel images (make -C unikernels) and the container images (from containers/),",
            "then print each service's unikernel image size next to its container image size."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench build", "  unibench build unikernels"})
final class BuildCommand implements Callable<Integer> {
    enum What { unikernels, containers, all }

    @Parameters(index = "0", arity = "0..1", defaultValue = "all", paramLabel = "WHAT",
            description = "unikernels, containers or all (default: ${DEFAULT-VALUE}).")
    What what;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench build", 4);
    }
}
