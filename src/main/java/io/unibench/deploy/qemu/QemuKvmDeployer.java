package io.unibench.deploy.qemu;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.Units;
import io.unibench.deploy.Backend;
import io.unibench.deploy.ConsoleWatch;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.GuestStamps;
import io.unibench.deploy.ImageFacts;
import io.unibench.deploy.ImageBuilder;
import io.unibench.deploy.Instance;
import io.unibench.deploy.InstanceState;
import io.unibench.deploy.PortInUseException;
import io.unibench.deploy.ProcFs;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.ServiceSpec.UnikernelSpec;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.lab.Ip;
import io.unibench.deploy.lab.LabLink;
import io.unibench.deploy.lab.LabPlacement;
import io.unibench.results.Caveat;
import io.unibench.util.Doctor;
import io.unibench.util.Processes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs unikernels as {@code qemu-system-x86_64} processes built from the manifest (machine, memory,
 * vCPUs, kernel, command line), with user-mode networking forwarding 127.0.0.1 host ports to the guest.
 * Each instance gets a QMP unix socket (status, clean {@code quit}), a pid file and a serial console log
 * under the state directory. A guest counts as dead when QEMU exits, or when it stops by itself (a
 * {@code STOP}/{@code SHUTDOWN}/{@code GUEST_PANICKED} event, status other than running: under a nested
 * PVM KVM an emulation failure leaves QEMU alive with the guest paused).
 */
public final class QemuKvmDeployer implements Deployer {
    /** QEMU's own resident memory besides the guest's RAM (measured: RSS 36 MB with -m 8M, microvm, slirp). */
    public static final long QEMU_OVERHEAD_BYTES = 30L << 20;
    private static final String DEFAULT_MEMORY = "8M";
    private static final long GRACE_MILLIS = 2000;
    private static final Pattern FWD_ERROR = Pattern.compile("host forwarding rule '\\w+:[^:]*:(\\d+)-");

    /** The host's KVM halt polling: how long (ns) a vCPU that halts spins in the host kernel before it sleeps. */
    static final Path HALT_POLL_NS = Path.of("/sys/module/kvm/parameters/halt_poll_ns");

    private final StateStore state;
    private final ServiceCatalog catalog;
    private final QemuOptions options;
    private final Consumer<String> warnings;
    private final Supplier<Doctor.KvmStatus> kvm;
    private final Path haltPollFile;
    private final Map<String, Process> children = new ConcurrentHashMap<>();
    private String accelerator;

    public QemuKvmDeployer(Deployer.Context context) {
        this(context.state(), context.catalog(), context.options().get(QemuOptions.class, QemuOptions::defaults),
                context.warnings());
    }

    public QemuKvmDeployer(StateStore state, ServiceCatalog catalog, QemuOptions options, Consumer<String> warnings) {
        this(state, catalog, options, warnings, Doctor.Kvm::probe);
    }

    /** With the KVM check given (tests: a host where KVM is unusable). */
    QemuKvmDeployer(StateStore state, ServiceCatalog catalog, QemuOptions options, Consumer<String> warnings,
                    Supplier<Doctor.KvmStatus> kvm) {
        this(state, catalog, options, warnings, kvm, HALT_POLL_NS);
    }

    /** With the KVM check and the halt-polling parameter's file given (tests). */
    QemuKvmDeployer(StateStore state, ServiceCatalog catalog, QemuOptions options, Consumer<String> warnings,
                    Supplier<Doctor.KvmStatus> kvm, Path haltPollFile) {
        this.state = state;
        this.catalog = catalog;
        this.options = options;
        this.warnings = warnings;
        this.kvm = kvm;
        this.haltPollFile = haltPollFile;
    }

    @Override
    public Backend backend() {
        return Backend.qemu;
    }

    @Override
    public List<Doctor.Check> prerequisites() {
        String version = Processes.firstLineOrNull(options.binary(), "--version");
        Doctor.KvmStatus k = kvm.get();
        return List.of(new Doctor.Check("qemu", version != null, version != null ? version
                        : options.binary() + " not found (apt-get install qemu-system-x86)", Doctor.RUNNING),
                new Doctor.Check("kvm", k.usable(), k.detail(), java.util.Set.of()));
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
        return guestMemoryBytes(spec);
    }

    /** The guest RAM of a manifest's unikernel (its {@code memory}, default {@value #DEFAULT_MEMORY}); libvirt's too. */
    public static long guestMemoryBytes(ServiceSpec spec) {
        return Units.parseSize(memory(spec));
    }

    private static String memory(ServiceSpec spec) {
        return spec.unikernel() == null || spec.unikernel().memory() == null ? DEFAULT_MEMORY : spec.unikernel().memory();
    }

    @Override
    public long hostMemoryPerInstanceBytes(ServiceSpec spec) {
        return memoryGivenBytes(spec) + QEMU_OVERHEAD_BYTES;
    }

    @Override
    public Map<String, String> tools() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("qemu", Processes.firstLineOrNull(options.binary(), "--version"));
        return m;
    }

    @Override
    public Map<String, Object> facts(ServiceSpec spec) {
        Map<String, Object> m = ImageFacts.unikernel(image(spec), spec, options.machine());
        m.put("accelerator", accelerator());
        m.put("cpus", spec.unikernel() == null || spec.unikernel().vcpus() == null ? 1 : spec.unikernel().vcpus());
        m.put("cpus_note", "vCPUs of the guest; QEMU's main-loop thread (the tap/virtio I/O path) runs besides them,"
                + " without a limit");
        m.put("network", "forward: QEMU user networking (slirp) hostfwd on 127.0.0.1");
        long haltPoll = haltPollNs(haltPollFile);
        if (haltPoll >= 0) {
            m.put("kvm_halt_poll_ns", haltPoll);
        }
        return m;
    }

    /**
     * Under KVM with halt polling on, QEMU's CPU time (what cpu_us_per_query and the idle CPU are made of)
     * includes the host kernel's polling for an idle vCPU: {@link Caveat#KVM_HALT_POLL}.
     */
    @Override
    public Map<Caveat, String> caveats(ServiceSpec spec) {
        long haltPoll = haltPollNs(haltPollFile);
        if (haltPoll <= 0 || !"kvm".equals(accelerator())) {
            return Map.of();
        }
        return Map.of(Caveat.KVM_HALT_POLL, "KVM halt polling is on (halt_poll_ns " + haltPoll + " ns): a vCPU"
                + " that goes idle first spins in the host kernel for up to " + (haltPoll / 1000) + " us, and that"
                + " polling counts as QEMU's CPU time. cpu_us_per_query (and idle CPU) of the QEMU instances"
                + " therefore overstate the guest's own cost at low rates, where the vCPU halts between queries"
                + " (a unikernel's vCPU thread has read ~97 % of a core at 2k qps); compare them at high rates, or"
                + " with halt_poll_ns=0.");
    }

    /** The kvm module's {@code halt_poll_ns} read from {@code file}; -1 when unreadable (no KVM module here). */
    static long haltPollNs(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public Map<String, String> restartSemantics(boolean recreate) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kill", "SIGKILL of the QEMU process (no grace)");
        m.put("restart", "a new QEMU process with the same image, ports and command line (a full boot)");
        return m;
    }

    @Override
    public void preflight(ServiceSpec spec) {
        if (spec.unikernel() == null) {
            throw new UsageException("service '" + spec.service() + "' has no unikernel section in its manifest");
        }
        if (!Processes.onPath(options.binary()) && !Files.isExecutable(Path.of(options.binary()))) {
            throw new UnibenchException(options.binary() + " not found: install QEMU (apt-get install qemu-system-x86)");
        }
        Path image = catalog.unikernelImage(spec);
        if (!Files.isRegularFile(image)) {
            throw new UnibenchException("unikernel image " + image + " is not built; run 'unibench build unikernels'");
        }
        if ("pc".equals(options.machine()) && spec.unikernel().pc() == null) {
            throw new UsageException("service '" + spec.service() + "' has no pc variant in its manifest");
        }
        accelerator();
    }

    /** The accelerator to use, decided once: KVM when it really works (unless tcg was asked), else TCG. */
    public synchronized String accelerator() {
        if (accelerator == null) {
            if (options.accel() == QemuOptions.Accel.tcg) {
                accelerator = "tcg";
            } else {
                Doctor.KvmStatus k = kvm.get();
                if (k.usable()) {
                    accelerator = "kvm";
                } else if (options.accel() == QemuOptions.Accel.kvm) {
                    throw new UnibenchException("--accel kvm asked but " + k.detail());
                } else {
                    warnings.accept(k.detail() + " (use --accel tcg to silence this)");
                    accelerator = "tcg";
                }
            }
        }
        return accelerator;
    }

    /** The QEMU command line for one instance (pure: for tests and for the record). */
    public static List<String> commandLine(String binary, ServiceSpec spec, Path image, String machineVariant,
                                           String accel, String name, List<Endpoint> endpoints, Path console,
                                           Path qmpSocket, Path pidFile) {
        return commandLine(binary, spec, image, machineVariant, accel, name, endpoints, console, qmpSocket, pidFile,
                null);
    }

    /**
     * The command line; with {@code lab} set, QEMU runs inside the lab's namespace ({@code ip netns exec})
     * on the instance's tap (no vhost: not available everywhere), with the lab's MAC, and the guest's
     * address and gateway on its kernel command line instead of slirp's.
     */
    public static List<String> commandLine(String binary, ServiceSpec spec, Path image, String machineVariant,
                                           String accel, String name, List<Endpoint> endpoints, Path console,
                                           Path qmpSocket, Path pidFile, LabLink lab) {
        return commandLine(binary, spec, image, machineVariant, accel, name, endpoints, console, qmpSocket, pidFile,
                lab == null ? List.of() : List.of(lab), lab == null ? null : labCmdline(spec.unikernel().cmdline(), lab));
    }

    /**
     * The command line for {@code links} (empty: forward mode), one tap and one virtio-net device per link in
     * order (the guest numbers its interfaces in -device order), and {@code labCmdline} as the kernel command
     * line in lab mode.
     */
    public static List<String> commandLine(String binary, ServiceSpec spec, Path image, String machineVariant,
                                           String accel, String name, List<Endpoint> endpoints, Path console,
                                           Path qmpSocket, Path pidFile, List<LabLink> links, String labCmdline) {
        UnikernelSpec u = spec.unikernel();
        boolean pc = "pc".equals(machineVariant);
        LabLink lab = links.isEmpty() ? null : links.get(0);
        List<String> c = new ArrayList<>();
        if (lab != null) {
            c.addAll(Ip.inNamespace(lab.namespace(), List.of()));
        }
        c.add(binary);
        // debug-threads: the vCPU threads are named ("CPU 0/KVM"), so a CPU placement can show them read back
        c.addAll(List.of("-name", name + ",debug-threads=on"));
        if (pc) {
            c.addAll(List.of("-M", u.pc().machine() == null ? "pc" : u.pc().machine()));
            if (u.pc().bios() != null) {
                c.addAll(List.of("-bios", u.pc().bios()));
            }
        } else {
            String m = u.machine() == null ? "microvm" : u.machine();
            c.addAll(List.of("-M", u.machineOptions() == null || u.machineOptions().isBlank() ? m
                    : m + "," + u.machineOptions()));
        }
        c.addAll(List.of("-accel", accelOption(accel, pc ? null : u.machineOptions())));
        c.addAll(List.of("-m", u.memory() == null ? "8M" : u.memory()));
        c.addAll(List.of("-smp", String.valueOf(u.vcpus() == null ? 1 : u.vcpus())));
        c.addAll(List.of("-kernel", image.toString()));
        String cmdline = lab == null ? u.cmdline() : labCmdline;
        if (cmdline != null && !cmdline.isBlank()) {
            c.addAll(List.of("-append", cmdline));
        }
        String dev = pc ? (u.pc().netDevice() == null ? "virtio-net-pci" : u.pc().netDevice())
                : (u.netDevice() == null ? "virtio-net-device" : u.netDevice());
        if (lab == null) {
            StringBuilder net = new StringBuilder("user,id=n0");
            for (Endpoint e : endpoints) {
                net.append(",hostfwd=").append(e.protocol()).append(':').append(e.host()).append(':').append(e.port())
                        .append("-:").append(e.guestPort());
            }
            c.addAll(List.of("-netdev", net.toString()));
            c.addAll(List.of("-device", dev + ",netdev=n0"));
        } else {
            for (int i = 0; i < links.size(); i++) {
                LabLink l = links.get(i);
                c.addAll(List.of("-netdev", "tap,id=n" + i + ",ifname=" + l.device() + ",script=no,downscript=no"));
                c.addAll(List.of("-device", dev + ",netdev=n" + i + ",mac=" + l.mac()));
            }
        }
        // -no-reboot: a guest that resets (triple fault) makes QEMU exit instead of booting again forever
        c.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"));
        c.addAll(List.of("-serial", "file:" + console));
        c.addAll(List.of("-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
        c.addAll(List.of("-pidfile", pidFile.toString()));
        return c;
    }

    /**
     * The {@code -accel} value. Under KVM the interrupt controllers are kept in the kernel
     * ({@code kernel-irqchip=on}; microvm's default, split, leaves the IOAPIC in QEMU, so each of the guest's
     * six IOAPIC accesses at boot was an exit to QEMU's user space that waited for its main loop: 0.1 to 40 ms
     * each on a loaded host, against ~25 us in the kernel). microvm's second IOAPIC needs the split mode, so a
     * manifest that asks for {@code ioapic2=on} keeps QEMU's default.
     */
    static String accelOption(String accel, String machineOptions) {
        if (!"kvm".equals(accel) || (machineOptions != null && machineOptions.contains("ioapic2=on"))) {
            return accel;
        }
        return "kvm,kernel-irqchip=on";
    }

    /** The manifest's kernel command line with {@code ip=} and {@code gw=} set to the lab link's. */
    static String labCmdline(String cmdline, LabLink lab) {
        List<String> out = new ArrayList<>();
        for (String tok : (cmdline == null ? "" : cmdline).trim().split("\\s+")) {
            if (!tok.isEmpty() && !tok.startsWith("ip=") && !tok.startsWith("gw=")) {
                out.add(tok);
            }
        }
        out.add(0, "gw=" + lab.gateway());
        out.add(0, "ip=" + lab.cidr());
        return String.join(" ", out);
    }

    @Override
    public String labPath() {
        return LabLink.TAP;
    }

    @Override
    public String labDevice(String id) {
        return tapName(id);
    }

    @Override
    public String labDevice(String id, int link) {
        return tapName(id, link);
    }

    /**
     * The manifest's kernel command line with its addressing ({@code ip=}, {@code ipN=}, {@code gw=},
     * {@code route=}) replaced by the placement's.
     */
    static String placementCmdline(String cmdline, LabPlacement placement) {
        List<String> out = new ArrayList<>();
        for (String tok : (cmdline == null ? "" : cmdline).trim().split("\\s+")) {
            if (!tok.isEmpty() && !tok.matches("(ip[0-9]?|gw|route)=.*")) {
                out.add(tok);
            }
        }
        out.add(0, placement.kernelCmdline());
        return String.join(" ", out);
    }

    /** The tap of link {@code i} of instance {@code id}: {@link #tapName(String)} for 0, {@code t1-router-1} after. */
    public static String tapName(String id, int i) {
        if (i == 0) {
            return tapName(id);
        }
        String rest = id.startsWith("qemu-") ? id.substring(5) : id;
        String name = "t" + i + "-" + rest;
        return name.length() <= 15 ? name : "t" + i + "-" + Integer.toHexString(id.hashCode());
    }

    /** The tap name of instance {@code id} inside its lab ({@code tap-dns-1}; at most 15 characters). */
    public static String tapName(String id) {
        String rest = id.startsWith("qemu-") ? id.substring(5) : id;
        String name = "tap-" + rest;
        return name.length() <= 15 ? name : "tap-" + Integer.toHexString(id.hashCode());
    }

    @Override
    public Start start(ServiceSpec spec, Instance recorded) {
        String id = recorded.id();
        Path run = state.runDir(id);
        Path qmp = run.resolve("qmp.sock");
        Path pidFile = run.resolve("qemu.pid");
        Path console = state.logFile(id, "console");
        Path qemuLog = state.logFile(id, "qemu");
        if (qmp.toString().getBytes(StandardCharsets.UTF_8).length > 100) {
            throw new UnibenchException("QMP socket path " + qmp + " is too long for a unix socket; use a shorter "
                    + "state directory (-D" + StateStore.DIR_PROPERTY + " or XDG_STATE_HOME)");
        }
        try {
            Files.deleteIfExists(qmp);
            Files.deleteIfExists(pidFile);
            Files.deleteIfExists(console);
        } catch (IOException e) {
            throw new UnibenchException("cannot prepare " + run + ": " + e.getMessage(), e);
        }
        String accel = accelerator();
        LabLink lab = recorded.lab();
        List<LabLink> links = recorded.labLinks();
        String labCmdline = recorded.placement() != null
                ? placementCmdline(spec.unikernel().cmdline(), recorded.placement())
                : lab == null ? null : labCmdline(spec.unikernel().cmdline(), lab);
        List<String> argv = commandLine(options.binary(), spec, catalog.unikernelImage(spec), options.machine(), accel,
                "unibench-" + id, recorded.endpoints(), console, qmp, pidFile, links, labCmdline);
        Instance inst = recorded.withDetail("accelerator", accel).withDetail("machine", options.machine())
                .withDetail("image", catalog.unikernelImage(spec).toString())
                .withDetail("console_log", console.toString()).withDetail("qemu_log", qemuLog.toString())
                .withDetail("qmp_socket", qmp.toString()).withDetail("pidfile", pidFile.toString())
                .withDetail("command_line", String.join(" ", argv));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(qemuLog.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long t0 = System.nanoTime();
        long plumbing = -1;
        if (lab != null) {
            // the network plumbing is part of the boot: a tap per link on its segment's bridge, in the lab namespace
            List<String> cmds = new ArrayList<>();
            for (LabLink l : links) {
                if (!Ip.linkExists(l.namespace(), l.device())) {
                    cmds.add("tuntap add dev " + l.device() + " mode tap");
                }
                cmds.add("link set dev " + l.device() + " master " + l.bridge() + " up");
            }
            Ip.batch(lab.namespace(), cmds);
            plumbing = System.nanoTime() - t0;
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UnibenchException("cannot start " + options.binary() + ": " + e.getMessage(), e);
        }
        long spawned = System.nanoTime();
        children.put(id, p);
        inst = inst.withPid(p.pid()).withState(InstanceState.running);
        return new QemuStart(inst, p, qmp, console, qemuLog, spec.unikernel().readyLine(), t0, spawned, plumbing);
    }

    /** Removes the instance's tap from its lab (after QEMU is gone); nothing when not in a lab or already gone. */
    private static void removeTap(Instance instance) {
        for (LabLink lab : instance.labLinks()) {
            if (lab.device() == null || !Ip.namespaceExists(lab.namespace())
                    || !Ip.linkExists(lab.namespace(), lab.device())) {
                continue;
            }
            Ip.batch(lab.namespace(), List.of("link delete dev " + lab.device()));
        }
    }

    /** Watches one booting guest: process exit, QMP state, ready line on the serial console. */
    private final class QemuStart implements Start {
        private final Instance instance;
        private final Process process;
        private final Path qmpSocket;
        private final Path qemuLog;
        private final boolean hasReadyLine;
        private final long t0;
        private final long spawned;
        private final long plumbing;
        private final ConsoleWatch console;
        private Qmp qmp;

        QemuStart(Instance instance, Process process, Path qmpSocket, Path console, Path qemuLog, String readyLine,
                  long t0, long spawned, long plumbing) {
            this.plumbing = plumbing;
            this.instance = instance;
            this.process = process;
            this.qmpSocket = qmpSocket;
            this.qemuLog = qemuLog;
            this.hasReadyLine = readyLine != null;
            this.t0 = t0;
            this.spawned = spawned;
            // the serial log: the ready line, then the boot stamps the guest prints after its first answer
            this.console = new ConsoleWatch(console, readyLine, true)
                    .watch("unibench-console-" + instance.id(), process::isAlive);
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
            return spawned;
        }

        @Override
        public long plumbingNanos() {
            return plumbing;
        }

        @Override
        public long consoleReadyNanos() {
            return console.readyNanos();
        }

        @Override
        public GuestStamps guestStamps() {
            return console.stamps();
        }

        @Override
        public boolean stampsPending() {
            return hasReadyLine && guestStamps() == null && process.isAlive();
        }

        /** Looks for the ready line, then for the boot stamps the guest prints after its first answer. */
        @Override
        public void poll() {
            console.poll();
        }

        @Override
        public String failure() {
            poll();
            if (!process.isAlive()) {
                String out = tail(qemuLog, 5);
                Matcher m = FWD_ERROR.matcher(out);
                if (m.find()) {
                    int port = Integer.parseInt(m.group(1));
                    throw new PortInUseException(port, "host port 127.0.0.1:" + port + " is taken (" + out.strip() + ")");
                }
                String errors = out.lines().filter(l -> !l.contains("warning:")).collect(Collectors.joining(" "));
                return (process.exitValue() == 0 ? "the guest reset or powered off (QEMU, run with -no-reboot, exited"
                        + " with status 0)" : "QEMU exited with status " + process.exitValue())
                        + (errors.isBlank() ? "" : ": " + oneLine(errors));
            }
            try {
                if (qmp == null) {
                    if (!Files.exists(qmpSocket)) {
                        return null;
                    }
                    qmp = Qmp.connect(qmpSocket, 1000);
                }
                String status = qmp.status(System.nanoTime() + 1_000_000_000L);
                for (String ev : qmp.events()) {
                    if (ev.equals("SHUTDOWN") || ev.equals("GUEST_PANICKED") || ev.equals("STOP")) {
                        return "guest stopped by itself (QMP event " + ev + ", status " + status + ")";
                    }
                }
                if (!status.equals("running")) {
                    return "guest is no longer running (QMP status " + status + ")";
                }
            } catch (IOException e) {
                if (!process.isAlive()) {
                    return failure();
                }
                // QEMU still starting its QMP server: ask again on the next check
                closeQmp();
            }
            return null;
        }

        @Override
        public void close() {
            console.close();
            closeQmp();
        }

        private void closeQmp() {
            if (qmp != null) {
                qmp.close();
                qmp = null;
            }
        }
    }

    /** Every thread of the QEMU process (its vCPU threads, main loop and I/O workers; later workers inherit). */
    @Override
    public io.unibench.util.Affinity.Pinning place(Instance instance, io.unibench.util.CpuSet cpus) {
        Optional<ProcessHandle> ph = ourProcess(instance);
        if (ph.isEmpty()) {
            return io.unibench.util.Affinity.Pinning.unsupported(cpus, "no QEMU process for " + instance.id());
        }
        long pid = ph.get().pid();
        java.util.List<String> vcpus = io.unibench.util.Affinity.readBack(pid).keySet().stream()
                .filter(t -> t.contains("/KVM)") || t.contains("/TCG)")).toList();
        return io.unibench.util.Affinity.pinProcess(pid, cpus, "sched_setaffinity on every thread of QEMU pid " + pid
                + " (vCPU thread" + (vcpus.size() == 1 ? " " : "s ") + String.join(", ", vcpus) + ", main loop, I/O)");
    }

    @Override
    public Observation observe(Instance instance) {
        Optional<ProcessHandle> ph = ourProcess(instance);
        if (ph.isEmpty()) {
            return Observation.without(instance.state() == InstanceState.starting ? InstanceState.starting
                    : InstanceState.exited, "no QEMU process");
        }
        long pid = ph.get().pid();
        long rss = ProcFs.rss(pid);
        long cpu = ProcFs.cpuNanos(pid);
        Path sock = Path.of(instance.detail("qmp_socket"));
        try (Qmp q = Qmp.connect(sock, 500)) {
            String status = q.status(System.nanoTime() + 500_000_000L);
            return new Observation(status.equals("running") ? InstanceState.running : InstanceState.crashed, rss,
                    "rss", "QMP status " + status).withCpu(cpu, "process");
        } catch (IOException e) {
            return new Observation(InstanceState.running, rss, "rss", "QMP not answering (" + e.getMessage() + ")")
                    .withCpu(cpu, "process");
        }
    }

    /**
     * The QEMU process's CPU time from /proc (all its threads): checked once to be ours, then one stat read per
     * sample ({@link ProcFs#cpuClock}), without the QMP round trip of observe.
     */
    @Override
    public java.util.function.LongSupplier cpuClock(Instance instance) {
        Optional<ProcessHandle> ph = ourProcess(instance);
        return ph.isEmpty() ? () -> -1 : ProcFs.cpuClock(ph.get().pid());
    }

    @Override
    public String destroy(Instance instance) {
        Process child = children.remove(instance.id());
        Optional<ProcessHandle> ph = ourProcess(instance);
        if (ph.isEmpty()) {
            removeTap(instance);
            Long pid = knownPid(instance);
            return pid == null ? "no QEMU process was started" : "QEMU pid " + pid + " already gone (or no longer ours)";
        }
        ProcessHandle h = ph.get();
        String how = "stopped";
        String sock = instance.detail("qmp_socket");
        try (Qmp q = Qmp.connect(Path.of(sock), 500)) {
            q.quit(System.nanoTime() + 1_000_000_000L);
        } catch (IOException e) {
            how = "killed (QMP quit failed: " + e.getMessage() + ")";
            h.destroyForcibly();
        }
        if (!waitExit(h, child, GRACE_MILLIS)) {
            how = "killed after a " + GRACE_MILLIS + " ms grace";
            h.destroyForcibly();
            if (!waitExit(h, child, GRACE_MILLIS)) {
                throw new UnibenchException("QEMU pid " + h.pid() + " of " + instance.id() + " does not die");
            }
        }
        removeTap(instance);
        return how + " QEMU pid " + h.pid() + (instance.lab() == null ? "" : ", removed tap" + (instance.labLinks().size() > 1
                ? "s " : " ") + String.join(", ", instance.labLinks().stream().map(LabLink::device).toList()));
    }

    /** SIGKILL, no grace: the boot benchmark's kill. The record stays; {@link #restart} spawns anew. */
    @Override
    public void kill(Instance instance) {
        Process child = children.remove(instance.id());
        Optional<ProcessHandle> ph = ourProcess(instance);
        if (ph.isEmpty()) {
            removeTap(instance);
            return;
        }
        ProcessHandle h = ph.get();
        h.destroyForcibly();
        if (!waitExit(h, child, GRACE_MILLIS)) {
            throw new UnibenchException("QEMU pid " + h.pid() + " of " + instance.id() + " does not die");
        }
        // the restart plumbs anew: each boot in a lab includes its tap
        removeTap(instance);
    }

    /**
     * Waits until the process is gone. A QEMU whose deploying JVM has exited is no longer our child: when
     * it exits it may stay a zombie until init reaps it (forever, when PID 1 does not reap), so a zombie
     * counts as gone.
     */
    private static boolean waitExit(ProcessHandle h, Process child, long millis) {
        try {
            if (child != null) {
                return child.waitFor(millis, TimeUnit.MILLISECONDS);
            }
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (!isGone(h.pid())) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.sleep(5);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return isGone(h.pid());
        }
    }

    /** True when no process has this pid, or it is a zombie (exited, not yet reaped). */
    static boolean isGone(long pid) {
        return ProcFs.isGone(pid);
    }

    /**
     * The live QEMU process of this instance, only if it is still ours: a qemu-system process whose command
     * line names this instance's QMP socket. The pid comes from the record, else the pid file, else a scan
     * of /proc for that socket path (a deploy killed right after the spawn).
     */
    Optional<ProcessHandle> ourProcess(Instance instance) {
        String sock = instance.detail("qmp_socket");
        if (sock == null) {
            return Optional.empty();
        }
        Long pid = knownPid(instance);
        if (pid != null) {
            return isOurs(pid, sock) ? ProcessHandle.of(pid) : Optional.empty();
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && isOurs(Long.parseLong(name), sock)) {
                    return ProcessHandle.of(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        return Optional.empty();
    }

    private static Long knownPid(Instance instance) {
        if (instance.pid() != null) {
            return instance.pid();
        }
        String pf = instance.detail("pidfile");
        if (pf != null) {
            try {
                return Long.parseLong(Files.readString(Path.of(pf)).strip());
            } catch (IOException | NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** True when {@code pid} runs a qemu-system binary whose arguments include our QMP socket path. */
    static boolean isOurs(long pid, String qmpSocket) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
        String[] args = new String(raw, StandardCharsets.UTF_8).split("\0");
        if (args.length > 4 && Path.of(args[0]).getFileName().toString().equals("ip") && args[1].equals("netns")
                && args[2].equals("exec")) {
            // spawned as 'ip netns exec NS qemu-system-...', in the instant before ip execs QEMU
            args = Arrays.copyOfRange(args, 4, args.length);
        }
        if (args.length == 0 || !Path.of(args[0]).getFileName().toString().startsWith("qemu-system")) {
            return false;
        }
        String want = "unix:" + qmpSocket + ",";
        return Arrays.stream(args).anyMatch(a -> a.startsWith(want));
    }

    @Override
    public List<String> consoleTail(Instance instance, int lines) {
        String c = instance.detail("console_log");
        return c == null ? List.of() : tail(Path.of(c), lines).lines().toList();
    }

    @Override
    public String logLocation(Instance instance) {
        return instance.detail("console_log");
    }

    static String tail(Path file, int lines) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 8192);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            List<String> all = new String(b, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static String oneLine(String s) {
        return s.strip().replace('\n', ' ').replaceAll("\\s+", " ");
    }
}
