package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.ImageBuilder;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import picocli.CommandLine;

/** Shared helpers of the deploy integration tests: run the CLI in-process, run tools, find leftovers. */
final class DeployItSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    private static boolean built;

    private DeployItSupport() {
    }

    /** Result of one in-process unibench run. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON on stdout: " + out + "\nstderr: " + err, e);
            }
        }
    }

    static Run unibench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Every tool the deploy tests use must be there: CI installs them, so a missing one is a failure. */
    static void requireTools() {
        for (String tool : List.of("qemu-system-x86_64", "docker", "dig", "curl", "make", "gcc", "as", "ld")) {
            assertThat(io.unibench.util.Processes.onPath(tool))
                    .as(tool + " is needed by the deploy integration tests (scripts/test.sh installs it)").isTrue();
        }
        String docker = io.unibench.util.Doctor.dockerVersion();
        assertThat(docker).as("Docker daemon must run for the deploy integration tests (start: dockerd &)")
                .startsWith("API");
    }

    /** The gvisor tests need runsc registered with the daemon (scripts/test.sh does it): fail loudly if not. */
    static void requireRunsc() {
        Proc info = run(List.of("docker", "info", "--format", "{{json .Runtimes}}"), 30);
        assertThat(info.out()).as("the runsc runtime must be registered with Docker (scripts/lib/host.sh "
                + "ensure_runsc_runtime)").contains("\"runsc\"");
    }

    /** Builds unikernels and container images once per JVM, through the code behind 'unibench build'. */
    static synchronized void buildImages() {
        if (!built) {
            ServiceCatalog catalog = ServiceCatalog.load();
            try {
                Deployments d = Deployments.create(StateStore.open(Files.createTempDirectory("ubbuild")), catalog,
                        BackendOptions.defaults(), new Deployments.Listener() { });
                new ImageBuilder(catalog, d::deployer, m -> { }).build(List.of(Backend.values()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            built = true;
        }
    }

    /** Points unibench at a fresh state directory (short path: QMP socket paths must stay short). */
    static Path freshStateDir() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ubit");
        System.setProperty(StateStore.DIR_PROPERTY, dir.toString());
        StateStore.open(dir);
        return dir;
    }

    /** Cleanup a test adds to {@link Dirs}'s, run after unibench's own teardown. */
    interface Cleanup {
        void run() throws IOException;
    }

    /**
     * The per-test scaffolding of the deploy-style ITs, as a JUnit extension
     * ({@code @RegisterExtension final DeployItSupport.Dirs dirs = new DeployItSupport.Dirs("prefix")}): before
     * each test a fresh state directory ({@link #freshStateDir}) and an empty results folder; after it
     * {@link #tearDown} of the state, then the test's own {@code also} cleanup, then the results folder goes.
     */
    static final class Dirs implements BeforeEachCallback, AfterEachCallback {
        private final String resultsPrefix;
        private final Cleanup also;
        private Path state;
        private Path results;

        Dirs(String resultsPrefix) {
            this(resultsPrefix, () -> { });
        }

        Dirs(String resultsPrefix, Cleanup also) {
            this.resultsPrefix = resultsPrefix;
            this.also = also;
        }

        /** This test's state directory (unibench's, through {@link StateStore#DIR_PROPERTY}). */
        Path state() {
            return state;
        }

        /** This test's results folder. */
        Path results() {
            return results;
        }

        @Override
        public void beforeEach(ExtensionContext context) throws IOException {
            state = freshStateDir();
            results = Files.createTempDirectory(resultsPrefix);
        }

        @Override
        public void afterEach(ExtensionContext context) throws IOException {
            try {
                tearDown(state);
            } finally {
                try {
                    also.run();
                } finally {
                    deleteTree(results);
                }
            }
        }
    }

    static Proc run(List<String> cmd, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s");
            }
            return new Proc(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    record Proc(int exit, String out) {
    }

    /** dig @127.0.0.1 -p PORT www.cetic.be A +short, with retries (UDP). */
    static String dig(String address) {
        String[] hp = address.split(":");
        return run(List.of("dig", "+short", "+tries=3", "+time=1", "-p", hp[1], "@" + hp[0], "www.cetic.be", "A"), 20)
                .out().strip();
    }

    /** curl -s http://ADDRESS/ with its status code on the last line. */
    static Proc curl(String address) {
        return run(List.of("curl", "-s", "--max-time", "5", "--retry", "2", "-w", "\n%{http_code}",
                "http://" + address + "/"), 30);
    }

    /** Containers labelled as owned by this state directory, running or not. */
    static List<String> ourContainers(Path stateDir) {
        Proc p = run(List.of("docker", "ps", "-aq", "--filter", "label=unibench.owner=" + stateDir), 30);
        assertThat(p.exit()).as(p.out()).isZero();
        return p.out().lines().filter(l -> !l.isBlank()).toList();
    }

    /** Live (non-zombie) processes whose command line mentions this state directory. */
    static List<String> ourQemus(Path stateDir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.startsWith("qemu-system") && cmd.contains(stateDir.toString())) {
                        out.add(pid + " " + cmd);
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return out;
    }

    /** Live native service processes started for this state directory (their environment marker names it). */
    /**
     * The native instances of this state dir: marked processes whose parent is not one of them (a DNS
     * server's SO_REUSEPORT workers inherit the marker; they are part of their instance).
     */
    static List<Long> ourNativeInstances(Path stateDir) throws IOException {
        List<Long> all = ourNatives(stateDir);
        List<Long> top = new ArrayList<>();
        for (long pid : all) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (!all.contains(Long.parseLong(f[1]))) {
                    top.add(pid);
                }
            } catch (IOException e) {
                // exited meanwhile
            }
        }
        return top;
    }

    /** Every process carrying this state dir's instance marker (instances and their workers). */
    static List<Long> ourNatives(Path stateDir) throws IOException {
        List<Long> out = new ArrayList<>();
        String marker = "UNIBENCH_INSTANCE=" + stateDir + ":";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit) || io.unibench.deploy.ProcFs.isGone(Long.parseLong(pid))) {
                    continue;
                }
                try {
                    for (String v : new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8)
                            .split("\0")) {
                        if (v.startsWith(marker)) {
                            out.add(Long.parseLong(pid));
                        }
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return out;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files: best effort
        }
    }

    /**
     * Teardown of every deploy-style IT: {@code destroy --all} through unibench, then a safety net that
     * removes only what this test's state directory owns (its containers by label, its QEMUs by socket
     * path), and forgets the state directory.
     */
    static void tearDown(Path state) throws IOException {
        try {
            unibench("destroy", "--all");
            for (String c : ourContainers(state)) {
                run(List.of("docker", "rm", "-f", c), 30);
            }
            for (String q : ourQemus(state)) {
                ProcessHandle.of(Long.parseLong(q.split(" ")[0])).ifPresent(ProcessHandle::destroyForcibly);
            }
            for (long pid : ourNatives(state)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } finally {
            System.clearProperty(StateStore.DIR_PROPERTY);
            deleteTree(state);
        }
    }
}
