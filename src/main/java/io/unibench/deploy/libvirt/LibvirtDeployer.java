package io.unibench.deploy.libvirt;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.ConsoleWatch;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.ImageBuilder;
import io.unibench.deploy.ImageFacts;
import io.unibench.deploy.Instance;
import io.unibench.deploy.InstanceState;
import io.unibench.deploy.PortInUseException;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.qemu.QemuKvmDeployer;
import io.unibench.deploy.qemu.QemuOptions;
import io.unibench.deploy.remote.RemoteOptions;
import io.unibench.deploy.remote.Rtt;
import io.unibench.util.Doctor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;
import org.libvirt.MemoryStatistic;

/**
 * Runs unikernels as transient libvirt domains (the engine that manages a server host), on this host
 * ({@code qemu:///system}) or on a server ({@code qemu+ssh://user@host/system}). The domain is built from the
 * service manifest ({@link DomainXml}), its kernel is a volume of unibench's storage pool on that host, its
 * serial console a file in the same pool. Ownership lives in the domain's metadata (instance id and the
 * owning state directory), so it survives a restart of unibench or libvirtd: status, destroy and strays look
 * at that, never at names. Every instance records the URI of the libvirt that runs it, so {@code destroy}
 * reaches it whatever the current options.
 */
public final class LibvirtDeployer implements Deployer {
    private static final Pattern FWD_ERROR = Pattern.compile("host forwarding rule '\\w+:[^:]*:(\\d+)-");
    private static final int VIR_DOMAIN_METADATA_ELEMENT = 2;
    private static final int MEMORY_STAT_RSS = 7;

    private final StateStore state;
    private final ServiceCatalog catalog;
    private final LibvirtOptions options;
    private final Consumer<String> warnings;
    private String domainType;

    public LibvirtDeployer(Deployer.Context context) {
        this(context.state(), context.catalog(), context.options().get(RemoteOptions.class, RemoteOptions::local)
                .libvirt(context.options().get(QemuOptions.class, QemuOptions::defaults)), context.warnings());
    }

    public LibvirtDeployer(StateStore state, ServiceCatalog catalog, LibvirtOptions options, Consumer<String> warnings) {
        this.state = state;
        this.catalog = catalog;
        this.options = options;
        this.warnings = warnings;
    }

    @Override
    public Backend backend() {
        return Backend.libvirt;
    }

    /** Forward mode on the libvirt host: ports bound on (and reached at) its advertised address. */
    @Override
    public List<Endpoint> endpoints(ServiceSpec spec, IntSupplier ports) {
        List<Endpoint> eps = new ArrayList<>();
        for (ServiceSpec.PortSpec p : spec.ports()) {
            eps.add(new Endpoint(p.name(), p.protocol(), options.advertiseAddress(), ports.getAsInt(), p.port()));
        }
        return eps;
    }

    /** Connects in the background (a qemu+ssh connection takes a second or more). */
    @Override
    public void warmUp() {
        Thread t = new Thread(() -> {
            try {
                host();
            } catch (RuntimeException ignored) {
                // said again, in context, on first use
            }
        }, "unibench-libvirt-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** libvirt on the configured host, and whether it offers KVM guests there; optional unless used. */
    @Override
    public List<Doctor.Check> prerequisites() {
        String where = options.uri().toString();
        try {
            LibvirtHost h = host();
            String caps = h.capabilities();
            String guest = x86Guest(caps);
            boolean kvm = guest != null && (guest.contains("<domain type='kvm'") || guest.contains("<domain type=\"kvm\""));
            return List.of(new Doctor.Check("libvirt", true, h.versions() + " at " + where, Set.of()),
                    new Doctor.Check("libvirt kvm", kvm, kvm ? "KVM guests offered at " + where
                            : guest == null ? "no QEMU for x86_64 guests at " + where
                            : "no KVM guests at " + where + " (/dev/kvm missing or not accessible to libvirt's QEMU user)",
                            Set.of()));
        } catch (UnibenchException e) {
            return List.of(new Doctor.Check("libvirt", false, e.getMessage(), Set.of()));
        }
    }

    @Override
    public Image image(ServiceSpec spec) {
        return ImageFacts.unikernel(catalog, spec);
    }

    @Override
    public List<BuildStep> buildSteps(List<ServiceSpec> specs) {
        return List.of(ImageBuilder.unikernelsStep(catalog));
    }

    @Override
    public long memoryGivenBytes(ServiceSpec spec) {
        return QemuKvmDeployer.guestMemoryBytes(spec);
    }

    /** Guest RAM plus QEMU's own (as for the qemu backend; libvirtd's share is not per instance). */
    @Override
    public long hostMemoryPerInstanceBytes(ServiceSpec spec) {
        return memoryGivenBytes(spec) + QemuKvmDeployer.QEMU_OVERHEAD_BYTES;
    }

    @Override
    public Map<String, String> tools() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("libvirt", host().versions() + " at " + options.uri());
        return m;
    }

    /**
     * For run.json: image, machine, domain type, network path, and for a server the client-to-server round
     * trip measured now (TCP connects to the SSH port, and libvirt API calls), so readers can subtract it.
     */
    @Override
    public Map<String, Object> facts(ServiceSpec spec) {
        Map<String, Object> m = ImageFacts.unikernel(image(spec), spec, options.qemu().machine());
        m.put("image_transfer", "libvirt storage volume upload into pool '" + LibvirtHost.POOL + "' ("
                + LibvirtHost.POOL_PATH + ") on the libvirt host, once per content hash");
        m.put("libvirt_uri", options.uri().toString());
        m.put("server", serverName(host()));
        m.put("domain_type", domainType());
        m.put("accelerator", domainType().equals("kvm") ? "kvm" : "tcg");
        m.put("machine_how", "pc".equals(options.qemu().machine())
                ? "<os><type machine='pc'> with qboot as <loader type='rom'>"
                : "<os><type machine='microvm'>, microvm options through qemu:commandline -machine");
        m.put("console", "serial to a file in the libvirt host's pool");
        m.put("network", "forward: " + DomainXml.NETWORK + " on " + bindAddress());
        m.put("advertise_address", options.advertiseAddress());
        if (options.uri().remote()) {
            int port = options.uri().port() > 0 ? options.uri().port() : 22;
            double tcp = Rtt.tcpConnectMillis(options.uri().host(), port, 10);
            LibvirtHost h = host();
            double rpc = Rtt.callMillis(() -> {
                try {
                    h.connection().getLibVersion();
                } catch (LibvirtException e) {
                    throw new UnibenchException(LibvirtHost.message(e), e);
                }
            }, 10);
            m.put("client_server_rtt_ms", tcp < 0 ? null : tcp);
            m.put("client_server_rtt_how", "median of 10 TCP connects from the client to " + options.uri().host()
                    + ":" + port + ", measured before the run");
            m.put("libvirt_rpc_rtt_ms", rpc < 0 ? null : rpc);
        }
        return m;
    }

    @Override
    public Map<String, String> restartSemantics(boolean recreate) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kill", "virDomainDestroy of the transient domain (QEMU killed, no grace)");
        m.put("restart", "virDomainCreateXML of the same domain XML again (a new QEMU, a full boot)");
        return m;
    }

    public LibvirtOptions options() {
        return options;
    }

    private LibvirtHost host() {
        return LibvirtHost.connect(options.uri());
    }

    private static LibvirtHost hostOf(Instance i) {
        String u = i.detail("libvirt_uri");
        return LibvirtHost.connect(LibvirtUri.parse(u == null ? LibvirtUri.LOCAL : u));
    }

    @Override
    public void preflight(ServiceSpec spec) {
        if (spec.unikernel() == null) {
            throw new UsageException("service '" + spec.service() + "' has no unikernel section in its manifest");
        }
        if ("pc".equals(options.qemu().machine()) && spec.unikernel().pc() == null) {
            throw new UsageException("service '" + spec.service() + "' has no pc variant in its manifest");
        }
        Path image = catalog.unikernelImage(spec);
        if (!Files.isRegularFile(image)) {
            throw new UnibenchException("unikernel image " + image + " is not built; run 'unibench build unikernels'");
        }
        domainType();
    }

    /**
     * {@code kvm} when the host's libvirt offers KVM guests (unless {@code --accel tcg}), else {@code qemu} (TCG)
     * with a warning; a clear failure when that host has no QEMU for x86_64 guests or lacks the machine type.
     */
    public synchronized String domainType() {
        if (domainType != null) {
            return domainType;
        }
        LibvirtHost h = host();
        String where = h.uri().remote() ? "host " + h.uri().host() + " (" + h.uri() + ")" : "this host (" + h.uri() + ")";
        domainType = decideDomainType(h.capabilities(), where, options.qemu(), warnings);
        return domainType;
    }

    /**
     * The domain type for a host's capabilities XML (pure, for tests): {@code kvm} when it offers KVM guests for
     * x86_64 (unless TCG was asked), else {@code qemu} with a warning; a runtime failure naming {@code where}
     * when it has no QEMU for x86_64 guests, lacks the machine type, or lacks KVM while {@code --accel kvm}.
     */
    static String decideDomainType(String caps, String where, QemuOptions qemu, Consumer<String> warnings) {
        String guest = x86Guest(caps);
        if (guest == null) {
            throw new UnibenchException(where + " has no QEMU for x86_64 guests in libvirt; install qemu-system-x86 "
                    + "there and restart libvirtd");
        }
        String machine = "pc".equals(qemu.machine()) ? "pc" : "microvm";
        if (!Pattern.compile("<machine[^>]*>" + machine + "(-[\\w.]+)?</machine>").matcher(guest).find()) {
            throw new UnibenchException(where + ": its QEMU offers no '" + machine + "' machine (libvirt capabilities);"
                    + (machine.equals("microvm") ? " try --machine pc" : " install a newer qemu-system-x86"));
        }
        boolean kvm = guest.contains("<domain type='kvm'") || guest.contains("<domain type=\"kvm\"");
        QemuOptions.Accel a = qemu.accel();
        if (a == QemuOptions.Accel.tcg) {
            return "qemu";
        }
        if (kvm) {
            return "kvm";
        }
        if (a == QemuOptions.Accel.kvm) {
            throw new UnibenchException("--accel kvm asked but " + where + " offers no KVM guests in libvirt (/dev/kvm "
                    + "missing there, or not accessible to libvirt's QEMU user); use --accel tcg");
        }
        warnings.accept(where + " offers no KVM guests in libvirt (/dev/kvm missing or not accessible to its QEMU "
                + "user): using TCG (use --accel tcg to silence this)");
        return "qemu";
    }

    /** The {@code <guest>} element of the capabilities for x86_64 hvm guests, null if none. */
    static String x86Guest(String caps) {
        Matcher m = Pattern.compile("<guest>(.*?)</guest>", Pattern.DOTALL).matcher(caps);
        while (m.find()) {
            String g = m.group(1);
            if (g.contains("hvm") && g.contains("name='x86_64'")) {
                return g;
            }
        }
        return null;
    }

    /** Domain name: the instance id plus a short hash of the owner, so two state directories never clash. */
    String domainName(String id) {
        return "unibench-" + id + "-" + Integer.toHexString(state.owner().hashCode() & 0xFFFFFF);
    }

    /** Libvirt domains get their network from libvirt; attaching them to a lab is not done yet. */
    @Override
    public String labPath() {
        return null;
    }

    @Override
    public Start start(ServiceSpec spec, Instance recorded) {
        LibvirtHost h = host();
        String type = domainType();
        String name = domainName(recorded.id());
        String kernel = h.ensureImage("unibench-" + spec.service(), catalog.unikernelImage(spec));
        String consoleFile = name + ".console.log";
        String consolePath = h.consolePath(consoleFile);
        if (!h.uri().remote()) {
            try {
                Files.deleteIfExists(Path.of(consolePath));
            } catch (IOException e) {
                // libvirt truncates it anyway
            }
        }
        DomainXml.Params p = new DomainXml.Params(name, recorded.id(), state.owner(), clientName(),
                options.qemu().machine(), type, kernel, consolePath, bindAddress(), recorded.endpoints());
        String xml = DomainXml.build(spec, p);
        Instance inst = recorded.withDetail("libvirt_uri", h.uri().text()).withDetail("server", serverName(h))
                .withDetail("domain", name).withDetail("domain_type", type)
                .withDetail("accelerator", type.equals("kvm") ? "kvm" : "tcg")
                .withDetail("machine", options.qemu().machine()).withDetail("image", kernel)
                .withDetail("image_source", catalog.unikernelImage(spec).toString())
                .withDetail("console_file", consoleFile).withDetail("console_log", consoleLocation(h, consolePath, recorded))
                .withDetail("network", DomainXml.NETWORK).withDetail("bind_address", bindAddress())
                .withDetail("libvirt_versions", h.versions());
        long t0 = System.nanoTime();
        Domain d;
        try {
            d = h.connection().domainCreateXML(xml, 0);
        } catch (LibvirtException e) {
            String m = LibvirtHost.message(e);
            Matcher fm = FWD_ERROR.matcher(m);
            if (fm.find()) {
                int port = Integer.parseInt(fm.group(1));
                throw new PortInUseException(port, "host port " + bindAddress() + ":" + port + " is taken on "
                        + serverName(h) + " (" + m + ")");
            }
            throw new UnibenchException("libvirt at " + h.uri() + " could not start " + name + ": " + m, e);
        }
        long started = System.nanoTime();
        String uuid;
        try {
            uuid = d.getUUIDString();
        } catch (LibvirtException e) {
            uuid = null;
        }
        inst = inst.withDetail("domain_uuid", uuid).withState(InstanceState.running);
        Path localConsole = h.uri().remote() ? null : Path.of(consolePath);
        return new LibvirtStart(inst, d, localConsole, spec.unikernel().readyLine(), t0, started);
    }

    private String bindAddress() {
        return options.uri().remote() ? options.advertiseAddress() : "127.0.0.1";
    }

    private static String serverName(LibvirtHost h) {
        return h.uri().remote() ? h.uri().host() : "localhost";
    }

    /** The console log as a user finds it: the file on this host, or where it sits on the server. */
    private String consoleLocation(LibvirtHost h, String consolePath, Instance rec) {
        return h.uri().remote() ? h.uri().host() + ":" + consolePath + " (copied to "
                + state.logFile(rec.id(), "console") + " on destroy)" : consolePath;
    }

    static String clientName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Watches one booting domain: its libvirt state, and (on this host) the ready line in the console file. */
    private static final class LibvirtStart implements Start {
        private final Instance instance;
        private final Domain domain;
        private final ConsoleWatch console;
        private final long t0;
        private final long started;

        LibvirtStart(Instance instance, Domain domain, Path console, String readyLine, long t0, long started) {
            this.instance = instance;
            this.domain = domain;
            // a remote domain's console file is on its server: no ready line dated here
            this.console = new ConsoleWatch(console, readyLine, false);
            this.t0 = t0;
            this.started = started;
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
            return started;
        }

        @Override
        public long startedNanos() {
            return started;
        }

        @Override
        public long consoleReadyNanos() {
            return console.readyNanos();
        }

        @Override
        public void poll() {
            console.poll();
        }

        @Override
        public String failure() {
            poll();
            return LibvirtDeployer.failure(domain);
        }

        @Override
        public void close() {
            console.close();
            try {
                domain.free();
            } catch (LibvirtException e) {
                // already gone
            }
        }
    }

    /** Null while the domain runs; else how it stopped. */
    static String failure(Domain d) {
        DomainState s;
        try {
            s = d.getInfo().state;
        } catch (LibvirtException e) {
            return "the domain is gone (the guest reset or powered off, or it was destroyed): "
                    + LibvirtHost.message(e);
        }
        return switch (s) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> null;
            case VIR_DOMAIN_PAUSED -> "guest paused by itself (libvirt state paused: an emulation failure or panic)";
            case VIR_DOMAIN_CRASHED -> "guest crashed (libvirt state crashed)";
            default -> "guest stopped by itself (libvirt state " + s.name().substring("VIR_DOMAIN_".length())
                    .toLowerCase(java.util.Locale.ROOT) + ")";
        };
    }

    /** The domain of this instance, only if it is still ours (metadata owner and id match); else null. */
    Domain ourDomain(LibvirtHost h, Instance i) {
        String name = i.detail("domain");
        if (name == null) {
            return null;
        }
        try {
            Domain d = h.connection().domainLookupByName(name);
            String meta = metadata(d);
            if (!i.id().equals(DomainXml.field(meta, "id")) || !i.owner().equals(DomainXml.field(meta, "owner"))) {
                return null;
            }
            return d;
        } catch (LibvirtException e) {
            return null;
        }
    }

    static String metadata(Domain d) {
        try {
            return d.getMetadata(VIR_DOMAIN_METADATA_ELEMENT, DomainXml.NAMESPACE, 0);
        } catch (LibvirtException e) {
            return null;
        }
    }

    @Override
    public Observation observe(Instance instance) {
        LibvirtHost h = hostOf(instance);
        Domain d = ourDomain(h, instance);
        if (d == null) {
            return Observation.without(instance.state() == InstanceState.starting ? InstanceState.starting
                    : InstanceState.exited, "no domain " + instance.detail("domain") + " on " + serverName(h));
        }
        String f = failure(d);
        long rss = -1;
        try {
            for (MemoryStatistic m : d.memoryStats(16)) {
                if (m.getTag() == MEMORY_STAT_RSS) {
                    rss = m.getValue() * 1024;
                }
            }
        } catch (LibvirtException e) {
            // unknown
        }
        return new Observation(f == null ? InstanceState.running : InstanceState.crashed, rss,
                rss < 0 ? null : "libvirt-rss", f == null ? "libvirt state running on " + serverName(h) : f);
    }

    @Override
    public String destroy(Instance instance) {
        LibvirtHost h = hostOf(instance);
        Domain d = ourDomain(h, instance);
        saveConsole(h, instance);
        if (d == null) {
            return "no domain " + instance.detail("domain") + " of ours on " + serverName(h) + " (already gone)";
        }
        try {
            d.destroy();
        } catch (LibvirtException e) {
            if (failure(d) == null) {
                throw new UnibenchException("libvirt at " + h.uri() + " could not destroy " + instance.detail("domain")
                        + ": " + LibvirtHost.message(e), e);
            }
        }
        if (h.uri().remote()) {
            h.deleteFile(instance.detail("console_file"));
        }
        return "destroyed domain " + instance.detail("domain") + " on " + serverName(h);
    }

    /** A remote console is copied into this host's logs folder before its domain goes. */
    private void saveConsole(LibvirtHost h, Instance i) {
        if (!h.uri().remote() || i.detail("console_file") == null) {
            return;
        }
        byte[] b = h.download(i.detail("console_file"), 1 << 20);
        if (b.length > 0) {
            try {
                Files.write(state.logFile(i.id(), "console"), b);
            } catch (IOException e) {
                warnings.accept("could not save the console of " + i.id() + ": " + e.getMessage());
            }
        }
    }

    /** Destroys the domain at once (no grace), keeping the record: {@link #restart} creates it anew. */
    @Override
    public void kill(Instance instance) {
        LibvirtHost h = hostOf(instance);
        Domain d = ourDomain(h, instance);
        if (d == null) {
            return;
        }
        try {
            d.destroy();
        } catch (LibvirtException e) {
            if (failure(d) == null) {
                throw new UnibenchException("libvirt at " + h.uri() + " could not destroy " + instance.detail("domain")
                        + ": " + LibvirtHost.message(e), e);
            }
        }
    }

    @Override
    public List<String> consoleTail(Instance instance, int lines) {
        String text;
        LibvirtHost h = hostOf(instance);
        if (h.uri().remote()) {
            text = new String(h.download(instance.detail("console_file"), 8192), StandardCharsets.UTF_8);
        } else {
            try {
                text = Files.readString(Path.of(h.consolePath(instance.detail("console_file"))));
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        }
        List<String> all = text.lines().toList();
        return all.subList(Math.max(0, all.size() - lines), all.size());
    }

    @Override
    public String logLocation(Instance instance) {
        return instance.detail("console_log");
    }

    /**
     * Domains on this deployer's libvirt (and on every libvirt the records name) whose metadata says they are
     * ours but that have no record (left by a killed deploy).
     */
    @Override
    public List<Instance> strays(StateStore st) {
        Set<String> uris = new LinkedHashSet<>();
        uris.add(options.uri().text());
        Set<String> recorded = new HashSet<>();
        for (Instance i : st.list()) {
            recorded.add(i.id());
            if (i.backend() == Backend.libvirt && i.detail("libvirt_uri") != null) {
                uris.add(i.detail("libvirt_uri"));
            }
        }
        List<Instance> out = new ArrayList<>();
        for (String u : uris) {
            LibvirtHost h;
            try {
                h = LibvirtHost.connect(LibvirtUri.parse(u));
            } catch (UnibenchException e) {
                if (u.equals(options.uri().text())) {
                    throw e; // the caller decides whether an unreachable libvirt matters (nothing recorded there)
                }
                warnings.accept(e.getMessage());
                continue;
            }
            try {
                for (int id : h.connection().listDomains()) {
                    Domain d = h.connection().domainLookupByID(id);
                    String meta = metadata(d);
                    String iid = DomainXml.field(meta, "id");
                    if (iid == null || !st.owner().equals(DomainXml.field(meta, "owner")) || recorded.contains(iid)) {
                        continue;
                    }
                    out.add(new Instance(iid, Backend.libvirt, DomainXml.field(meta, "service"), InstanceState.running,
                            List.of(), null, null, java.time.Instant.now().toString(), st.owner(), null,
                            java.util.Map.of("libvirt_uri", u, "domain", d.getName(), "stray", "true"), null, null, null));
                }
            } catch (LibvirtException e) {
                warnings.accept("libvirt at " + h.uri() + ": cannot list domains: " + LibvirtHost.message(e));
            }
        }
        return out;
    }
}
