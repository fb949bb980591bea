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
import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.deploy.InstanceState;
import io.unibench.deploy.lab.InsideLab;
import io.unibench.deploy.lab.Lab;
import io.unibench.deploy.lab.Labs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
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
        // one try and one retry of up to 1 s each: 300 ms was too short for a just-booted guest's HTTP answer
        // while eight instances started beside it on a loaded CI host (a healthy web unikernel reported NO)
        List<Deployments.Status> st = d.status(known, specs, !noProbe, Duration.ofSeconds(1));
        if (!noProbe && InsideLab.labName() == null) {
            st = probeInsideLabs(state, st, err);
        } else if (!noProbe) {
            java.util.Optional<Lab> here = new Labs(state).get(InsideLab.labName());
            if (here.isPresent() && io.unibench.deploy.topology.Topologies.isTopology(here.get())) {
                // inside a topology: which hop is broken, seen from the client
                io.unibench.deploy.topology.TopologyPlan plan = io.unibench.deploy.topology.Topologies.plan(here.get());
                st = io.unibench.deploy.topology.TopologyHealth.annotate(here.get(), st,
                        io.unibench.deploy.topology.TopologyHealth.traceroute(plan.dns(), plan.hops().size()));
            }
        }
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

    /**
     * Health of lab instances, asked of a 'status --json' run inside each lab that has running instances
     * (a lab address is never probed from the host namespace). Without the privileges to enter a lab the
     * health stays unknown, with the reason.
     */
    private static List<Deployments.Status> probeInsideLabs(StateStore state, List<Deployments.Status> st,
                                                          PrintWriter err) {
        Labs labs = new Labs(state);
        Map<String, JsonNode> health = new HashMap<>();
        java.util.Set<String> asked = new java.util.TreeSet<>();
        for (Deployments.Status s : st) {
            if (s.instance().lab() != null && s.observation().state() == InstanceState.running) {
                asked.add(s.instance().lab().lab());
            }
        }
        boolean privileged = !asked.isEmpty() && privileged();
        for (String name : asked) {
            java.util.Optional<Lab> lab = labs.get(name);
            if (!privileged || lab.isEmpty() || labs.presence(lab.get()) != Labs.Presence.ours) {
                continue;
            }
            StringWriter out = new StringWriter();
            int code = InsideLab.runUnibench(lab.get(), List.of("status", "--json"), new PrintWriter(out, true), err,
                    false);
            if (code != Main.EXIT_OK) {
                continue;
            }
            try {
                for (JsonNode n : InstanceViews.JSON.readTree(out.toString()).path("instances")) {
                    if (n.path("lab").path("lab").asText().equals(name)) {
                        health.put(n.path("id").asText(), n);
                    }
                }
            } catch (java.io.IOException e) {
                // leave their health unknown
            }
        }
        List<Deployments.Status> merged = new ArrayList<>();
        for (Deployments.Status s : st) {
            JsonNode n = health.get(s.instance().id());
            if (n != null && !n.path("healthy").isNull()) {
                merged.add(new Deployments.Status(s.instance(), s.observation(), n.path("healthy").asBoolean(),
                        n.path("health_detail").asText(), s.uptime()));
            } else if (s.instance().lab() != null && s.observation().state() == InstanceState.running && !privileged) {
                merged.add(new Deployments.Status(s.instance(), s.observation(), null,
                        "in lab " + s.instance().lab().lab() + ": not probed (entering a lab needs root)", s.uptime()));
            } else {
                merged.add(s);
            }
        }
        return merged;
    }

    private static boolean privileged() {
        try {
            Labs.requirePrivileges();
            return true;
        } catch (io.unibench.UsageException e) {
            return false;
        }
    }
}
