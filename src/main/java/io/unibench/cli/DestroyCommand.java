package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.remote.RemoteOptions;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = {"Stop and remove instances that unibench created (never anything else):",
            "containers by their unibench.* labels, QEMU by the pid and QMP socket it recorded, native",
            "processes by the pid, start time and command line it recorded, libvirt domains by the owner in their",
            "metadata. Each instance is removed on the host its record names (a server's engines included)."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench destroy --all", "  unibench destroy qemu-dns-1", "  unibench destroy --all --backend native"})
final class DestroyCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "ID", description = "Instance ids (see 'unibench status').")
    List<String> ids;

    @Option(names = "--all", description = "Every instance unibench created (also those of a killed deploy).")
    boolean all;

    @Option(names = "--backend", defaultValue = "all", paramLabel = "BACKEND",
            description = "With --all: only the instances of these backends: " + UnibenchCommand.BACKEND_HELP)
    String backend;

    @picocli.CommandLine.Mixin
    RemoteOptionsMixin remoteOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        RemoteOptions remote = remoteOptions.options();
        List<String> wanted = ids == null ? List.of() : ids;
        if (all && !wanted.isEmpty()) {
            throw new UsageException("give instance ids or --all, not both");
        }
        if (!all && wanted.isEmpty()) {
            throw new UsageException("which instances? give ids (see 'unibench status') or --all");
        }
        List<Backend> backends = Backend.parseChoice(backend);
        if (!all && spec.commandLine().getParseResult().hasMatchedOption("--backend")) {
            throw new UsageException("--backend goes with --all (ids name their instances already)");
        }
        StateStore state = StateStore.open();
        PrintWriter out = spec.commandLine().getOut();
        Deployments d = Deployments.create(state, ServiceCatalog.load(), BackendOptions.defaults()
                        .with(remote),
                new DeployProgress(spec.commandLine().getErr(), true));
        if (all) {
            d.warmUp(backends);
        }
        Map<String, String> done = d.destroy(wanted, all, backends);
        if (done.isEmpty()) {
            out.println("nothing to destroy (state: " + state.dir() + ")");
        }
        done.forEach((id, how) -> out.println("destroyed " + id + ": " + how));
        out.flush();
        return Main.EXIT_OK;
    }
}
