package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one line on stderr, exit 2, nothing written. No server needed: validation comes first. */
class BenchDnsCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String err) {
    }

    private Run run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] full = new String[args.length + 2];
            full[0] = "bench";
            full[1] = "dns";
            System.arraycopy(args, 0, full, 2, args.length);
            int exit = Main.commandLine().setErr(new java.io.PrintWriter(System.err, true)).execute(full);
            return new Run(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private void assertUsage(String expected, String... args) throws Exception {
        Path out = dir.resolve("out");
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--output";
        full[args.length + 1] = out.toString();
        Run r = run(full);
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains(expected);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(out).doesNotExist();
    }

    @Test
    void badInputExitsTwoAndWritesNothing() throws Exception {
        assertUsage("cannot resolve host 'no..such'", "--target", "no..such", "--rate", "10", "--duration", "1s");
        assertUsage("port must be 1-65535", "--target", "127.0.0.1:70000", "--rate", "10");
        assertUsage("port must be 1-65535", "--target", "127.0.0.1:0", "--rate", "10");
        assertUsage("--rate must be positive", "--target", "127.0.0.1:5353", "--rate", "0");
        assertUsage("--duration must be positive", "--target", "127.0.0.1:5353", "--rate", "5", "--duration", "0s");
        assertUsage("is below --start-rate", "--target", "127.0.0.1:5353", "--start-rate", "500", "--max-rate", "100");
        assertUsage("--threads must be between 1 and --clients", "--target", "127.0.0.1:5353", "--rate", "5",
                "--clients", "2", "--threads", "3");
        assertUsage("--threads must be a number or auto", "--target", "127.0.0.1:5353", "--rate", "5",
                "--threads", "many");
        assertUsage("--clients must be", "--target", "127.0.0.1:5353", "--rate", "5", "--clients", "0");
        assertUsage("--cpu-layout must be split or shared", "--target", "127.0.0.1:5353", "--rate", "5",
                "--cpu-layout", "half");
        assertUsage("invalid rate", "--target", "127.0.0.1:5353", "--rate", "-5");
        assertUsage("--timeout must be positive", "--target", "127.0.0.1:5353", "--rate", "5", "--timeout", "0s");

        Path q = dir.resolve("q.txt");
        Files.writeString(q, "www.cetic.be A\nwww.cetic.be NOPE\n");
        assertUsage(q + ":2: unknown record type 'NOPE'", "--target", "127.0.0.1:5353", "--rate", "5",
                "--queries", q.toString());
        Files.writeString(q, "; ok\nwww.cetic.be\n");
        assertUsage(q + ":2: expected 'name TYPE'", "--target", "127.0.0.1:5353", "--rate", "5",
                "--queries", q.toString());
        assertUsage("does not exist", "--target", "127.0.0.1:5353", "--rate", "5",
                "--queries", dir.resolve("missing.txt").toString());
        assertUsage("--instance: no instance 'qemu-dns-nosuch' (see unibench status)", "--target", "127.0.0.1:5353",
                "--rate", "5", "--instance", "qemu-dns-nosuch");
    }

    @Test
    void unwritableOrExistingOutputIsAUsageError() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        Run r = run("--target", "127.0.0.1:5353", "--rate", "5", "--output", file.resolve("run").toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("cannot write results under");
        Path existing = Files.createDirectory(dir.resolve("existing"));
        r = run("--target", "127.0.0.1:5353", "--rate", "5", "--output", existing.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("already exists");
        try (var s = Files.list(existing)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void anAutoRampSaysItRunsToTheBreakPointNotItsWorstCase() throws Exception {
        // a target that never answers: the ramp ends unresponsive after a second
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            Run r = run("--target", "127.0.0.1:" + silent.getLocalPort(), "--max-rate", "auto", "--start-rate", "100",
                    "--step", "100", "--step-duration", "200ms", "--warmup", "0s", "--unresponsive", "1s",
                    "--generator-warmup", "0s", "--cpu-layout", "shared", "--quiet",
                    "--output", dir.resolve("auto").toString());
            assertThat(r.err()).contains("bench dns: --max-rate auto steps on until a stop condition fires, then"
                    + " bisects to within 5 %");
            // not the worst case of 9999 steps ("up to 11h6m46s" for 3 s steps)
            assertThat(r.err()).doesNotContain("up to").doesNotContain("9999");
        }
    }
}
