package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unibench.compare.FixtureRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code unibench compare}: exit 0 / 1 / 2, the table, --json and --markdown. */
class CompareCommandTest {
    static final String[] BACKENDS = {"qemu", "docker"};

    @TempDir
    Path tmp;

    @Test
    void exitCodesFollowTheVerdict() throws Exception {
        Path a = FixtureRuns.boot(tmp.resolve("a"), 1, 25, 3, BACKENDS, new double[] {38, 187});
        Path same = FixtureRuns.boot(tmp.resolve("same"), 2, 25, 3, BACKENDS, new double[] {38, 187});
        Path slow = FixtureRuns.boot(tmp.resolve("slow"), 3, 25, 3, BACKENDS, new double[] {48, 187});

        ReportCommandTest.Run ok = ReportCommandTest.run("compare", a.toString(), same.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("FIGURE", "cold boot p50 (dns, qemu)", "no significant difference");

        ReportCommandTest.Run bad = ReportCommandTest.run("compare", a.toString(), slow.toString(),
                "--markdown", tmp.resolve("c.md").toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.out()).contains("REGRESSION: cold boot p50 (dns, qemu)");
        assertThat(Files.readString(tmp.resolve("c.md"))).contains("| cold boot p50 (dns, qemu) |");

        ReportCommandTest.Run json = ReportCommandTest.run("compare", a.toString(), slow.toString(), "--json",
                "--threshold", "50%", "--seed", "7");
        assertThat(json.exit()).isZero();
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertThat(doc.get("schema_version").asInt()).isEqualTo(1);
        assertThat(doc.get("seed").asLong()).isEqualTo(7);
        JsonNode qemu = null;
        for (JsonNode f : doc.get("figures")) {
            if (f.get("key").asText().equals("boot/boot_p50/cold/dns/qemu")) {
                qemu = f;
            }
        }
        assertThat(qemu).isNotNull();
        assertThat(qemu.get("verdict").asText()).isEqualTo("worse");
        assertThat(qemu.get("regression").asBoolean()).isFalse();
    }

    @Test
    void badInputIsOneLineAndExit2() throws Exception {
        Path a = FixtureRuns.boot(tmp.resolve("a"), 1, 5, 3, BACKENDS, new double[] {38, 187});
        Files.createDirectories(tmp.resolve("empty"));
        for (String[] args : new String[][] {
            {"compare", a.toString(), tmp.resolve("empty").toString()},
            {"compare", a.toString(), a.toString(), "--threshold", "lots"},
            {"compare", a.toString(), a.toString(), "--metric", "speed"},
            {"compare", a.toString(), a.toString(), "--metric", "break_point"},
            {"compare", a.toString()},
        }) {
            ReportCommandTest.Run r = ReportCommandTest.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
    }
}
