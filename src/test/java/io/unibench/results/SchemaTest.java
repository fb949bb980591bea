package io.unibench.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unibench.compare.Bootstrap;
import io.unibench.compare.Compare;
import io.unibench.compare.CompareFormat;
import io.unibench.compare.FixtureRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writers really write is valid under the shipped schemas; docs/schema/ is what the jar ships. */
class SchemaTest {
    @TempDir
    Path tmp;

    @Test
    void runJsonAsWrittenWhileRunningAndWhenFinished() throws Exception {
        RunMetadata meta = new RunMetadata("dns", List.of("unibench", "bench", "dns", "--rate", "1k"), Instant.now());
        meta.parameter("rate", 1000.0).tool("dnsperf", "DNS Performance Testing Tool version 2.10.0");
        meta.write(tmp);
        Schemas.assertValid("run.schema.json", tmp.resolve(RunMetadata.FILE));
        meta.put("generator_warmup", new io.unibench.bench.GeneratorWarmup(1000, 1.25, 12,
                io.unibench.bench.GeneratorWarmup.JIT_QUIET, 1250, 1250).describe());
        meta.finish(Instant.now(), StopReason.MAX_RATE, null).write(tmp);
        JsonNode doc = RunMetadata.read(tmp);
        assertThat(doc.path("generator_warmup").path("ended").asText()).isEqualTo("jit quiet");
        assertThat(doc.get("schema_version").asInt()).isEqualTo(Schema.VERSION);
        Schemas.assertValid("run.schema.json", doc);
    }

    @Test
    void compareJson() throws Exception {
        String[] b = {"qemu", "docker"};
        Path a = FixtureRuns.boot(tmp.resolve("a"), 1, 10, 3, b, new double[] {38, 187});
        Path c = FixtureRuns.boot(tmp.resolve("c"), 2, 10, 3, b, new double[] {48, 187});
        String json = CompareFormat.json.format(Compare.run(new Compare.Options(a, c, Set.of(), 5,
                Bootstrap.DEFAULT_SEED, 200, 0.95)));
        Schemas.assertValid("compare.schema.json", json);
    }

    @Test
    void theJarShipsDocsSchemaUnchanged() throws Exception {
        try (var files = Files.list(Path.of("docs/schema"))) {
            for (Path f : files.toList()) {
                try (var in = SchemaTest.class.getResourceAsStream("/schema/" + f.getFileName())) {
                    assertThat(in).as(f.toString()).isNotNull();
                    assertThat(new String(in.readAllBytes())).isEqualTo(Files.readString(f));
                }
                new ObjectMapper().readTree(f.toFile()); // each is JSON
            }
        }
    }
}
