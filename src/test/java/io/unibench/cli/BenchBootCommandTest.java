package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.deploy.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to 'bench boot': one line on stderr, exit 2, no results folder, nothing started. */
class BenchBootCommandTest {
    @TempDir
    Path tmp;

    private String oldHome;
    private String oldState;

    @BeforeEach
    void isolate() throws IOException {
        oldHome = System.getProperty("unibench.home");
        oldState = System.getProperty(StateStore.DIR_PROPERTY);
        System.setProperty(StateStore.DIR_PROPERTY, tmp.resolve("state").toString());
        // a checkout with the real manifests but nothing built
        Path services = Files.createDirectories(tmp.resolve("home/unikernels/services"));
        Path repo = Path.of(oldHome == null ? "." : oldHome).toAbsolutePath();
        for (String m : List.of("dns.json", "web.json")) {
            Files.copy(repo.resolve("unikernels/services").resolve(m), services.resolve(m));
        }
        System.setProperty("unibench.home", tmp.resolve("home").toString());
    }

    @AfterEach
    void restore() {
        restore("unibench.home", oldHome);
        restore(StateStore.DIR_PROPERTY, oldState);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run boot(String... args) {
        List<String> all = new ArrayList<>(List.of("bench", "boot", "--output", tmp.resolve("out").toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private void assertUsage(Run r, String message) {
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().strip()).doesNotContain("\n").contains(message);
        assertThat(tmp.resolve("out")).doesNotExist();
        assertThat(tmp.resolve("state/instances")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    }

    @Test
    void scheduleNumbersMustBePositiveAndConsistent() {
        assertUsage(boot("--start", "0"), "--start must be positive (got 0)");
        assertUsage(boot("--cpu-layout", "both"), "--cpu-layout must be split or shared (got 'both')");
        assertUsage(boot("--step", "0"), "--step must be positive (got 0)");
        assertUsage(boot("--max", "-5"), "--max must be positive (got -5)");
        assertUsage(boot("--start", "20", "--max", "10"), "--max (10) is below --start (20)");
        assertUsage(boot("--start", "10", "--step", "20", "--max", "140"), "plus a multiple of --step");
        assertUsage(boot("--period", "2s", "--interval", "5s"), "is shorter than --interval");
        assertUsage(boot("--interval", "0s"), "--interval must be positive");
        assertUsage(boot("--cold", "-1"), "--cold must be a positive number of boots (got -1)");
        // 0 used to mean "no cold boots" and silently started the study's churn schedule (hours)
        assertUsage(boot("--cold", "0"), "--cold must be a positive number of boots (got 0); leave it out");
        assertUsage(boot("--cold", "2", "--warmup", "-1"), "--warmup must not be negative");
        assertUsage(boot("--boot-timeout", "0s"), "--boot-timeout must be positive");
        assertUsage(boot("--period", "soon"), "invalid duration 'soon'");
    }

    @Test
    void unknownServiceBackendOrMachine() {
        assertUsage(boot("--service", "mail"), "unknown service 'mail' (known: dns, web");
        assertUsage(boot("--backend", "xen"), "unknown backend 'xen' (known: qemu, docker");
        assertUsage(boot("--machine", "q35"), "unknown --machine 'q35' (use microvm or pc)");
        assertUsage(boot("--accel", "hvf"), "--accel");
    }

    @Test
    void anImageThatIsNotBuiltIsBadInput() {
        assertUsage(boot("--backend", "qemu", "--cold", "1"), "is not built; run 'unibench build'");
    }

    @Test
    void aRunOfHoursSaysHowLongAndHowToShortenItFirst() {
        Run r = boot("--backend", "qemu");
        assertThat(r.err()).contains("bench boot: expected to take about 4h40m (14 periods of 20m on 1 backend);"
                + " shorten it with --max, --period or --backend, or measure cold boots only with --cold N");
        Run shortRun = boot("--backend", "qemu", "--start", "2", "--step", "2", "--max", "4", "--period", "1m");
        assertThat(shortRun.err()).doesNotContain("expected to take");
    }

    @Test
    void anExistingOutputFolderIsNeverReused() throws IOException {
        Files.createDirectories(tmp.resolve("out"));
        Run r = boot("--backend", "qemu", "--cold", "1");
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("already exists");
        try (var files = Files.list(tmp.resolve("out"))) {
            assertThat(files).isEmpty();
        }
    }
}
