package io.unibench.deploy.gvisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.transport.DockerHttpClient;
import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.docker.DockerClients;
import io.unibench.deploy.docker.DockerDeployer;
import io.unibench.deploy.docker.DockerOptions;
import io.unibench.results.Caveat;
import io.unibench.util.Doctor;
import io.unibench.util.Processes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The same container images run by Docker with the gVisor runtime ({@code runsc}): the service's system
 * calls are served by gVisor's user-space kernel (the Sentry) instead of the host kernel. Everything else
 * (labels, ports, limits, kill and restart) is the Docker backend's.
 * <p>
 * unibench never edits the daemon's configuration: the runtime must be registered under the name
 * {@code runsc} ({@link #FIX}); {@code doctor} says whether it is, and a deploy without it is refused.
 * Its registered arguments are recorded in run.json: the platform ({@code ptrace} here, the slowest; KVM or
 * systrap on other hosts) and the network mode ({@code --network=host}: gVisor's own network stack is
 * bypassed and the host kernel's stack of the container's namespace serves the sockets, which this host needs
 * and which makes gVisor's network path cheaper than it is by default).
 */
public final class GvisorDeployer extends DockerDeployer {
    public static final String RUNTIME = "runsc";
    /** The daemon.json snippet and reload command that register the runtime (also in scripts/lib/host.sh). */
    public static final String FIX = "add {\"runtimes\":{\"runsc\":{\"path\":\"/usr/bin/runsc\",\"runtimeArgs\":"
            + "[\"--platform=ptrace\",\"--network=host\"]}}} to /etc/docker/daemon.json (merged with what is there), "
            + "then reload the daemon: kill -HUP $(pidof dockerd)";
    /**
     * One sandbox's host memory, measured here: containerd-shim (~13 MB RSS), runsc-gofer (~20 MB),
     * runsc-sandbox (~25 MB), docker-proxy (~3.5 MB).
     */
    public static final long SANDBOX_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The runtime as the daemon has it registered: path and arguments; null when it is not. */
    record Registered(String path, List<String> args) {
        String flag(String name) {
            for (String a : args) {
                if (a.startsWith("--" + name + "=")) {
                    return a.substring(name.length() + 3);
                }
            }
            return null;
        }
    }

    private final Supplier<Registered> lookup;

    public GvisorDeployer(Deployer.Context context) {
        super(context.state(), context.catalog(), context.options().get(DockerOptions.class, DockerOptions::defaults));
        this.lookup = this::askDaemon;
    }

    /** With the daemon's answer given (tests: a daemon without the runtime). */
    GvisorDeployer(Deployer.Context context, Supplier<Registered> lookup) {
        super(context.state(), context.catalog(), context.options().get(DockerOptions.class, DockerOptions::defaults));
        this.lookup = lookup;
    }

    /**
     * runsc cannot update a running container's resources, so the sandbox's own host threads (the runsc
     * sandbox and gofer in the container's cgroup) are pinned with {@code sched_setaffinity}; threads they
     * start later inherit it.
     */
    @Override
    public io.unibench.util.Affinity.Pinning place(io.unibench.deploy.Instance instance,
                                                   io.unibench.util.CpuSet cpus) {
        if (instance.containerId() == null) {
            return io.unibench.util.Affinity.Pinning.unsupported(cpus, "no container for " + instance.id());
        }
        List<String> failures = new ArrayList<>();
        List<Long> tids = List.of();
        for (int pass = 0; pass < 2; pass++) { // twice: threads started during the first pass
            tids = containerTasks(instance);
            for (long tid : tids) {
                String f = io.unibench.util.Affinity.setThread(tid, cpus);
                if (f != null && java.nio.file.Files.exists(java.nio.file.Path.of("/proc", Long.toString(tid)))) {
                    failures.add(f);
                }
            }
        }
        Map<String, io.unibench.util.CpuSet> threads = readBackTasks(containerTasks(instance));
        return new io.unibench.util.Affinity.Pinning(cpus, "sched_setaffinity on every host thread of the runsc "
                + "sandbox (" + tids.size() + " in the container's cgroup; runsc cannot update a running container)",
                threads, !failures.isEmpty() ? String.join("; ", failures.stream().distinct().limit(3).toList())
                : threads.isEmpty() ? "no sandbox thread found" : null);
    }

    @Override
    public Backend backend() {
        return Backend.gvisor;
    }

    @Override
    protected String runtime() {
        return RUNTIME;
    }

    /** The {@code runsc} runtime as the daemon has it; null when not registered. */
    Registered registered() {
        return lookup.get();
    }

    private Registered askDaemon() {
        DockerHttpClient.Request req = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
                .path("/info").build();
        try (DockerHttpClient.Response r = DockerClients.http().execute(req)) {
            if (r.getStatusCode() != 200) {
                throw new UnibenchException("the Docker daemon's info call answered " + r.getStatusCode());
            }
            return parse(JSON.readTree(r.getBody()));
        } catch (IOException e) {
            throw new UnibenchException("cannot read the Docker daemon's runtimes: " + e.getMessage(), e);
        }
    }

    /** The runsc entry of an info document's {@code Runtimes}, null when absent. */
    static Registered parse(JsonNode info) {
        JsonNode rt = info.path("Runtimes").path(RUNTIME);
        if (rt.isMissingNode() || rt.isNull()) {
            return null;
        }
        List<String> args = new ArrayList<>();
        rt.path("runtimeArgs").forEach(a -> args.add(a.asText()));
        return new Registered(rt.path("path").asText(null), List.copyOf(args));
    }

    @Override
    public List<Doctor.Check> prerequisites() {
        List<Doctor.Check> checks = new ArrayList<>(super.prerequisites());
        if (!checks.get(0).ok()) {
            checks.add(new Doctor.Check("gvisor runtime", false, "unknown: the Docker daemon is not reachable", Set.of()));
            return checks;
        }
        Registered r;
        try {
            r = registered();
        } catch (UnibenchException e) {
            checks.add(new Doctor.Check("gvisor runtime", false, e.getMessage(), Set.of()));
            return checks;
        }
        checks.add(new Doctor.Check("gvisor runtime", r != null, r != null
                ? "runsc registered: " + r.path() + " " + String.join(" ", r.args()) + " (" + version() + ")"
                : "no 'runsc' runtime registered with Docker (needed for --backend gvisor): " + FIX, Set.of()));
        return checks;
    }

    @Override
    public void preflight(ServiceSpec spec) {
        if (registered() == null) {
            throw new UsageException("--backend gvisor needs the 'runsc' runtime registered with Docker: " + FIX);
        }
        super.preflight(spec);
    }

    private static String version() {
        String v = Processes.firstLineOrNull(RUNTIME, "--version");
        return v == null ? "runsc not on PATH" : v;
    }

    @Override
    public long hostMemoryPerInstanceBytes(ServiceSpec spec) {
        return SANDBOX_BYTES;
    }

    @Override
    public Map<String, String> tools() {
        Map<String, String> m = new LinkedHashMap<>(super.tools());
        m.put("runsc", version());
        return m;
    }

    @Override
    public Map<Caveat, String> caveats(ServiceSpec spec) {
        Registered r = registered();
        String platform = r == null || r.flag("platform") == null ? "ptrace" : r.flag("platform");
        String net = r == null ? null : r.flag("network");
        return Map.of(Caveat.GVISOR_RUNTIME, "gVisor (runsc) ran with --platform=" + platform
                + ("ptrace".equals(platform) ? " (its slowest platform: every system call of the service is trapped"
                + " through ptrace; the KVM or systrap platforms cost far less where they are available)" : "")
                + " and " + ("host".equals(net) ? "--network=host: gVisor's own network stack is bypassed, the host"
                + " kernel serves the sockets, so its network path is cheaper (and less isolated) than gVisor's"
                + " default" : "its own network stack (netstack)")
                + "; docker-proxy forwards the published ports as for runc.");
    }

    @Override
    public Map<String, Object> facts(ServiceSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>(super.facts(spec));
        Registered r = registered();
        m.put("runtime", RUNTIME);
        m.put("runtime_path", r == null ? null : r.path());
        m.put("runtime_args", r == null ? null : r.args());
        m.put("platform", r == null || r.flag("platform") == null ? "ptrace (runsc's default)" : r.flag("platform"));
        String net = r == null ? null : r.flag("network");
        m.put("network_mode", net == null ? "sandbox (gVisor's netstack, runsc's default)" : net);
        m.put("network", "forward: docker-proxy on 127.0.0.1 published ports; inside the sandbox "
                + ("host".equals(net) ? "--network=host: the host kernel's stack of the container's namespace serves "
                + "the sockets (gVisor's netstack bypassed)" : "gVisor's own network stack"));
        return m;
    }
}
