package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to 'bench http': exit 2, one line on stderr, nothing written. No network is touched. */
class BenchHttpCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String err) {
    }

    private Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        String[] all = new String[args.length + 4];
        all[0] = "bench";
        all[1] = "http";
        all[2] = "--output";
        all[3] = tmp.resolve("out").toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return new Run(cl.execute(all), err.toString());
    }

    private void assertUsage(String expected, String... args) {
        Run r = run(args);
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().strip()).doesNotContain("\n").contains(expected);
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void badInputExitsTwoWithOneLine() {
        assertUsage("https is not supported yet", "--target", "https://127.0.0.1/", "--rate", "10");
        assertUsage("--cpu-layout must be split or shared", "--target", "http://127.0.0.1:8080/", "--rate", "10",
                "--cpu-layout", "none");
        assertUsage("not a valid URL", "--target", "http://127.0.0.1:80:80/x y", "--rate", "10");
        assertUsage("must be an http:// URL", "--target", "127.0.0.1:8080", "--rate", "10");
        assertUsage("--connections must be at least 1", "--target", "http://127.0.0.1:1/", "--connections", "0");
        assertUsage("--rate must be positive", "--target", "http://127.0.0.1:1/", "--rate", "0");
        assertUsage("--duration must be positive", "--target", "http://127.0.0.1:1/", "--rate", "5", "--duration", "0s");
        assertUsage("invalid rate", "--target", "http://127.0.0.1:1/", "--rate", "-5");
        assertUsage("--pipeline must be at least 1", "--target", "http://127.0.0.1:1/", "--pipeline", "0");
        assertUsage("--header", "--target", "http://127.0.0.1:1/", "--header", "no colon");
        assertUsage("--method", "--target", "http://127.0.0.1:1/", "--method", "POST");
        assertUsage("--timeout must be positive", "--target", "http://127.0.0.1:1/", "--timeout", "0s");
        assertUsage("cannot check HEAD responses", "--target", "http://127.0.0.1:1/", "--method", "HEAD",
                "--expect-body-contains", "x");
        assertUsage("--threads must be at least 1", "--target", "http://127.0.0.1:1/", "--threads", "0");
        assertUsage("cannot be combined", "--target", "http://127.0.0.1:1/", "--rate", "5", "--max-rate", "10");
    }
}
