package io.unibench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unibench.results.Caveat;
import io.unibench.results.Schema;
import io.unibench.results.Schemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the report shows of the network modes and of measurement truth, on real result folders: a
 * {@code study --profile smoke --network both} (qemu, docker) and two lab DNS ramps run to their first
 * failing step against the unikernel and the container (steps.csv with the server's loss split, and host
 * noise measured on a busy shared host). Every figure is checked against the CSV it came from.
 */
class MeasurementReportTest {
    static final String BOTH = "20261202T002816Z-study-smoke-both";
    static final String LOSS = "20261202T003300Z-dns-lab-loss";

    @TempDir
    Path tmp;
    Path both;
    Path loss;

    @BeforeEach
    void copyFixtures() throws Exception {
        ReportTest.copyTree(ReportTest.FIXTURES, tmp);
        both = tmp.resolve(BOTH);
        loss = tmp.resolve(LOSS);
    }

    private static Page.Table table(Page.Section s, String captionStart) {
        return s.tables().stream().filter(t -> t.caption() != null && t.caption().startsWith(captionStart))
                .findFirst().orElseThrow(() -> new AssertionError("no table '" + captionStart + "' in " + s.id()));
    }

    /** The rows of one backend in the forwarder-cost table, as figure -> [forward, lab, ratio]. */
    private static java.util.Map<String, List<String>> group(Page.Table t, String backend) {
        java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        boolean in = false;
        for (Page.Row r : t.rows()) {
            String b = r.cells().get(0).text();
            if (!b.isEmpty()) {
                in = b.equals(backend);
            }
            if (in) {
                out.put(r.cells().get(1).text().strip(), List.of(r.cells().get(2).text(), r.cells().get(3).text(),
                        r.cells().get(4).text()));
            }
        }
        return out;
    }

    @Test
    void bothModesGiveAForwarderCostTableThatAgreesWithTheCsvFiles() throws Exception {
        Report.Result r = ReportTest.report(List.of(both.resolve("forward"), both.resolve("lab")), tmp.resolve("out"));
        Page.Section s = r.page().section("forwarder");
        Page.Table t = s.tables().get(0);
        assertThat(t.column("backend").stream().filter(x -> !x.isEmpty()).toList()).containsExactly("qemu", "docker");
        var qemu = group(t, "qemu");
        var docker = group(t, "docker");
        // the path of each mode, from run.json's network.path
        assertThat(qemu.get("network path").subList(0, 2)).containsExactly("slirp", "tap+bridge");
        assertThat(docker.get("network path").subList(0, 2)).containsExactly("docker-proxy", "veth+bridge");
        // capacities: what the study's network-comparison.csv says (one rule for both)
        for (CSVRecord c : ReportTest.csv(both.resolve("network-comparison.csv"))) {
            var g = c.get("backend").equals("qemu") ? qemu : docker;
            List<String> line = g.get(c.get("benchmark").toUpperCase(Locale.ROOT) + " capacity ("
                    + (c.get("benchmark").equals("dns") ? "qps" : "rps") + ")");
            assertThat(line.get(0)).as(c.toString()).isEqualTo(capacity(c.get("forward_capacity")));
            assertThat(line.get(1)).as(c.toString()).isEqualTo(capacity(c.get("lab_capacity")));
            assertThat(line.get(2)).as(c.toString()).isEqualTo(c.get("lab_over_forward").isEmpty() ? "\u2014"
                    : io.unibench.compare.CompareFormat.times(Double.parseDouble(c.get("lab_over_forward"))) + "\u00d7");
        }
        assertThat(docker.get("HTTP capacity (rps)")).containsExactly("1,000", "1,000", "1.00\u00d7");
        // cold boot p50 from each mode's boot-summary.csv; the plumbing phase from the lab's boot-events.csv
        for (String backend : List.of("qemu", "docker")) {
            var g = backend.equals("qemu") ? qemu : docker;
            double f = coldP50(both.resolve("forward/boot"), backend);
            double l = coldP50(both.resolve("lab/boot"), backend);
            assertThat(g.get("cold boot p50 (ms)")).containsExactly(PageBuilder.dec(f), PageBuilder.dec(l),
                    PageBuilder.ratio(l, f));
            List<Double> plumbing = new ArrayList<>();
            for (CSVRecord e : ReportTest.csv(both.resolve("lab/boot/boot-events.csv"))) {
                if (e.get("kind").equals("cold") && e.get("backend").equals(backend) && e.get("outcome").equals("ready")) {
                    plumbing.add(Double.parseDouble(e.get("plumbing_ms")));
                }
            }
            plumbing.sort(null);
            assertThat(plumbing).as("real lab boots record their plumbing").hasSize(3);
            assertThat(g.get("of which network plumbing p50 (ms)").subList(0, 2))
                    .containsExactly("\u2014", PageBuilder.dec(plumbing.get(1)));
        }
        assertThat(r.page().nav().stream().map(Page.Link::href)).contains("#forwarder");
        assertThat(Files.readString(r.index())).contains("<section id=\"forwarder\">", "tap+bridge", "veth+bridge",
                "of which network plumbing p50 (ms)");
    }

    private static String capacity(String csv) {
        return csv.isEmpty() ? "none clean" : PageBuilder.rate(Double.parseDouble(csv));
    }

    private static double coldP50(Path boot, String backend) throws Exception {
        return ReportTest.csv(boot.resolve("boot-summary.csv")).stream()
                .filter(c -> c.get("kind").equals("cold") && c.get("backend").equals(backend))
                .mapToDouble(c -> Double.parseDouble(c.get("p50_ms"))).findFirst().orElseThrow();
    }

    @Test
    void oneModeOnlyHasNoForwarderSection() {
        for (List<Path> inputs : List.of(List.of(both.resolve("forward")), List.of(both.resolve("lab")),
                List.of(tmp.resolve(ReportTest.STUDY)), List.of(loss))) {
            Page page = ReportTest.report(inputs, tmp.resolve("out-" + inputs.get(0).getFileName() + inputs.size()))
                    .page();
            assertThat(page.sections().stream().map(Page.Section::id)).as(inputs.toString()).doesNotContain("forwarder");
            assertThat(page.nav().stream().map(Page.Link::href)).doesNotContain("#forwarder");
        }
    }

    @Test
    void theLossSplitAtTheFirstFailingStepIsTheStepsCsvs() throws Exception {
        Report.Result r = ReportTest.report(List.of(loss, tmp.resolve(ReportTest.KNOT)), tmp.resolve("out"));
        Page.Table t = table(r.page().section("dns"), "Where the queries were lost");
        List<String> runs = t.column("run");
        for (String backend : List.of("qemu", "docker")) {
            List<CSVRecord> steps = ReportTest.csv(loss.resolve("dns-" + backend + "/steps.csv"));
            // the first step beyond the run's --max-loss (1 %): qemu's 5th (90k qps), docker's 1st
            CSVRecord first = steps.stream().filter(c -> Double.parseDouble(c.get("loss_pct")) > 1.0).findFirst()
                    .orElseThrow();
            int row = runs.indexOf(backend);
            assertThat(row).as(backend).isGreaterThanOrEqualTo(0);
            assertThat(t.column("first failing step").get(row)).isEqualTo(first.get("step"));
            assertThat(t.column("lost").get(row)).isEqualTo(first.get("lost"));
            assertThat(t.column("client").get(row)).isEqualTo(first.get("loss_client"));
            assertThat(t.column("path").get(row)).isEqualTo(first.get("loss_path"));
            assertThat(t.column("server").get(row)).isEqualTo(first.get("loss_server"));
            assertThat(Long.parseLong(first.get("loss_client")) + Long.parseLong(first.get("loss_path"))
                    + Long.parseLong(first.get("loss_server"))).isEqualTo(Long.parseLong(first.get("lost")));
        }
        // measured: the unikernel's loss is on the path (never reached the guest), the container's in the server
        assertThat(t.column("where").get(runs.indexOf("qemu"))).isEqualTo("mostly path (100 %)");
        assertThat(t.column("where").get(runs.indexOf("docker"))).isEqualTo("mostly server (100 %)");
        // the chart per step: each location as % of sent, exactly the CSV's; knot (no split) is not drawn
        ChartSpec where = ReportTest.chart(r, "dns-loss-where");
        for (String backend : List.of("qemu", "docker")) {
            List<CSVRecord> steps = ReportTest.csv(loss.resolve("dns-" + backend + "/steps.csv"));
            for (String at : List.of("path", "server", "client")) {
                ReportTest.assertSeries(where.series(backend + " " + at), ReportTest.column(steps, "offered_qps", 1),
                        steps.stream().map(c -> 100.0 * Double.parseDouble(c.get("loss_" + at))
                                / Double.parseDouble(c.get("sent"))).toList());
            }
        }
        assertThat(where.series().stream().map(ChartSpec.Series::name)).noneMatch(n -> n.startsWith("knot"));
        assertThat(r.page().section("dns").figures().stream().map(Page.Figure::id)).contains("dns-loss-where");
        // knot cannot be asked: its run never failed a step, so it has no row; every step table shows the split
        assertThat(runs).doesNotContain("knot");
        Page.Details qemu = r.page().section("dns").details().stream()
                .filter(d -> d.summary().startsWith("All steps of qemu")).findFirst().orElseThrow();
        assertThat(qemu.table().column("lost: path")).containsExactly("0", "0", "0", "1", "25527");
        assertThat(qemu.table().column("lost: server")).containsExactly("0", "0", "0", "0", "0");
        Page.Details knot = r.page().section("dns").details().stream()
                .filter(d -> d.summary().startsWith("All steps of knot")).findFirst().orElseThrow();
        assertThat(knot.table().column("lost: client")).containsOnly("\u2014");
    }

    @Test
    void aFailingForeignServerIsNotLocated() throws Exception {
        // the same real run with the stats columns empty, as for a foreign target that cannot be asked
        Path run = loss.resolve("dns-docker");
        List<String> lines = Files.readAllLines(run.resolve("steps.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<String> out = new ArrayList<>(List.of(lines.get(0)));
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split(",", -1);
            for (String col : List.of("loss_client", "loss_path", "loss_server")) {
                c[header.indexOf(col)] = "";
            }
            out.add(String.join(",", c));
        }
        Files.write(run.resolve("steps.csv"), out);
        Report.Result r = ReportTest.report(List.of(run), tmp.resolve("out"));
        assertThat(r.charts().stream().map(ChartSpec::id)).doesNotContain("dns-loss-where");
        Page.Table t = table(r.page().section("dns"), "Where the queries were lost");
        assertThat(t.column("server")).containsExactly("\u2014");
        assertThat(t.column("where").get(0)).startsWith("not located: the server could not be asked");
    }

    @Test
    void noisyStepsMakeAHostNoiseCaveatAndAreMarked() throws Exception {
        Report.Result r = ReportTest.report(List.of(loss), tmp.resolve("out"));
        Page.CaveatLine c = r.page().caveats().stream().filter(x -> x.id().equals(Caveat.HOST_NOISE.id()))
                .findFirst().orElseThrow();
        double max = 0;
        for (String backend : List.of("qemu", "docker")) {
            List<String> noisy = new ArrayList<>();
            for (CSVRecord s : ReportTest.csv(loss.resolve("dns-" + backend + "/steps.csv"))) {
                double n = Double.parseDouble(s.get("host_noise_max_pct"));
                max = Math.max(max, n);
                if (n > io.unibench.load.HostNoise.THRESHOLD_PCT) {
                    noisy.add(s.get("step"));
                }
            }
            assertThat(noisy).as("the fixture was measured on a busy host").isNotEmpty();
            assertThat(c.plain()).contains("DNS " + backend + " (step" + (noisy.size() > 1 ? "s " : " ")
                    + String.join(", ", noisy) + ";");
        }
        assertThat(c.plain()).contains(String.format(Locale.ROOT, "at most %.0f %%", max), "more than 5 %");
        Page.Details qemu = r.page().section("dns").details().get(0);
        assertThat(qemu.table().rows()).allMatch(row -> row.cssClass() != null && row.cssClass().contains("noisy"));
        assertThat(qemu.table().column("host noise max %")).allMatch(x -> x.endsWith(" noisy"));
        assertThat(Files.readString(r.index())).contains("data-caveat=\"host-noise\"", "<tr class=\"noisy\">");
        // a quiet run has neither the caveat nor the marks
        Page quiet = ReportTest.report(List.of(tmp.resolve(ReportTest.STUDY)), tmp.resolve("quiet")).page();
        assertThat(quiet.caveatIds()).doesNotContain(Caveat.HOST_NOISE.id());
    }

    @Test
    void reportJsonIsThePageAndValidUnderItsSchema() throws Exception {
        for (List<Path> inputs : List.of(List.of(both.resolve("forward"), both.resolve("lab")),
                List.of(loss, tmp.resolve(ReportTest.STUDY), tmp.resolve(ReportTest.KNOT)))) {
            Report.Result r = ReportTest.report(inputs, tmp.resolve("json-" + inputs.size()));
            Path file = r.dir().resolve(ReportJson.FILE);
            assertThat(Files.readString(file)).isEqualTo(r.json());
            Schemas.assertValid("report.schema.json", file);
            JsonNode doc = new ObjectMapper().readTree(r.json());
            assertThat(doc.path(Schema.KEY).asInt()).isEqualTo(Schema.VERSION);
            assertThat(doc.path("index").asText()).isEqualTo(r.index().toString());
            JsonNode page = doc.path("page");
            List<String> ids = new ArrayList<>();
            page.path("caveats").forEach(x -> ids.add(x.path("id").asText()));
            assertThat(ids).isEqualTo(r.page().caveatIds());
            List<String> sections = new ArrayList<>();
            page.path("sections").forEach(x -> sections.add(x.path("id").asText()));
            assertThat(sections).isEqualTo(r.page().sections().stream().map(Page.Section::id).toList());
            // charts by their files (which exist), not their bytes
            page.path("sections").forEach(s -> s.path("figures").forEach(f -> {
                assertThat(f.has("png_base64")).isFalse();
                assertThat(r.dir().resolve(f.path("svg_file").asText())).isRegularFile();
                assertThat(r.dir().resolve(f.path("png_file").asText())).isRegularFile();
            }));
            assertThat(r.json().length()).as("no embedded images").isLessThan(400_000);
        }
    }

    @Test
    void reportJsonOnTheCommandLine() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = io.unibench.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        int code = cl.execute("report", loss.toString(), "--json", "-o", tmp.resolve("cli").toString());
        assertThat(code).isZero();
        Schemas.assertValid("report.schema.json", out.toString());
        assertThat(new ObjectMapper().readTree(out.toString()).path("kind").asText()).isEqualTo("report");
        assertThat(out.toString()).isEqualTo(Files.readString(tmp.resolve("cli").resolve(ReportJson.FILE)));
    }
}
