package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.deploy.StateStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to deploy/status/destroy: exit 2, one line on stderr, nothing started or recorded. */
class DeployUsageTest {
    @TempDir
    Path state;

    @BeforeEach
    void point() {
        System.setProperty(StateStore.DIR_PROPERTY, state.toString());
    }

    @AfterEach
    void unpoint() {
        System.clearProperty(StateStore.DIR_PROPERTY);
    }

    private String[] run(int expectExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute(args)).as(err.toString()).isEqualTo(expectExit);
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        String[][] cases = {
            {"deploy", "nosuch"}, {"deploy", "dns", "--backend", "lxc"}, {"deploy", "dns", "--count", "0"},
            {"deploy", "dns", "--timeout", "soon"}, {"deploy", "dns", "--machine", "q35"},
            {"deploy", "dns", "--accel", "hvf"}, {"deploy", "dns", "--container-memory", "1M"},
            {"destroy"}, {"destroy", "--all", "qemu-dns-1"}, {"destroy", "qemu-dns-9"}, {"build", "kernels"},
        };
        for (String[] args : cases) {
            String err = run(2, args)[1];
            assertThat(err.strip()).as(String.join(" ", args)).isNotEmpty().doesNotContain("\n");
        }
        try (var files = Files.list(state.resolve("instances"))) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aBadZoneFileIsBadInputNamingItsLine() throws Exception {
        Path zone = state.resolve("bad.zone");
        Files.writeString(zone, "$ORIGIN example.test.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\nwww BOGUS 1.2.3.4\n");
        String err = run(2, "build", "--zone", zone.toString())[1].strip();
        assertThat(err).doesNotContain("\n").contains("bad.zone:4: unsupported or unknown type 'BOGUS'");
        err = run(2, "build", "--zone", state.resolve("missing.zone").toString())[1].strip();
        assertThat(err).doesNotContain("\n").contains("no such readable file");
    }
}
