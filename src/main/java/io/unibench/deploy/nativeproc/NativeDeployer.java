package io.unibench.deploy.nativeproc;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.ConsoleWatch;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.ImageFacts;
import io.unibench.deploy.ImageBuilder;
import io.unibench.deploy.Instance;
import io.unibench.deploy.InstanceState;
import io.unibench.deploy.PortInUseException;
import io.unibench.deploy.ProcFs;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.lab.InstanceNamespace;
import io.unibench.deploy.lab.LabLink;
import io.unibench.results.Caveat;
import io.unibench.util.Doctor;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the service's static binary (the one its container image holds) as a plain child process of
 * unibench: no virtualisation, no container, no port forwarder; the service binds its allocated host port
 * on 127.0.0.1 itself. The floor of the comparison.
 * <p>
 * Ownership: a process is ours only when its pid, its start time (clock ticks since boot, from
 * {@code /proc/PID/stat}) and its command line all match what was recorded when it was spawned, and its
 * environment carries this instance's marker ({@code UNIBENCH_INSTANCE=<owner>:<id>}). Another process, even
 * one running the same binary with the same arguments, is never touched. A deploy killed right after the
 * spawn (pid not yet recorded) is found again by the marker.
 * <p>
 * Memory is the process's RSS, CPU its utime + stime; stdout and stderr go to the console log.
 */
public final class NativeDeployer implements Deployer {
    /** The manifest section this backend reads ({@code "native": {...}}). */
    public static final String SECTION = "native";
    /** A static binary's RSS (< 1 MB measured) plus the kernel's socket buffers and page tables, rounded up. */
    public static final long PROCESS_BYTES = 4L << 20;
    static final String MARKER = "UNIBENCH_INSTANCE";
    private static final long GRACE_MILLIS = 2000;
    private static final Pattern LISTEN_ERROR = Pattern.compile("cannot listen on .*port (\\d+): Address already in use");

    /**
     * The manifest's {@code native} section: the binary (relative to the unibench checkout unless absolute),
     * its arguments ({@code {port:NAME}} becomes the host port of the manifest port NAME) and its ready line.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NativeSpec(@JsonProperty("binary") String binary, @JsonProperty("args") List<String> args,
                             @JsonProperty("ready_line") String readyLine) {
        public NativeSpec {
            args = args == null ? List.of() : List.copyOf(args);
        }
    }

    private final StateStore state;
    private final ServiceCatalog catalog;
    private final Map<String, Process> children = new ConcurrentHashMap<>();

    public NativeDeployer(Deployer.Context context) {
        this.state = context.state();
        this.catalog = context.catalog();
    }

    @Override
    public Backend backend() {
        return Backend.nativeproc;
    }

    private NativeSpec nativeSpec(ServiceSpec spec) {
        return spec.section(SECTION, NativeSpec.class);
    }

    private Path binary(NativeSpec n) {
        Path p = Path.of(n.binary());
        return p.isAbsolute() ? p : catalog.homeDir().resolve(p);
    }

    @Override
    public List<Doctor.Check> prerequisites() {
        List<String> missing = new ArrayList<>();
        List<String> built = new ArrayList<>();
        for (String name : catalog.names()) {
            NativeSpec n = nativeSpec(catalog.get(name));
            if (n != null) {
                (Files.isExecutable(binary(n)) ? built : missing).add(name);
            }
        }
        boolean proc = Files.isDirectory(Path.of("/proc/self"));
        String detail = !proc ? "no /proc: native processes cannot be observed here (Linux only)"
                : !missing.isEmpty() ? "binaries of " + String.join(", ", missing) + " not built (unibench build native)"
                : "host processes from the static binaries of " + String.join(", ", built);
        return List.of(new Doctor.Check("native binaries", proc && missing.isEmpty(), detail, Set.of()));
    }

    @Override
    public void preflight(ServiceSpec spec) {
        NativeSpec n = nativeSpec(spec);
        if (n == null || n.binary() == null) {
            throw new UsageException("service '" + spec.service() + "' has no native section in its manifest");
        }
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            throw new UnibenchException("the native backend needs Linux's /proc (to own and observe its processes)");
        }
        if (!Files.isExecutable(binary(n))) {
            throw new UnibenchException("binary " + binary(n) + " is not built; run 'unibench build native'");
        }
    }

    @Override
    public Image image(ServiceSpec spec) {
        NativeSpec n = nativeSpec(spec);
        if (n == null || n.binary() == null) {
            return new Image("binary", null, null, -1);
        }
        return ImageFacts.read("binary", binary(n));
    }

    @Override
    public List<BuildStep> buildSteps(List<ServiceSpec> specs) {
        return List.of(ImageBuilder.binariesStep(catalog));
    }

    /** No limit is set: a host process can use what the host has. */
    @Override
    public long memoryGivenBytes(ServiceSpec spec) {
        return -1;
    }

    @Override
    public long hostMemoryPerInstanceBytes(ServiceSpec spec) {
        return PROCESS_BYTES;
    }

    @Override
    public Map<String, String> tools() {
        return Map.of();
    }

    @Override
    public Map<String, Object> facts(ServiceSpec spec) {
        Map<String, Object> m = ImageFacts.of(image(spec));
        m.put("isolation", "none: a host process of this user (no VM, no container, no cgroup limit)");
        m.put("memory_limit", null);
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpus_note", "no limit: every CPU of the host");
        m.put("network", "forward: the service binds 127.0.0.1:PORT itself (no proxy in the path)");
        return m;
    }

    @Override
    public Map<Caveat, String> caveats(ServiceSpec spec) {
        return Map.of(Caveat.NATIVE_PROCESS, "native: the service is a plain host process that binds 127.0.0.1 itself"
                + " (no virtualisation, no container, no cgroup limit, no port forwarder in the path): the floor of"
                + " the comparison, not an isolated deployment.");
    }

    @Override
    public Map<String, String> restartSemantics(boolean recreate) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kill", "SIGKILL of the service process (no grace)");
        m.put("restart", "a new process of the same binary with the same arguments and ports");
        return m;
    }

    /**
     * The service binds the allocated host ports itself: no port behind them. Manifest ports with the same
     * service port (DNS over UDP and TCP) share one host port, as the binary serves both on its {@code --port}.
     */
    @Override
    public List<Endpoint> endpoints(ServiceSpec spec, IntSupplier ports) {
        Map<Integer, Integer> hostPortOf = new LinkedHashMap<>();
        List<Endpoint> eps = new ArrayList<>();
        for (ServiceSpec.PortSpec p : spec.ports()) {
            int host = hostPortOf.computeIfAbsent(p.port(), k -> ports.getAsInt());
            eps.add(new Endpoint(p.name(), p.protocol(), "127.0.0.1", host, host));
        }
        return eps;
    }

    /**
     * The argument list with {@code {port:NAME}} replaced by that endpoint's port and {@code {address:NAME}}
     * by its address (127.0.0.1 in forward mode, the instance's lab address in lab mode).
     */
    static List<String> arguments(NativeSpec n, Path binary, List<Endpoint> endpoints) {
        List<String> argv = new ArrayList<>();
        argv.add(binary.toString());
        for (String a : n.args()) {
            String out = a;
            for (Endpoint e : endpoints) {
                out = out.replace("{port:" + e.name() + "}", Integer.toString(e.port()))
                        .replace("{address:" + e.name() + "}", e.host());
            }
            if (out.contains("{port:") || out.contains("{address:")) {
                throw new UnibenchException("native argument '" + a + "' names a port the manifest does not have");
            }
            argv.add(out);
        }
        return argv;
    }

    private String marker(String id) {
        return state.owner() + ":" + id;
    }

    @Override
    public Start start(ServiceSpec spec, Instance recorded) {
        NativeSpec n = nativeSpec(spec);
        String id = recorded.id();
        Path bin = binary(n);
        Path console = state.logFile(id, "console");
        List<String> argv = arguments(n, bin, recorded.endpoints());
        try {
            Files.deleteIfExists(console);
        } catch (IOException e) {
            throw new UnibenchException("cannot prepare " + console + ": " + e.getMessage(), e);
        }
        LabLink lab = recorded.lab();
        long t0 = System.nanoTime();
        long plumbing = -1;
        List<String> spawn = argv;
        if (lab != null) {
            // its own namespace, attached to the lab segment by CNI like a container; the service binds there
            lab = InstanceNamespace.create(lab, id, state.owner());
            Instance attached = recorded.withLab(lab);
            state.locked(() -> state.put(attached)); // destroy finds the namespace even if we are killed now
            recorded = attached;
            plumbing = System.nanoTime() - t0;
            spawn = InstanceNamespace.exec(lab, argv);
        }
        ProcessBuilder pb = new ProcessBuilder(spawn).redirectErrorStream(true)
                .redirectOutput(console.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .directory(catalog.homeDir().toFile());
        pb.environment().clear();
        pb.environment().put(MARKER, marker(id));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UnibenchException("cannot start " + bin + ": " + e.getMessage(), e);
        }
        long spawned = System.nanoTime();
        children.put(id, p);
        long ticks = ProcFs.startTicks(p.pid());
        Instance inst = recorded.withPid(p.pid()).withState(InstanceState.running)
                .withDetail("image", bin.toString()).withDetail("console_log", console.toString())
                .withDetail("command_line", String.join(" ", argv))
                .withDetail("argv", String.join("\0", argv))
                .withDetail("start_ticks", Long.toString(ticks));
        return new NativeStart(inst, p, console, n.readyLine(), t0, spawned, plumbing);
    }

    /** Watches one starting process: its exit, and the ready line in its output. */
    private static final class NativeStart implements Start {
        private final Instance instance;
        private final Process process;
        private final long t0;
        private final long spawned;
        private final long plumbing;
        private final Path output;
        private final ConsoleWatch console;

        NativeStart(Instance instance, Process process, Path console, String readyLine, long t0, long spawned,
                    long plumbing) {
            this.plumbing = plumbing;
            this.instance = instance;
            this.process = process;
            this.output = console;
            this.t0 = t0;
            this.spawned = spawned;
            // the process's output: dates the ready line within a millisecond, independent of the probe's pace
            this.console = new ConsoleWatch(console, readyLine, false)
                    .watch("unibench-console-" + instance.id(), process::isAlive);
        }

        @Override
        public Instance instance() {
            return instance;
        }

        @Override
        public long plumbingNanos() {
            return plumbing;
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
            if (process.isAlive()) {
                return null;
            }
            String out = tail(output, 5);
            Matcher m = LISTEN_ERROR.matcher(out);
            if (m.find()) {
                int port = Integer.parseInt(m.group(1));
                throw new PortInUseException(port, "host port 127.0.0.1:" + port + " is taken (" + oneLine(out) + ")");
            }
            return "the service process exited with status " + process.exitValue()
                    + (out.isBlank() ? "" : ": " + oneLine(out));
        }

        @Override
        public void close() {
            console.close();
        }
    }

    /** Every thread of the service's process. */
    @Override
    public io.unibench.util.Affinity.Pinning place(Instance instance, io.unibench.util.CpuSet cpus) {
        Optional<ProcessHandle> ph = ourProcess(instance);
        if (ph.isEmpty()) {
            return io.unibench.util.Affinity.Pinning.unsupported(cpus, "no process for " + instance.id());
        }
        long pid = ph.get().pid();
        return io.unibench.util.Affinity.pinProcess(pid, cpus, "sched_setaffinity on every thread of pid " + pid);
    }

    @Override
    public Observation observe(Instance instance) {
        Optional<ProcessHandle> ph = ourProcess(instance);
        if (ph.isEmpty()) {
            return Observation.without(instance.state() == InstanceState.starting ? InstanceState.starting
                    : InstanceState.exited, "no process");
        }
        long pid = ph.get().pid();
        return new Observation(InstanceState.running, ProcFs.rss(pid), "rss", "process running")
                .withCpu(ProcFs.cpuNanos(pid), "process");
    }

    /**
     * The process's CPU time: whether it is ours (pid, start time, command line, environment marker) is checked
     * once here, then each sample is one /proc stat read ({@link ProcFs#cpuClock}), not observe's full check.
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
            InstanceNamespace.remove(instance.lab(), instance.id(), state.owner());
            return instance.pid() == null ? "no process was started"
                    : "process " + instance.pid() + " already gone (or no longer ours)";
        }
        ProcessHandle h = ph.get();
        h.destroy(); // SIGTERM: the service exits 0
        String how = "stopped";
        if (!waitExit(h, child, GRACE_MILLIS)) {
            how = "killed after a " + GRACE_MILLIS + " ms grace";
            h.destroyForcibly();
            if (!waitExit(h, child, GRACE_MILLIS)) {
                throw new UnibenchException("process " + h.pid() + " of " + instance.id() + " does not die");
            }
        }
        InstanceNamespace.remove(instance.lab(), instance.id(), state.owner());
        return how + " process " + h.pid() + (instance.lab() == null ? ""
                : ", removed its namespace " + instance.lab().instanceNamespace());
    }

    /** SIGKILL, no grace: the boot benchmark's kill. The record stays; {@link #restart} spawns anew. */
    @Override
    public void kill(Instance instance) {
        Process child = children.remove(instance.id());
        Optional<ProcessHandle> ph = ourProcess(instance);
        if (ph.isEmpty()) {
            InstanceNamespace.remove(instance.lab(), instance.id(), state.owner());
            return;
        }
        ph.get().destroyForcibly();
        if (!waitExit(ph.get(), child, GRACE_MILLIS)) {
            throw new UnibenchException("process " + ph.get().pid() + " of " + instance.id() + " does not die");
        }
        // the restart plumbs anew: each boot in a lab includes its namespace and CNI ADD
        InstanceNamespace.remove(instance.lab(), instance.id(), state.owner());
    }

    /** Waits until the process is gone; one whose deploying JVM has exited may stay a zombie: that counts as gone. */
    private static boolean waitExit(ProcessHandle h, Process child, long millis) {
        try {
            if (child != null) {
                return child.waitFor(millis, TimeUnit.MILLISECONDS);
            }
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (!ProcFs.isGone(h.pid())) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.sleep(5);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProcFs.isGone(h.pid());
        }
    }

    /**
     * The live process of this instance, only if it is still ours: the recorded pid with the recorded start
     * time, command line and marker; without a recorded pid (a deploy killed right after the spawn), the one
     * process carrying this instance's marker.
     */
    Optional<ProcessHandle> ourProcess(Instance instance) {
        if (instance.pid() != null) {
            long pid = instance.pid();
            String ticks = instance.detail("start_ticks");
            String argv = instance.detail("argv");
            boolean same = ticks != null && Long.toString(ProcFs.startTicks(pid)).equals(ticks)
                    && argv != null && String.join("\0", ProcFs.cmdline(pid)).equals(argv)
                    && hasMarker(pid, marker(instance.id())) && !ProcFs.isGone(pid);
            return same ? ProcessHandle.of(pid) : Optional.empty();
        }
        String want = marker(instance.id());
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && hasMarker(Long.parseLong(name), want)
                        && !ProcFs.isGone(Long.parseLong(name))) {
                    return ProcessHandle.of(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        return Optional.empty();
    }

    /** True when the process's environment holds exactly our marker (readable for our own user's processes). */
    static boolean hasMarker(long pid, String marker) {
        try {
            byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            for (String var : new String(env, StandardCharsets.UTF_8).split("\0")) {
                if (var.equals(MARKER + "=" + marker)) {
                    return true;
                }
            }
        } catch (IOException e) {
            // another user's process, or gone
        }
        return false;
    }

    @Override
    public List<String> consoleTail(Instance instance, int lines) {
        return tail(state.logFile(instance.id(), "console"), lines).lines().toList();
    }

    @Override
    public String logLocation(Instance instance) {
        return state.logFile(instance.id(), "console").toString();
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
