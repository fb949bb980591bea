package io.unibench.deploy.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.transport.DockerHttpClient;
import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.Units;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.ImageBuilder;
import io.unibench.deploy.Instance;
import io.unibench.deploy.InstanceState;
import io.unibench.deploy.PortInUseException;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.ServiceSpec.ContainerSpec;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.lab.Cni;
import io.unibench.deploy.lab.Ip;
import io.unibench.deploy.lab.LabLink;
import io.unibench.deploy.lab.LabPlacement;
import io.unibench.deploy.remote.RemoteOptions;
import io.unibench.util.Doctor;
import io.unibench.util.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs services as Docker containers through docker-java: created with {@code unibench.*} labels (the
 * owner label is the state directory, so only our own containers are ever touched; the backend label
 * keeps the runtimes apart), memory and CPU limits, ports published on 127.0.0.1 only, and an init
 * process as PID 1 (a clean, fast stop). Stop sends SIGTERM, kills after a short grace, then removes the
 * container; its output is saved to the logs folder first.
 * <p>
 * The OCI runtime is the daemon's default (runc) here; a subclass names another one ({@link #runtime()}) and
 * adds what that runtime needs (the gVisor backend).
 */
public class DockerDeployer implements Deployer {
    public static final String LABEL_MANAGED = "unibench.managed";
    public static final String LABEL_ID = "unibench.id";
    public static final String LABEL_SERVICE = "unibench.service";
    public static final String LABEL_OWNER = "unibench.owner";
    /** The backend that created the container; absent on containers of older versions (then docker). */
    public static final String LABEL_BACKEND = "unibench.backend";
    /**
     * One container's host memory: containerd-shim (~13 MB RSS), one docker-proxy per published port
     * (~3.5 MB), the static service (< 1 MB) and kernel objects (cgroup, netns, veth), measured here.
     */
    public static final long CONTAINER_BYTES = 24L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PORT_IN_ERROR = Pattern.compile("[0-9a-fA-F.:\\]]+:(\\d+)");

    protected final StateStore state;
    protected final DockerOptions options;
    private final ServiceCatalog catalog;
    /** The engine new instances start on; recorded instances name their own ({@link #endpointOf}). */
    protected final DockerEndpoint endpoint;
    private final String advertiseAddress;
    private final Map<String, Map<String, Container>> snapshots = new java.util.HashMap<>();
    private final Map<String, Long> snapshotsAt = new java.util.HashMap<>();

    public DockerDeployer(Deployer.Context context) {
        this(context.state(), context.catalog(), context.options().get(DockerOptions.class, DockerOptions::defaults),
                context.options().get(RemoteOptions.class, RemoteOptions::local));
    }

    public DockerDeployer(StateStore state, DockerOptions options) {
        this(state, null, options, RemoteOptions.local());
    }

    protected DockerDeployer(StateStore state, ServiceCatalog catalog, DockerOptions options) {
        this(state, catalog, options, RemoteOptions.local());
    }

    /**
     * On the engine {@code remote} names; a remote engine publishes the ports on the advertised address
     * (default: the engine's host), the address clients reach them on.
     */
    protected DockerDeployer(StateStore state, ServiceCatalog catalog, DockerOptions options, RemoteOptions remote) {
        this.state = state;
        this.catalog = catalog;
        this.options = options;
        this.endpoint = remote.docker();
        String a = remote.dockerAdvertiseAddress();
        this.advertiseAddress = a != null ? a : endpoint.remote() ? endpoint.serverHost() : "127.0.0.1";
    }

    /** Forward mode on the engine's host: published ports bound on the advertised address. */
    @Override
    public List<Endpoint> endpoints(ServiceSpec spec, java.util.function.IntSupplier ports) {
        List<Endpoint> eps = new ArrayList<>();
        for (ServiceSpec.PortSpec p : spec.ports()) {
            eps.add(new Endpoint(p.name(), p.protocol(), advertiseAddress, ports.getAsInt(), p.port()));
        }
        return eps;
    }

    public DockerEndpoint endpoint() {
        return endpoint;
    }

    /** The engine an instance was started on (recorded), whatever this deployer's own endpoint. */
    static DockerEndpoint endpointOf(Instance i) {
        String h = i.detail("docker_endpoint");
        if (h == null) {
            return DockerEndpoint.local();
        }
        return new DockerEndpoint(h, path(i.detail("docker_tls_dir")), path(i.detail("docker_ssh_key")),
                path(i.detail("docker_ssh_known_hosts")));
    }

    private static Path path(String p) {
        return p == null ? null : Path.of(p);
    }

    /** The client of the engine an instance lives on. */
    protected static DockerClient docker(Instance i) {
        return DockerClients.get(endpointOf(i));
    }

    /** The endpoint's facts an instance records, so status and destroy reach the same engine later. */
    private Map<String, String> endpointDetails() {
        Map<String, String> d = new LinkedHashMap<>();
        if (endpoint.host() != null) {
            d.put("docker_endpoint", endpoint.host());
        }
        if (endpoint.tlsDir() != null) {
            d.put("docker_tls_dir", endpoint.tlsDir().toString());
        }
        if (endpoint.sshKey() != null) {
            d.put("docker_ssh_key", endpoint.sshKey().toString());
        }
        if (endpoint.knownHosts() != null) {
            d.put("docker_ssh_known_hosts", endpoint.knownHosts().toString());
        }
        if (endpoint.remote()) {
            d.put("server", endpoint.serverHost());
        }
        return d;
    }

    @Override
    public Backend backend() {
        return Backend.docker;
    }

    /** The OCI runtime containers run with; null for the daemon's default (runc). */
    protected String runtime() {
        return null;
    }

    protected DockerClient docker() {
        return DockerClients.get(endpoint);
    }

    @Override
    public void warmUp() {
        DockerClients.warmUpInBackground(endpoint);
    }

    @Override
    public List<Doctor.Check> prerequisites() {
        Set<Doctor.Purpose> needed = java.util.EnumSet.of(Doctor.Purpose.build);
        needed.addAll(Doctor.RUNNING);
        if (endpoint.remote()) {
            // a remote engine is asked through docker-java (the same client and transport deploy uses)
            String v;
            boolean ok;
            try {
                var ver = DockerClients.get(endpoint).versionCmd().exec();
                v = "API " + ver.getApiVersion() + ", Docker " + ver.getVersion() + " at " + endpoint;
                ok = true;
            } catch (RuntimeException e) {
                v = e.getMessage();
                ok = false;
            }
            return List.of(new Doctor.Check("docker engine", ok, v, needed));
        }
        String v = Doctor.dockerVersion();
        return List.of(new Doctor.Check("docker daemon", v.startsWith("API"), v, needed));
    }

    @Override
    public Image image(ServiceSpec spec) {
        if (spec.container() == null) {
            return new Image("container image", null, null, -1);
        }
        String ref = spec.container().imageRef();
        try {
            var info = docker().inspectImageCmd(ref).exec();
            return new Image("container image", ref, info.getId(), info.getSize() == null ? -1 : info.getSize());
        } catch (NotFoundException e) {
            return new Image("container image", ref, null, -1);
        }
    }

    /** The static binaries, then one docker build per manifest with a container section. */
    @Override
    public List<BuildStep> buildSteps(List<ServiceSpec> specs) {
        ServiceCatalog cat = catalog();
        List<BuildStep> steps = new ArrayList<>();
        steps.add(new BuildStep("docker:daemon", "check the Docker daemon", DockerClients::get));
        steps.add(ImageBuilder.binariesStep(cat));
        String version = io.unibench.results.RunMetadata.Version.gitCommit();
        for (ServiceSpec s : specs) {
            if (s.container() == null) {
                continue;
            }
            Path ctx = cat.containerContext(s);
            String ref = s.container().imageRef();
            steps.add(new BuildStep("docker-build:" + ref, "docker build " + ref + " from " + ctx, () -> {
                if (!Files.isRegularFile(ctx.resolve("Dockerfile"))) {
                    throw new UnibenchException("no Dockerfile in " + ctx + " (the manifest of " + s.service()
                            + " names it)");
                }
                try {
                    docker().buildImageCmd(ctx.toFile()).withTags(Set.of(ref)).withPull(false)
                            .withBuildArg("VERSION", version == null ? "unknown" : version)
                            .exec(new BuildImageResultCallback()).awaitImageId(10, TimeUnit.MINUTES);
                } catch (DockerException e) {
                    throw new UnibenchException("docker build of " + ref + " from " + ctx + " failed: "
                            + DockerClients.rootMessage(e), e);
                } catch (com.github.dockerjava.api.exception.DockerClientException e) {
                    // a failed build step (e.g. COPY of a file the context lacks) is a runtime failure, not a bug
                    throw new UnibenchException("docker build of " + ref + " from " + ctx + " failed: "
                            + e.getMessage(), e);
                }
            }));
        }
        return steps;
    }

    private ServiceCatalog catalog() {
        return catalog != null ? catalog : ServiceCatalog.load();
    }

    @Override
    public long memoryGivenBytes(ServiceSpec spec) {
        ContainerSpec c = spec.container();
        return options.memoryBytes() != null ? options.memoryBytes()
                : c == null || c.memory() == null ? 128L << 20 : Units.parseSize(c.memory());
    }

    @Override
    public long hostMemoryPerInstanceBytes(ServiceSpec spec) {
        return CONTAINER_BYTES;
    }

    @Override
    public Map<String, String> tools() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("docker", Doctor.dockerVersion());
        return m;
    }

    @Override
    public Map<String, Object> facts(ServiceSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        Image img = image(spec);
        m.put("image", img.ref());
        m.put("image_id", img.id());
        m.put("image_size_bytes", img.sizeBytes());
        m.put("memory_limit", spec.container() == null ? null : spec.container().memory());
        m.put("cpus", options.cpus() != null ? options.cpus()
                : spec.container() == null || spec.container().cpus() == null ? 1.0 : spec.container().cpus());
        m.put("cpus_note", "CFS quota (docker --cpus); the DNS front end runs one SO_REUSEPORT worker per CPU"
                + " granted, rounded up");
        m.put("runtime", runtime() == null ? "runc (the daemon's default)" : runtime());
        m.put("network", "forward: docker-proxy on " + advertiseAddress + " published ports");
        m.put("engine", endpoint.toString());
        return m;
    }

    @Override
    public Map<String, String> restartSemantics(boolean recreate) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kill", "docker kill: SIGKILL of the container's process (no grace)");
        m.put("restart", recreate ? "the killed container is removed and a new one created and started from "
                + "the same image (--recreate)" : "docker start of the same container (as the 2018 study did)");
        return m;
    }

    @Override
    public void preflight(ServiceSpec spec) {
        if (spec.container() == null) {
            throw new UsageException("service '" + spec.service() + "' has no container section in its manifest");
        }
        String ref = spec.container().imageRef();
        try {
            docker().inspectImageCmd(ref).exec();
        } catch (NotFoundException e) {
            if (!endpoint.remote()) {
                throw new UnibenchException("container image " + ref + " is not built; run 'unibench build containers'");
            }
            shipImage(ref);
        }
    }

    /**
     * Copies an image built here to the remote engine through the API (save on the local engine, load on the
     * remote one), as {@code docker save | docker -H remote load} would.
     */
    void shipImage(String ref) {
        DockerClient local = DockerClients.get();
        try {
            local.inspectImageCmd(ref).exec();
        } catch (NotFoundException e) {
            throw new UnibenchException("container image " + ref + " is neither on " + endpoint + " nor built here; run "
                    + "'unibench build containers'");
        }
        try (java.io.InputStream tar = local.saveImageCmd(ref).exec()) {
            docker().loadImageCmd(tar).exec();
        } catch (IOException | DockerException e) {
            throw new UnibenchException("cannot ship image " + ref + " to " + endpoint + ": "
                    + DockerClients.rootMessage(e), e);
        }
        try {
            docker().inspectImageCmd(ref).exec();
        } catch (NotFoundException e) {
            throw new UnibenchException("shipped image " + ref + " to " + endpoint + " but it is not there afterwards");
        }
    }

    /** Labels that mark a container as ours: managed, id, service, owner (the state directory). */
    Map<String, String> labels(Instance rec) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(LABEL_MANAGED, "true");
        l.put(LABEL_ID, rec.id());
        l.put(LABEL_SERVICE, rec.service());
        l.put(LABEL_OWNER, state.owner());
        l.put(LABEL_BACKEND, backend().id());
        return l;
    }

    /** Container name: the instance id plus a short hash of the owner, so two state directories never clash. */
    String containerName(String id) {
        return "unibench-" + id + "-" + Integer.toHexString(state.owner().hashCode() & 0xFFFFFF);
    }

    @Override
    public Start start(ServiceSpec spec, Instance recorded) {
        ContainerSpec c = spec.container();
        long memory = memoryGivenBytes(spec);
        double cpus = options.cpus() != null ? options.cpus() : c.cpus() == null ? 1.0 : c.cpus();
        Ports ports = new Ports();
        List<ExposedPort> exposed = new ArrayList<>();
        for (Endpoint e : recorded.endpoints()) {
            ExposedPort ep = new ExposedPort(e.guestPort(), InternetProtocol.parse(e.protocol()));
            exposed.add(ep);
            ports.bind(ep, Ports.Binding.bindIpAndPort(e.host(), e.port()));
        }
        LabLink lab = recorded.lab();
        HostConfig host = HostConfig.newHostConfig().withInit(true).withMemory(memory)
                .withNanoCPUs(Math.round(cpus * 1e9));
        if (runtime() != null) {
            host = host.withRuntime(runtime());
        }
        if (lab == null) {
            host = host.withPortBindings(ports);
        } else {
            // no Docker network at all: the container's namespace is attached to the lab by CNI after the start
            host = host.withNetworkMode("none");
            exposed.clear();
        }
        if (!c.sysctls().isEmpty()) {
            host = host.withSysctls(c.sysctls()); // e.g. a router's net.ipv4.ip_forward=1, in its namespace only
        }
        if (!c.capAdd().isEmpty()) {
            host = host.withCapAdd(c.capAdd().stream().map(com.github.dockerjava.api.model.Capability::valueOf)
                    .toArray(com.github.dockerjava.api.model.Capability[]::new));
        }
        String name = containerName(recorded.id());
        Instance inst = recorded.withDetail("image", c.imageRef()).withDetail("container_name", name)
                .withDetail("memory_limit_bytes", Long.toString(memory)).withDetail("cpus", Double.toString(cpus))
                .withDetail("docker_host", DockerClients.host(endpoint))
                .withDetail("console_log", state.logFile(recorded.id(), "console").toString());
        for (Map.Entry<String, String> d : endpointDetails().entrySet()) {
            inst = inst.withDetail(d.getKey(), d.getValue());
        }
        long t0 = System.nanoTime();
        long wall0 = System.currentTimeMillis();
        CreateContainerResponse created;
        try {
            created = docker().createContainerCmd(c.imageRef()).withName(name).withLabels(labels(recorded))
                    .withCmd(c.args()).withExposedPorts(exposed).withHostConfig(host).exec();
        } catch (DockerException e) {
            throw new UnibenchException("cannot create container " + name + ": " + DockerClients.rootMessage(e), e);
        }
        long spawned = System.nanoTime();
        inst = inst.withContainerId(created.getId());
        try {
            docker().startContainerCmd(created.getId()).exec();
        } catch (DockerException e) {
            String msg = DockerClients.rootMessage(e);
            Matcher m = PORT_IN_ERROR.matcher(msg);
            if ((msg.contains("already in use") || msg.contains("already allocated")) && m.find()) {
                // the caller destroys the created container (its id is recorded) and retries elsewhere
                state.locked(() -> state.put(recordedWith(recorded, created.getId())));
                throw new PortInUseException(Integer.parseInt(m.group(1)), "host port " + advertiseAddress + ":" + m.group(1)
                        + " is taken (" + msg + ")");
            }
            remove(docker(), created.getId());
            throw new UnibenchException("cannot start container " + name + ": " + msg, e);
        }
        long started = System.nanoTime();
        inst = inst.withState(InstanceState.running);
        long plumbing = -1;
        if (lab != null) {
            try {
                inst = attach(inst, c);
            } catch (RuntimeException e) {
                remove(docker(), created.getId());
                throw e;
            }
            plumbing = System.nanoTime() - started;
        }
        return new DockerStart(inst, c.readyLine(), t0, wall0, spawned, started, plumbing);
    }

    /** The interface the lab link gets inside the container (link i of a placement: eth{i}). */
    static final String LAB_IFNAME = "eth0";

    static String ifname(int i) {
        return "eth" + i;
    }

    /**
     * CNI ADD of the running container's network namespace to its lab segment(s) (the bridge plugin, run in
     * the lab namespace, one ADD per link: eth0, eth1...); then, for a placement, its routes and, when the
     * manifest names a rules command, the nftables rules that command prints, both in the container's namespace
     * only. Returns the instance with each veth's lab-side device and the container's MACs.
     */
    private Instance attach(Instance inst, ContainerSpec c) {
        LabLink lab = inst.lab();
        Long pid;
        try {
            pid = docker().inspectContainerCmd(inst.containerId()).exec().getState().getPidLong();
        } catch (DockerException e) {
            throw new UnibenchException("cannot inspect container " + shortId(inst.containerId()) + ": "
                    + DockerClients.rootMessage(e), e);
        }
        if (pid == null || pid <= 0) {
            throw new UnibenchException("container " + shortId(inst.containerId()) + " of " + inst.id()
                    + " exited before it could be attached to lab " + lab.lab());
        }
        String netns = "/proc/" + pid + "/ns/net";
        if (inst.placement() == null) {
            Cni.Added a = Cni.add(lab, inst.containerId(), netns, LAB_IFNAME);
            return inst.withLab(lab.withDevice(a.hostDevice()).withMac(a.containerMac()));
        }
        LabPlacement p = inst.placement();
        for (int i = 0; i < p.links().size(); i++) {
            LabLink l = p.links().get(i);
            Cni.Added a = Cni.add(l, inst.containerId(), netns, ifname(i));
            p = p.withLink(i, l.withDevice(a.hostDevice()).withMac(a.containerMac()));
        }
        inst = inst.withPlacement(p);
        for (String r : p.routes()) {
            List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "ip", "route",
                    "replace"));
            argv.addAll(List.of(r.trim().split("\\s+")));
            Processes.Result res = Processes.run(argv, null, 10_000);
            if (!res.ok()) {
                throw new UnibenchException("route '" + r + "' in container " + shortId(inst.containerId()) + " of "
                        + inst.id() + ": " + res.output().strip());
            }
        }
        if (!c.nftRulesCommand().isEmpty()) {
            String rules = execOutput(inst.containerId(), c.nftRulesCommand());
            Processes.Result res = Processes.run(List.of("nsenter", "-t", Long.toString(pid), "-n", "nft", "-f", "-"),
                    null, 10_000, rules);
            if (!res.ok()) {
                throw new UnibenchException("nft -f (rules of '" + String.join(" ", c.nftRulesCommand()) + "') in "
                        + "container " + shortId(inst.containerId()) + " of " + inst.id() + ": " + res.output().strip());
            }
            inst = inst.withDetail("nft_rules", String.join(" ", c.nftRulesCommand()) + " | nsenter -t " + pid
                    + " -n nft -f -");
        }
        return inst;
    }

    /** Runs {@code argv} in the container (docker exec) and returns its stdout; exit != 0 is a failure. */
    private String execOutput(String containerId, List<String> argv) {
        try {
            String exec = docker().execCreateCmd(containerId).withCmd(argv.toArray(String[]::new))
                    .withAttachStdout(true).withAttachStderr(true).exec().getId();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            docker().execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame f) {
                    (f.getStreamType() == com.github.dockerjava.api.model.StreamType.STDERR ? err : out)
                            .writeBytes(f.getPayload());
                }
            }).awaitCompletion(15, TimeUnit.SECONDS);
            Long code = docker().inspectExecCmd(exec).exec().getExitCodeLong();
            if (code == null || code != 0) {
                throw new UnibenchException("'" + String.join(" ", argv) + "' in container " + shortId(containerId)
                        + " exited " + code + ": " + err.toString(StandardCharsets.UTF_8).strip());
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (DockerException e) {
            throw new UnibenchException("docker exec '" + String.join(" ", argv) + "' in " + shortId(containerId)
                    + ": " + DockerClients.rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnibenchException("interrupted");
        }
    }

    /** CNI DEL of the container's lab link(s) (its namespace, when the container still runs). Nothing outside a lab. */
    private void detach(Instance instance, String containerId, boolean running) {
        LabLink lab = instance.lab();
        if (lab == null || !Ip.namespaceExists(lab.namespace())) {
            return;
        }
        String netns = null;
        if (running) {
            try {
                Long pid = docker().inspectContainerCmd(containerId).exec().getState().getPidLong();
                netns = pid == null || pid <= 0 ? null : "/proc/" + pid + "/ns/net";
            } catch (NotFoundException e) {
                netns = null;
            }
        }
        List<LabLink> links = instance.labLinks();
        for (int i = 0; i < links.size(); i++) {
            Cni.del(links.get(i), containerId, netns, ifname(i));
        }
    }

    /** SIGKILL, no grace: the boot benchmark's kill. The container and the record stay for {@link #restart}. */
    @Override
    public void kill(Instance instance) {
        String cid = instance.containerId();
        DockerClient docker = docker(instance);
        if (cid == null || !ours(docker, cid)) {
            return;
        }
        try {
            docker.killContainerCmd(cid).exec();
        } catch (NotFoundException | ConflictException e) {
            // gone, or not running: nothing to kill
        }
        // its veth went with its network namespace; DEL tells the plugin so (the restart attaches anew)
        detach(instance, cid, false);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                if (!Boolean.TRUE.equals(docker.inspectContainerCmd(cid).exec().getState().getRunning())) {
                    return;
                }
            } catch (NotFoundException e) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new UnibenchException("container " + shortId(cid) + " of " + instance.id()
                        + " still runs 10 s after SIGKILL");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnibenchException("interrupted while killing " + instance.id(), e);
            }
        }
    }

    /**
     * Starts the same (killed) container again, as the 2018 study did: nothing is created, so the spawn
     * phase is -1; the ready line counts only when printed by this run.
     */
    @Override
    public Start restart(ServiceSpec spec, Instance killed) {
        String cid = killed.containerId();
        if (cid == null) {
            return start(spec, killed);
        }
        long t0 = System.nanoTime();
        long wall0 = System.currentTimeMillis();
        try {
            docker(killed).startContainerCmd(cid).exec();
        } catch (NotModifiedException e) {
            // already running (never killed): the start is a no-op
        } catch (DockerException e) {
            throw new UnibenchException("cannot start container " + shortId(cid) + " of " + killed.id() + " again: "
                    + DockerClients.rootMessage(e), e);
        }
        long started = System.nanoTime();
        Instance inst = killed.withState(InstanceState.running).withStartedAt(Instant.ofEpochMilli(wall0));
        long plumbing = -1;
        if (inst.lab() != null) {
            inst = attach(inst, spec.container());
            plumbing = System.nanoTime() - started;
        }
        return new DockerStart(inst, spec.container().readyLine(), t0, wall0, -1, started, plumbing);
    }

    /** True when the container carries our managed and owner labels. */
    private boolean ours(DockerClient docker, String containerId) {
        try {
            return ours(docker.inspectContainerCmd(containerId).exec().getConfig().getLabels());
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Our managed and owner labels, and this backend's (a missing backend label means docker). */
    private boolean ours(Map<String, String> labels) {
        return labels != null && "true".equals(labels.get(LABEL_MANAGED)) && state.owner().equals(labels.get(LABEL_OWNER))
                && backend().id().equals(labels.getOrDefault(LABEL_BACKEND, Backend.docker.id()));
    }

    private static Instance recordedWith(Instance recorded, String containerId) {
        return recorded.withContainerId(containerId);
    }

    /**
     * Watches a starting container (its state, through inspect calls at most every 50 ms) and dates its
     * ready line afterwards from the daemon's log timestamps.
     */
    private final class DockerStart implements Start {
        private final Instance instance;
        private final String readyLine;
        private final long t0;
        private final long wall0;
        private final long spawned;
        private final long started;
        private final long plumbing;
        private long consoleReady = -2; // -2: not looked up yet
        private long processStart = -2; // -2: not looked up yet
        private long nextInspect;

        DockerStart(Instance instance, String readyLine, long t0, long wall0, long spawned, long started,
                    long plumbing) {
            this.plumbing = plumbing;
            this.instance = instance;
            this.readyLine = readyLine;
            this.t0 = t0;
            this.wall0 = wall0;
            this.spawned = spawned;
            this.started = started;
            // probe first, inspect later: the first inspect comes 50 ms after the start call returned
            this.nextInspect = started + 50_000_000;
        }

        @Override
        public Instance instance() {
            return instance;
        }

        @Override
        public long t0Nanos() {
            return t0;
        }

        @Override
        public long spawnedNanos() {
            return spawned;
        }

        @Override
        public long startedNanos() {
            return started;
        }

        @Override
        public long plumbingNanos() {
            return plumbing;
        }

        /**
         * When the ready line was printed, from the daemon's timestamp of that log line, mapped onto this
         * process's nanoTime through the wall clock read just before the create call (the daemon runs on
         * this host, same clock). One log request, made after the probe answered, so it never delays it.
         */
        @Override
        public synchronized long consoleReadyNanos() {
            if (consoleReady == -2) {
                consoleReady = -1;
                // the daemon's clock is this host's only for a local engine
                if (readyLine != null && !endpointOf(instance).remote()) {
                    for (String line : logLines(docker(instance), instance.containerId(), null, true)) {
                        int sp = line.indexOf(' ');
                        if (sp > 0 && line.indexOf(readyLine, sp) > 0) {
                            try {
                                Instant ts = Instant.parse(line.substring(0, sp));
                                long nanosSinceWall0 = (ts.getEpochSecond() * 1000 - wall0) * 1_000_000 + ts.getNano();
                                if (nanosSinceWall0 < 0) {
                                    continue; // printed by an earlier run of this container (restart)
                                }
                                consoleReady = t0 + nanosSinceWall0;
                            } catch (RuntimeException e) {
                                // not a timestamp: leave it unknown
                            }
                            break;
                        }
                    }
                }
            }
            return consoleReady;
        }

        /**
         * The container's process start, from the engine's {@code State.StartedAt}, mapped onto this process's
         * nanoTime like the ready line (local engines only). One inspect, made after the probe answered.
         */
        @Override
        public synchronized long guestEntryNanos() {
            if (processStart == -2) {
                processStart = -1;
                if (!endpointOf(instance).remote()) {
                    try {
                        String at = docker(instance).inspectContainerCmd(instance.containerId()).exec().getState()
                                .getStartedAt();
                        Instant ts = Instant.parse(at);
                        long nanosSinceWall0 = (ts.getEpochSecond() * 1000 - wall0) * 1_000_000 + ts.getNano();
                        if (nanosSinceWall0 >= 0) {
                            processStart = t0 + nanosSinceWall0;
                        }
                    } catch (RuntimeException e) {
                        // gone, or no timestamp: leave it unknown
                    }
                }
            }
            return processStart;
        }

        @Override
        public String failure() {
            long now = System.nanoTime();
            if (now - nextInspect < 0) {
                return null;
            }
            nextInspect = now + 50_000_000; // an inspect costs the daemon CPU the booting container needs
            try {
                InspectContainerResponse.ContainerState s = docker(instance).inspectContainerCmd(instance.containerId())
                        .exec().getState();
                if (Boolean.TRUE.equals(s.getRunning())) {
                    return null;
                }
                return "container " + s.getStatus() + " with exit code " + s.getExitCodeLong()
                        + (Boolean.TRUE.equals(s.getOOMKilled()) ? " (killed: out of memory)" : "")
                        + (s.getError() == null || s.getError().isBlank() ? "" : ": " + s.getError());
            } catch (NotFoundException e) {
                return "container " + instance.containerId() + " disappeared";
            } catch (DockerException e) {
                return null;
            }
        }

        @Override
        public void close() {
            // nothing held open
        }
    }

    /**
     * The container's cpuset ({@code docker update --cpuset-cpus}, through the Engine API), read back from
     * every thread of the container's processes (its cgroup's {@code tasks}, or its init process).
     */
    @Override
    public io.unibench.util.Affinity.Pinning place(Instance instance, io.unibench.util.CpuSet cpus) {
        String id = instance.containerId();
        if (id == null) {
            return io.unibench.util.Affinity.Pinning.unsupported(cpus, "no container for " + instance.id());
        }
        DockerClient docker = docker(instance);
        String how = "cpuset-cpus " + cpus + " of container " + shortId(id) + " (Engine API update)";
        try {
            docker.updateContainerCmd(id).withCpusetCpus(cpus.toString()).exec();
        } catch (DockerException e) {
            String why = DockerClients.rootMessage(e);
            return io.unibench.util.Affinity.Pinning.unsupported(cpus, "cannot update container " + shortId(id)
                    + ": " + (why.length() > 160 ? why.substring(0, 160) + "..." : why));
        }
        if (!DockerClients.isLocal(endpointOf(instance))) {
            return new io.unibench.util.Affinity.Pinning(cpus, how, Map.of(),
                    "set on a remote engine: its threads cannot be read back from here");
        }
        List<Long> tasks = containerTasks(instance);
        Map<String, io.unibench.util.CpuSet> threads = readBackTasks(tasks);
        return new io.unibench.util.Affinity.Pinning(cpus, how, threads, threads.isEmpty()
                ? "no process of container " + shortId(id) + " to read back" : null);
    }

    /**
     * The host threads of a local container: its cgroup's {@code tasks} (cgroup v1 cpuset), else the threads of
     * its init process; empty when none can be found.
     */
    protected List<Long> containerTasks(Instance instance) {
        String id = instance.containerId();
        List<Long> tids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/sys/fs/cgroup/cpuset/docker", id, "tasks"))) {
                if (!line.isBlank()) {
                    tids.add(Long.parseLong(line.strip()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // cgroup v2 or another layout: the init process below
        }
        if (tids.isEmpty()) {
            try {
                Long pid = docker(instance).inspectContainerCmd(id).exec().getState().getPidLong();
                if (pid != null && pid > 0) {
                    tids.addAll(io.unibench.util.Affinity.tasks(pid));
                }
            } catch (DockerException e) {
                // gone: nothing to read back
            }
        }
        return tids;
    }

    /** {@code Cpus_allowed_list} of each thread id ({@code /proc/TID/status}), keyed {@code "TID (name)"}. */
    protected static Map<String, io.unibench.util.CpuSet> readBackTasks(List<Long> tids) {
        Map<String, io.unibench.util.CpuSet> threads = new java.util.LinkedHashMap<>();
        for (long tid : tids) {
            try {
                String name = "?";
                io.unibench.util.CpuSet allowed = null;
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(tid), "status"))) {
                    if (line.startsWith("Name:")) {
                        name = line.substring(5).strip();
                    } else if (line.startsWith("Cpus_allowed_list:")) {
                        allowed = io.unibench.util.CpuSet.parse(line.substring(line.indexOf(':') + 1));
                    }
                }
                if (allowed != null) {
                    threads.put(tid + " (" + name + ")", allowed);
                }
            } catch (IOException e) {
                // ended meanwhile
            }
        }
        return threads;
    }

    @Override
    public Observation observe(Instance instance) {
        String id = instance.containerId();
        // a deploy killed during the create call left no container id: the labels still name the instance
        DockerEndpoint where = endpointOf(instance);
        Container c = snapshot(where).get(id != null ? id : LABEL_ID + "=" + instance.id());
        if (c == null && id == null) {
            return Observation.without(instance.state() == InstanceState.starting ? InstanceState.starting
                    : InstanceState.exited, "no container");
        }
        id = c == null ? id : c.getId();
        if (c == null) {
            return Observation.without(InstanceState.exited, "container gone");
        }
        if (!"running".equals(c.getState())) {
            // Status reads like "Exited (2) 5 seconds ago"
            boolean clean = c.getStatus() != null && c.getStatus().startsWith("Exited (0)");
            return Observation.without(clean ? InstanceState.exited : InstanceState.crashed,
                    "container " + c.getStatus());
        }
        boolean local = DockerClients.isLocal(where);
        long cpu = local ? CgroupCpu.of(id).map(CgroupCpu::nanos).orElse(-1L) : -1;
        long cg = options.statsApiOnly() || !local ? -1 : cgroupMemory(id);
        if (cg >= 0) {
            return new Observation(InstanceState.running, cg, "cgroup", "container running").withCpu(cpu, "cgroup");
        }
        long api = memoryUsage(where, id);
        return new Observation(InstanceState.running, api, api < 0 ? null : "docker-stats-api", "container running")
                .withCpu(cpu, "cgroup");
    }

    /**
     * A local container's CPU time from its cgroup file ({@link CgroupCpu}, found once), without the Engine API
     * list call of observe (the sampler runs every second on the generator's core); a remote one's through observe.
     */
    @Override
    public java.util.function.LongSupplier cpuClock(Instance instance) {
        DockerEndpoint where = endpointOf(instance);
        if (!DockerClients.isLocal(where)) {
            return Deployer.super.cpuClock(instance);
        }
        Container c = snapshot(where).get(instance.containerId() != null ? instance.containerId()
                : LABEL_ID + "=" + instance.id());
        if (c == null) {
            return () -> -1;
        }
        Optional<CgroupCpu> cpu = CgroupCpu.of(c.getId());
        return cpu.isEmpty() ? () -> -1 : cpu.get()::nanos;
    }

    /**
     * Our containers by id, from one list call shared by the observations of one status (at most a second
     * old): one call instead of an inspect per container keeps status fast with many instances.
     */
    private synchronized Map<String, Container> snapshot(DockerEndpoint where) {
        long now = System.nanoTime();
        Long at = snapshotsAt.get(where.key());
        if (at == null || now - at > 1_000_000_000L) {
            Map<String, Container> m = new java.util.HashMap<>();
            for (Container c : ourContainers(DockerClients.get(where))) {
                m.put(c.getId(), c);
                m.put(LABEL_ID + "=" + c.getLabels().get(LABEL_ID), c);
            }
            snapshots.put(where.key(), m);
            snapshotsAt.put(where.key(), now);
        }
        return snapshots.get(where.key());
    }

    /**
     * The same counters the stats API reports (cgroup usage minus inactive file pages), read from the
     * container's memory cgroup when the daemon is local and the cgroup is visible (v1
     * {@code memory/docker/<id>}, v2 {@code system.slice/docker-<id>.scope} or {@code docker/<id>}); -1
     * otherwise. One file read instead of a daemon round trip: the stats API costs dockerd ~5-50 ms of CPU
     * per container, too slow for a status of a hundred containers.
     */
    static long cgroupMemory(String containerId) {
        Path root = Path.of("/sys/fs/cgroup");
        Path v1 = root.resolve("memory/docker").resolve(containerId);
        try {
            if (Files.isRegularFile(v1.resolve("memory.usage_in_bytes"))) {
                long usage = Long.parseLong(Files.readString(v1.resolve("memory.usage_in_bytes")).strip());
                return Math.max(0, usage - statValue(v1.resolve("memory.stat"), "total_inactive_file"));
            }
            for (Path v2 : List.of(root.resolve("system.slice/docker-" + containerId + ".scope"),
                    root.resolve("docker").resolve(containerId))) {
                if (Files.isRegularFile(v2.resolve("memory.current"))) {
                    long usage = Long.parseLong(Files.readString(v2.resolve("memory.current")).strip());
                    return Math.max(0, usage - statValue(v2.resolve("memory.stat"), "inactive_file"));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static long statValue(Path memoryStat, String key) throws IOException {
        for (String line : Files.readAllLines(memoryStat)) {
            if (line.startsWith(key + " ")) {
                return Long.parseLong(line.substring(key.length() + 1).strip());
            }
        }
        return 0;
    }

    /**
     * Memory in use as {@code docker stats} shows it (usage minus page cache), from the stats API in
     * one-shot mode (API 1.41: no one-second wait for a second CPU sample); -1 when unknown.
     */
    long memoryUsage(DockerEndpoint where, String containerId) {
        DockerHttpClient.Request req = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
                .path("/containers/" + containerId + "/stats?stream=false&one-shot=true").build();
        try (DockerHttpClient.Response r = DockerClients.http(where).execute(req)) {
            if (r.getStatusCode() != 200) {
                return -1;
            }
            JsonNode m = JSON.readTree(r.getBody()).path("memory_stats");
            long usage = m.path("usage").asLong(-1);
            if (usage < 0) {
                return -1;
            }
            JsonNode st = m.path("stats");
            long cache = st.has("total_inactive_file") ? st.path("total_inactive_file").asLong()
                    : st.has("inactive_file") ? st.path("inactive_file").asLong() : st.path("cache").asLong(0);
            return Math.max(0, usage - cache);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public String destroy(Instance instance) {
        DockerClient docker = docker(instance);
        List<String> ids = new ArrayList<>();
        if (instance.containerId() != null) {
            ids.add(instance.containerId());
        } else {
            // a deploy killed between the create call and recording its answer: find it by our labels
            for (Container c : ourContainers(docker)) {
                if (instance.id().equals(c.getLabels().get(LABEL_ID))) {
                    ids.add(c.getId());
                }
            }
        }
        if (ids.isEmpty()) {
            return "no container was created";
        }
        List<String> done = new ArrayList<>();
        for (String cid : ids) {
            InspectContainerResponse info;
            try {
                info = docker.inspectContainerCmd(cid).exec();
            } catch (NotFoundException e) {
                done.add("container " + shortId(cid) + " already gone");
                continue;
            }
            if (!ours(info.getConfig().getLabels())) {
                done.add("container " + shortId(cid) + " is not ours (labels differ): left alone");
                continue;
            }
            detach(instance, cid, Boolean.TRUE.equals(info.getState().getRunning()));
            try {
                docker.stopContainerCmd(cid).withTimeout((int) Math.max(1, options.stopGrace().toSeconds())).exec();
            } catch (NotModifiedException e) {
                // already stopped
            } catch (NotFoundException e) {
                done.add("container " + shortId(cid) + " already gone");
                continue;
            }
            saveLogs(docker, instance.id(), cid);
            remove(docker, cid);
            done.add("stopped and removed container " + shortId(cid));
        }
        return String.join("; ", done);
    }

    private static void remove(DockerClient docker, String containerId) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // gone already
        }
    }

    private void saveLogs(DockerClient docker, String id, String containerId) {
        List<String> lines = logLines(docker, containerId, null);
        try {
            Files.write(state.logFile(id, "console"), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the log is a courtesy; destroying matters more
        }
    }

    private static List<String> logLines(DockerClient docker, String containerId, Integer tail) {
        return logLines(docker, containerId, tail, false);
    }

    private static List<String> logLines(DockerClient docker, String containerId, Integer tail, boolean timestamps) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        try {
            var cmd = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withTimestamps(timestamps);
            cmd = tail == null ? cmd.withTailAll() : cmd.withTail(tail);
            cmd.exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame f) {
                    sb.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                }
            }).awaitCompletion(5, TimeUnit.SECONDS);
        } catch (DockerException e) {
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sb.toString().lines().forEach(out::add);
        return out;
    }

    /** Containers carrying our owner label and this backend's, running or not. */
    List<Container> ourContainers(DockerClient docker) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_MANAGED, "true", LABEL_OWNER, state.owner())).exec().stream()
                .filter(c -> ours(c.getLabels())).toList();
    }

    @Override
    public List<Instance> strays(StateStore store) {
        Set<String> recorded = new HashSet<>();
        for (Instance i : store.list()) {
            recorded.add(i.id());
            if (i.containerId() != null) {
                recorded.add(i.containerId());
            }
        }
        List<Instance> out = new ArrayList<>();
        for (Container c : ourContainers(docker())) {
            String id = c.getLabels().getOrDefault(LABEL_ID, "stray-" + shortId(c.getId()));
            if (recorded.contains(id) || recorded.contains(c.getId())) {
                continue;
            }
            Instance i = new Instance(id, backend(), c.getLabels().getOrDefault(LABEL_SERVICE, "?"),
                    "running".equals(c.getState()) ? InstanceState.running : InstanceState.exited, List.of(), null,
                    c.getId(), Instant.ofEpochSecond(c.getCreated()).toString(), store.owner(), null,
                    strayDetails(), null, null, null);
            out.add(i);
        }
        return out;
    }

    private Map<String, String> strayDetails() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("stray", "container without a record (its deploy was killed)");
        d.putAll(endpointDetails());
        return d;
    }

    @Override
    public List<String> consoleTail(Instance instance, int lines) {
        if (instance.containerId() == null) {
            return List.of();
        }
        return logLines(docker(instance), instance.containerId(), lines);
    }

    @Override
    public String logLocation(Instance instance) {
        // destroy saves the container output there before removing the container
        return state.logFile(instance.id(), "console").toString();
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
