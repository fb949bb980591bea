package io.unibench.bench.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unibench.cli.Main;
import io.unibench.results.RunSummary;
import io.unibench.results.Schemas;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** --fail-on and --json on a real bench dns against knotd: exit 3 with the broken rule, summary.json valid. */
class FailOnIT {
    @RegisterExtension
    static final KnotServer.PerClass knotd = new KnotServer.PerClass();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run bench(Path output, String failOn) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("bench", "dns", "--target", "127.0.0.1:" + knotd.server().port, "--rate", "300",
                        "--duration", "2s", "--warmup", "300ms", "-q", "--json", "--output", output.toString(),
                        "--fail-on", failOn);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aBrokenRuleExitsThreeAndSaysWhich() throws Exception {
        Run broken = bench(dir.resolve("strict"), "loss>50%,p99>1us");
        assertThat(broken.exit()).as(broken.err()).isEqualTo(Main.EXIT_THRESHOLD);
        assertThat(broken.err()).contains("--fail-on p99>1us violated: p99 = ").doesNotContain("loss>50%");
        Schemas.assertValid("summary.schema.json", broken.out());
        JsonNode doc = new ObjectMapper().readTree(broken.out());
        assertThat(doc.get("run_folder").asText()).isEqualTo(dir.resolve("strict").toString());
        // one fixed step; on a loaded host the generator may fall behind its schedule (then it says so)
        assertThat(doc.get("stop_reason").asText()).isIn("completed", "generator_saturated");
        assertThat(doc.get("fail_on").get("violations")).hasSize(1);
        // the same document is in the run folder, and run.json is valid too
        assertThat(new ObjectMapper().readTree(dir.resolve("strict").resolve(RunSummary.FILE).toFile())).isEqualTo(doc);
        Schemas.assertValid("run.schema.json", dir.resolve("strict/run.json"));
        // seconds.csv carries absolute time
        assertThat(Files.readAllLines(dir.resolve("strict/seconds.csv")).get(0)).endsWith(",t_utc");

        Run kept = bench(dir.resolve("lenient"), "loss>50%,p99>5s");
        assertThat(kept.exit()).as(kept.err()).isZero();
        assertThat(kept.err()).doesNotContain("violated");
    }
}
