package io.unibench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.unibench.UsageException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code report} on fixture result folders: the charts carry exactly the CSV data, and the files are sound. */
class ReportTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/report");
    static final String STUDY = "20261129T120000Z-study-quick";
    static final String KNOT = "20261129T100000Z-dns-knot";

    @TempDir
    Path tmp;
    Path study;
    Path knot;

    @BeforeEach
    void copyFixtures() throws IOException {
        copyTree(FIXTURES, tmp);
        study = tmp.resolve(STUDY);
        knot = tmp.resolve(KNOT);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }

    static List<Double> column(List<CSVRecord> rows, String name, double scale) {
        return rows.stream().map(r -> Double.parseDouble(r.get(name)) * scale).toList();
    }

    static Report.Result report(List<Path> inputs, Path output) {
        return Report.run(new ReportOptions(inputs, output, List.of("unibench", "report", "x")));
    }

    static ChartSpec chart(Report.Result r, String id) {
        return r.charts().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    static void assertSeries(ChartSpec.Series s, List<Double> x, List<Double> y) {
        assertThat(s.x()).hasSize(x.size());
        assertThat(s.y()).hasSize(y.size());
        for (int i = 0; i < x.size(); i++) {
            assertThat(s.x().get(i)).as("%s x[%d]", s.name(), i).isCloseTo(x.get(i), within(1e-9));
            assertThat(s.y().get(i)).as("%s y[%d]", s.name(), i).isCloseTo(y.get(i), within(1e-9));
        }
    }

    @Test
    void rampChartsCarryTheStepsCsvValues() throws Exception {
        Report.Result r = report(List.of(study, knot), null);
        assertThat(r.dir()).isEqualTo(study.resolve("report"));
        assertThat(r.charts()).extracting(ChartSpec::id).containsExactly("dns-latency", "dns-throughput", "dns-loss",
                "http-latency", "http-throughput", "http-loss", "boot-instances", "boot-cold", "footprint-image",
                "footprint-memory");

        List<CSVRecord> qemu = csv(study.resolve("dns-qemu/steps.csv"));
        List<Double> offered = column(qemu, "offered_qps", 1);
        ChartSpec latency = chart(r, "dns-latency");
        assertThat(latency.xLabel()).isEqualTo("offered rate (qps)");
        assertThat(latency.yLabel()).startsWith("latency, corrected (ms");
        assertSeries(latency.series("qemu p99"), offered, column(qemu, "latency_p99_us", 1e-3));
        assertSeries(latency.series("qemu p50"), offered, column(qemu, "latency_p50_us", 1e-3));
        // a run without backend in run.json is named after the label part of its folder name
        List<CSVRecord> knotRows = csv(knot.resolve("steps.csv"));
        assertSeries(latency.series("knot p99"), column(knotRows, "offered_qps", 1),
                column(knotRows, "latency_p99_us", 1e-3));

        List<CSVRecord> docker = csv(study.resolve("dns-docker/steps.csv"));
        ChartSpec throughput = chart(r, "dns-throughput");
        assertSeries(throughput.series("docker answered"), column(docker, "offered_qps", 1),
                column(docker, "completed_qps", 1));
        assertSeries(throughput.series("docker sent"), column(docker, "offered_qps", 1),
                column(docker, "achieved_send_qps", 1));
        // generator-saturated steps are marked, and only those
        List<CSVRecord> sat = docker.stream().filter(x -> x.get("generator_saturated").equals("true")).toList();
        assertThat(sat).hasSize(1);
        assertSeries(latency.series(Charts.SATURATED), column(sat, "offered_qps", 1),
                column(sat, "latency_p99_us", 1e-3));
        assertSeries(throughput.series(Charts.SATURATED), column(sat, "offered_qps", 1),
                column(sat, "achieved_send_qps", 1));
        assertThat(latency.caption()).contains("qemu \u2014 loss (1.200 % lost or failed > 0.100 %)")
                .contains("docker \u2014 generator_saturated");

        assertSeries(chart(r, "dns-loss").series("qemu lost"), offered, column(qemu, "loss_pct", 1));
        List<CSVRecord> http = csv(study.resolve("http-docker/steps.csv"));
        ChartSpec httpLoss = chart(r, "http-loss");
        assertThat(httpLoss.xLabel()).isEqualTo("offered rate (rps)");
        assertSeries(httpLoss.series("docker errors"), column(http, "offered_rps", 1), column(http, "error_pct", 1));
        // the interrupted run is drawn with its partial last step, and the caption says so
        List<CSVRecord> httpQemu = csv(study.resolve("http-qemu/steps.csv"));
        assertSeries(chart(r, "http-throughput").series("qemu answered"), column(httpQemu, "offered_rps", 1),
                column(httpQemu, "completed_rps", 1));
        assertThat(chart(r, "http-latency").caption()).contains("qemu \u2014 interrupted (interrupted during step 3),"
                + " last step partial");
    }

    @Test
    void bootAndFootprintChartsCarryTheirCsvValues() throws Exception {
        Report.Result r = report(List.of(study), null);
        List<CSVRecord> summary = csv(study.resolve("boot/boot-summary.csv"));
        List<CSVRecord> churnQemu = summary.stream()
                .filter(x -> x.get("kind").equals("churn") && x.get("backend").equals("qemu"))
                .sorted(Comparator.comparingInt(x -> Integer.parseInt(x.get("running_instances")))).toList();
        ChartSpec boot = chart(r, "boot-instances");
        assertSeries(boot.series("qemu median"), column(churnQemu, "running_instances", 1),
                column(churnQemu, "p50_ms", 1));
        List<Double> bandX = new ArrayList<>(column(churnQemu, "running_instances", 1));
        List<Double> bandY = new ArrayList<>(column(churnQemu, "p90_ms", 1));
        for (int i = churnQemu.size() - 1; i >= 0; i--) {
            bandX.add(Double.parseDouble(churnQemu.get(i).get("running_instances")));
            bandY.add(Double.parseDouble(churnQemu.get(i).get("p10_ms")));
        }
        assertSeries(boot.series("qemu p10\u2013p90"), bandX, bandY);

        List<CSVRecord> events = csv(study.resolve("boot/boot-events.csv"));
        List<Double> cold = events.stream().filter(e -> e.get("kind").equals("cold") && e.get("backend").equals("docker"))
                .map(e -> Double.parseDouble(e.get("answer_ms"))).sorted().toList();
        List<Double> share = new ArrayList<>();
        for (int i = 1; i <= cold.size(); i++) {
            share.add(100.0 * i / cold.size());
        }
        assertSeries(chart(r, "boot-cold").series("docker (n=" + cold.size() + ")"), cold, share);

        // host-load.csv: mean and max per backend and instance count
        assertThat(Files.readString(r.index())).contains("Host load while the instances ran",
                "<td>boot</td><td>qemu</td><td class=\"n\">10</td><td class=\"n\">3</td><td class=\"n\">35.5</td>"
                        + "<td class=\"n\">35.5</td><td class=\"n\">1.12</td><td class=\"n\">1.12</td>");

        List<CSVRecord> fp = csv(study.resolve("footprint.csv"));
        ChartSpec image = chart(r, "footprint-image");
        assertThat(image.categories()).containsExactly("dns", "web");
        for (String backend : List.of("qemu", "docker")) {
            List<Double> expected = fp.stream().filter(x -> x.get("backend").equals(backend))
                    .map(x -> Double.parseDouble(x.get("image_bytes")) / (1024.0 * 1024.0)).toList();
            assertThat(image.series(backend).y()).containsExactlyElementsOf(expected);
        }
        List<Double> rss = fp.stream().filter(x -> x.get("backend").equals("qemu"))
                .map(x -> Double.parseDouble(x.get("idle_rss_bytes")) / (1024.0 * 1024.0)).toList();
        assertThat(chart(r, "footprint-memory").series("qemu").y()).containsExactlyElementsOf(rss);
    }

    @Test
    void filesDecodeAndTheIndexLinksResolve() throws Exception {
        Report.Result r = report(List.of(study, knot), null);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        for (ChartSpec c : r.charts()) {
            BufferedImage png = ImageIO.read(r.dir().resolve(c.id() + ".png").toFile());
            assertThat(png).as(c.id() + ".png").isNotNull();
            assertThat(png.getWidth()).isEqualTo(ChartRenderer.WIDTH);
            Document svg = f.newDocumentBuilder().parse(r.dir().resolve(c.id() + ".svg").toFile());
            assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
        }
        String html = Files.readString(r.index());
        Set<String> ids = new HashSet<>();
        Matcher id = Pattern.compile("id=\"([^\"]+)\"").matcher(html);
        while (id.find()) {
            ids.add(id.group(1));
        }
        Matcher link = Pattern.compile("(?:href|src)=\"([^\"]+)\"").matcher(html);
        int files = 0;
        int images = 0;
        while (link.find()) {
            String target = link.group(1);
            if (target.startsWith("#")) {
                assertThat(ids).as("anchor " + target).contains(target.substring(1));
            } else if (target.startsWith("data:image/png;base64,")) {
                byte[] png = java.util.Base64.getDecoder().decode(target.substring(22));
                assertThat(ImageIO.read(new java.io.ByteArrayInputStream(png))).isNotNull();
                images++;
            } else {
                assertThat(r.dir().resolve(target)).as("link " + target).isRegularFile();
                files++;
            }
        }
        assertThat(images).isEqualTo(r.charts().size());
        assertThat(files).isEqualTo(2 * r.charts().size());
        assertThat(html).contains("slirp", "docker-proxy", "Accelerator: KVM", "Generator saturation",
                "qemu was interrupted", "unibench study --profile quick",
                "unibench bench dns --target 127.0.0.1:5353 --start-rate 10k --step 10k --max-rate 30k --label knot",
                "AMD EPYC 7B13",
                // the HTTP runs name their backend only by --label and inherit the accelerator from the study
                "Accelerator: KVM for DNS qemu, HTTP qemu, boot.",
                "Idle memory: for QEMU the whole VMM process RSS; for Docker the container&#39;s cgroup usage."
                        + " <span class=\"files\">(recorded by the run)</span>",
                "unibench bench http --target http://127.0.0.1:41234/ --label qemu --output http-qemu");
        assertThat(html).doesNotContain("<script");
    }

    @Test
    void neverOverwritesAReport() throws Exception {
        Report.Result first = report(List.of(knot), null);
        Report.Result second = report(List.of(knot), null);
        assertThat(first.dir()).isEqualTo(knot.resolve("report"));
        assertThat(second.dir()).isEqualTo(knot.resolve("report-2"));
        Path out = tmp.resolve("out");
        report(List.of(knot), out);
        long before = Files.getLastModifiedTime(out.resolve("index.html")).toMillis();
        assertThatThrownBy(() -> report(List.of(knot), out)).isInstanceOf(UsageException.class)
                .hasMessageContaining("already exists");
        assertThat(Files.getLastModifiedTime(out.resolve("index.html")).toMillis()).isEqualTo(before);
    }

    @Test
    void sameBackendFromTwoStudiesGetsTwoSeries() throws Exception {
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        copyTree(study, other.resolve("20261130T080000Z-study-quick"));
        Report.Result r = report(List.of(study, other.resolve("20261130T080000Z-study-quick")), null);
        ChartSpec latency = chart(r, "dns-latency");
        assertThat(latency.series()).extracting(ChartSpec.Series::name).contains(
                "qemu (20261129T120000Z-study-quick/dns-qemu) p99", "qemu (20261130T080000Z-study-quick/dns-qemu) p99");
        assertThat(chart(r, "footprint-image").series()).extracting(ChartSpec.Series::name)
                .contains("qemu [20261129T120000Z-study-quick]", "qemu [20261130T080000Z-study-quick]");
    }

    @Test
    void anInterruptedStudyIsReportedWithWhatItHas() throws Exception {
        Path json = study.resolve("run.json");
        Files.writeString(json, Files.readString(json).replace("\"status\": \"complete\"", "\"status\": \"interrupted\"")
                .replace("\"stop_reason\": \"completed\"", "\"stop_reason\": \"interrupted\""));
        // the boot run was killed before writing its statistics
        Files.delete(study.resolve("boot/boot-summary.csv"));
        Path bootJson = study.resolve("boot/run.json");
        Files.writeString(bootJson, Files.readString(bootJson).replace("\"status\": \"complete\"", "\"status\": \"running\""));
        // a ramp that had only written its headers
        Path late = Files.createDirectories(study.resolve("http-native"));
        Files.writeString(late.resolve("run.json"), "{\"benchmark\": \"http\", \"status\": \"running\", \"backend\": \"native\"}");
        Files.writeString(late.resolve("steps.csv"), Files.readAllLines(study.resolve("http-docker/steps.csv")).get(0) + "\n");

        Report.Result r = report(List.of(study), null);
        assertThat(chart(r, "http-latency").series("native p99").x()).isEmpty();
        assertThat(r.charts()).extracting(ChartSpec::id).doesNotContain("boot-instances");
        assertThat(chart(r, "boot-cold").series()).extracting(ChartSpec.Series::name)
                .containsExactly("qemu (n=12)", "docker (n=12)");
        String html = Files.readString(r.index());
        assertThat(html).contains("The study " + STUDY + " did not complete", "has no boot-summary.csv",
                "HTTP native did not finish", "no step recorded");
        for (ChartSpec c : r.charts()) {
            assertThat(ImageIO.read(r.dir().resolve(c.id() + ".png").toFile())).as(c.id()).isNotNull();
        }
    }

    @Test
    void coldAndChurnInSeparateBootRunsAreNamedByBackendOnly() throws Exception {
        // bench boot writes cold boots and churn as separate runs; a study holds both
        Path both = Files.createDirectories(tmp.resolve("boots"));
        for (String kind : List.of("cold", "churn")) {
            Path d = Files.createDirectories(both.resolve("boot-" + kind));
            Files.copy(study.resolve("boot/run.json"), d.resolve("run.json"));
            for (String f : List.of("boot-events.csv", "boot-summary.csv")) {
                List<String> lines = Files.readAllLines(study.resolve("boot").resolve(f));
                List<String> keep = new ArrayList<>(List.of(lines.get(0)));
                lines.stream().skip(1).filter(l -> l.startsWith(kind + ",")).forEach(keep::add);
                Files.write(d.resolve(f), keep);
            }
        }
        Report.Result r = report(List.of(both), null);
        assertThat(chart(r, "boot-instances").series()).extracting(ChartSpec.Series::name)
                .containsExactly("qemu p10\u2013p90", "docker p10\u2013p90", "qemu median", "docker median");
        assertThat(chart(r, "boot-cold").series()).extracting(ChartSpec.Series::name)
                .containsExactly("qemu (n=12)", "docker (n=12)");
    }
}
