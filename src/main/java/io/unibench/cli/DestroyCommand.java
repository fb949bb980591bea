package io.unibench.cli;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.docker.DockerClients;
import io.unibench.deploy.docker.DockerOptions;
import io.unibench.deploy.remote.RemoteOptions;
import io.unibench.deploy.qemu.QemuOptions;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = {"Stop and remove instances that unibench created (never anything else):",
            "containers by their unibench.* labels, QEMU by the pid and QMP socket it recorded, libvirt",
            "domains by the owner in their metadata. Each instance is removed on the host it was recorded on."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench destroy --all", "  unibench destroy qemu-dns-1"})
final class DestroyCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "ID", description = "Instance ids (see 'unibench status').")
    List<String> ids;

    @Option(names = "--all", description = "Every instance unibench created (also those of a killed deploy).")
    boolean all;

    @picocli.CommandLine.Mixin
    RemoteOptionsMixin remoteOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<String> wanted = ids == null ? List.of() : ids;
        if (all && !wanted.isEmpty()) {
            throw new UsageException("give instance ids or --all, not both");
        }
        if (!all && wanted.isEmpty()) {
            throw new UsageException("which instances? give ids (see 'unibench status') or --all");
        }
        RemoteOptions remote = remoteOptions.options();
        if (all) {
            DockerClients.warmUpInBackground(remote.docker());
        }
        StateStore state = StateStore.open();
        PrintWriter out = spec.commandLine().getOut();
        Deployments d = Deployments.create(state, ServiceCatalog.load(), QemuOptions.defaults(),
                DockerOptions.defaults(), remote, new DeployProgress(spec.commandLine().getErr(), true));
        Set<Backend> strays = EnumSet.noneOf(Backend.class);
        if (all) {
            strays.addAll(Strays.backendsWithStrays(d, state, remote));
        }
        Map<String, String> done = d.destroy(wanted, all, strays);
        if (done.isEmpty()) {
            out.println("nothing to destroy (state: " + state.dir() + ")");
        }
        done.forEach((id, how) -> out.println("destroyed " + id + ": " + how));
        out.flush();
        return Main.EXIT_OK;
    }
}
