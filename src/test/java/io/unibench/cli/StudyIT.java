package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code unibench study --profile smoke} end to end on real QEMU and a real Docker daemon: the results
 * folder is complete, every CSV has rows and the expected columns, every chart decodes or parses, the
 * HTML's links resolve, and nothing the study deployed is left running.
 */
class StudyIT {
    static Path state;
    static Path out;
    static DeployItSupport.Run run;

    @BeforeAll
    static void runSmokeStudy() throws IOException {
        DeployItSupport.requireTools();
        state = DeployItSupport.freshStateDir();
        out = Files.createTempDirectory("unibench-study").resolve("smoke");
        run = DeployItSupport.unibench("study", "--profile", "smoke", "--output", out.toString());
    }

    @AfterAll
    static void cleanUp() throws IOException {
        DeployItSupport.tearDown(state);
    }

    @Test
    void completesAndWritesEveryPart() throws IOException {
        assertThat(run.exit()).as("study exit code; stderr:\n" + run.err()).isZero();
        assertThat(out.resolve("run.json")).exists();
        String meta = Files.readString(out.resolve("run.json"));
        assertThat(meta).contains("\"stop_reason\" : \"completed\"").contains("\"profile\" : \"smoke\"");
        for (String ramp : List.of("dns-qemu", "dns-docker", "http-qemu", "http-docker")) {
            assertCsv(out.resolve(ramp).resolve("steps.csv"), "offered_", "latency_p99_us", "generator_saturated",
                    "stop_reason");
            assertCsv(out.resolve(ramp).resolve("seconds.csv"), "run_second", "latency_p99_us");
            assertThat(out.resolve(ramp).resolve("run.json")).exists();
        }
        assertCsv(out.resolve("footprint.csv"), "service", "backend", "image_bytes", "idle_rss_bytes", "idle_cpu_pct");
        assertCsv(out.resolve("boot").resolve("boot-events.csv"), "kind", "backend", "answer_ms", "outcome");
        assertCsv(out.resolve("boot").resolve("boot-summary.csv"), "backend", "running_instances", "p50_ms");
        assertCsv(out.resolve("boot").resolve("host-load.csv"), "t_s", "cpu_pct", "mem_used_bytes");
    }

    @Test
    void reportFilesDecodeAndLinksResolve() throws Exception {
        Path report = out.resolve("report");
        Path index = report.resolve("index.html");
        assertThat(index).exists();
        List<Path> pngs;
        List<Path> svgs;
        try (Stream<Path> files = Files.list(report)) {
            List<Path> all = files.toList();
            pngs = all.stream().filter(p -> p.toString().endsWith(".png")).toList();
            svgs = all.stream().filter(p -> p.toString().endsWith(".svg")).toList();
        }
        assertThat(pngs).isNotEmpty();
        assertThat(svgs).isNotEmpty();
        for (Path png : pngs) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertThat(img).as(png + " decodes").isNotNull();
            assertThat(img.getWidth()).isGreaterThan(100);
        }
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        for (Path svg : svgs) {
            assertThat(f.newDocumentBuilder().parse(svg.toFile()).getDocumentElement().getNodeName())
                    .as(svg + " parses").isEqualTo("svg");
        }
        String html = Files.readString(index);
        Matcher m = Pattern.compile("(?:href|src)=\"([^\"#][^\"]*)\"").matcher(html);
        List<String> links = new ArrayList<>();
        while (m.find()) {
            String link = m.group(1);
            if (!link.startsWith("data:") && !link.startsWith("http")) {
                links.add(link);
            }
        }
        for (String link : links) {
            assertThat(report.resolve(link).normalize()).as("link " + link + " in index.html").exists();
        }
        // the page's data model beside it, valid under its schema
        io.unibench.results.Schemas.assertValid("report.schema.json", report.resolve("report.json"));
    }

    @Test
    void leavesNothingRunning() {
        DeployItSupport.Run status = DeployItSupport.unibench("status", "--json");
        assertThat(status.exit()).isZero();
        assertThat(status.json().path("instances")).as(status.out()).isEmpty();
    }

    private static void assertCsv(Path csv, String... columns) throws IOException {
        assertThat(csv).exists();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.size()).as(csv + " has a header and rows").isGreaterThanOrEqualTo(2);
        for (String c : columns) {
            assertThat(lines.get(0)).as(csv + " header").contains(c);
        }
    }
}
