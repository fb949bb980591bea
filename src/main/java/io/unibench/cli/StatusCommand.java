package io.unibench.cli;

import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.remote.RemoteOptions;
import io.unibench.deploy.docker.DockerOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the instances unibench runs now: backend, endpoints, up-time, memory in use (QEMU and native:",
            "process RSS; containers: their memory cgroup or the Docker stats API) and whether each answers its",
            "readiness probe. Instances left by a killed deploy are shown too (destroy removes them)."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench status", "  unibench status --json", "  unibench status --no-probe",
            "  unibench status --backend gvisor,native"})
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON document on stdout instead of a table.")
    boolean json;

    @Option(names = "--no-probe", negatable = false, description = "Do not probe health (faster; healthy is null).")
    boolean noProbe;

    @Option(names = "--docker-stats-api", description = {"Read container memory through the Docker stats API only.",
        "By default it is read from the container's memory cgroup when the daemon is local (the same counters,",
        "without a daemon round trip per container), falling back to the stats API."})
    boolean statsApi;

    @Option(names = "--backend", defaultValue = "all", paramLabel = "BACKEND",
            description = "Only the instances of these backends: " + UnibenchCommand.BACKEND_HELP)
    String backend;

    @picocli.CommandLine.Mixin
    RemoteOptionsMixin remoteOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        RemoteOptions remote = remoteOptions.options();
        List<Backend> backends = Backend.parseChoice(backend);
        StateStore state = StateStore.open();
        ServiceCatalog catalog = ServiceCatalog.load();
        PrintWriter err = spec.commandLine().getErr();
        Deployments d = Deployments.create(state, catalog,
                BackendOptions.defaults().with(new DockerOptions(null, null, Duration.ofSeconds(2), statsApi))
                        .with(remote),
                new DeployProgress(err, true));
        d.warmUp(backends);
        List<Instance> known = d.known().stream().filter(i -> backends.contains(i.backend())).toList();
        Map<String, ServiceSpec> specs = new HashMap<>();
        for (String n : catalog.names()) {
            specs.put(n, catalog.get(n));
        }
        List<Deployments.Status> st = d.status(known, specs, !noProbe, Duration.ofMillis(300));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            InstanceViews.printJson(out, InstanceViews.statusDocument(st, state));
        } else if (st.isEmpty()) {
            out.println("no instances (state: " + state.dir() + ")");
        } else {
            InstanceViews.printStatusTable(out, st);
        }
        out.flush();
        return Main.EXIT_OK;
    }
}
