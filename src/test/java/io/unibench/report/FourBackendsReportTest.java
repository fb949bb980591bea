package io.unibench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.results.BootCsv;
import io.unibench.results.BootEvent;
import io.unibench.results.Caveat;
import io.unibench.results.FootprintCsv;
import io.unibench.results.RampCsvSink;
import io.unibench.results.RunMetadata;
import io.unibench.results.StepResult;
import io.unibench.results.StopReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study-shaped folder with four backends (written by the real writers: RampCsvSink, BootCsv, FootprintCsv,
 * RunMetadata): the report gets a series and a column per backend, each backend keeps its palette colour
 * whatever the order of the inputs, and a caveat the run recorded replaces the report's generic one by id.
 * Set {@code -Dunibench.report.fixture=DIR} to keep the folder and its report (to look at the page).
 */
class FourBackendsReportTest {
    /** Deliberately not in palette order. */
    static final List<String> BACKENDS = List.of("native", "gvisor", "docker", "qemu");

    @TempDir
    Path tmp;

    static Path study(Path base) throws Exception {
        Path study = Files.createDirectories(base.resolve("20261201T120000Z-study-four"));
        Instant t0 = Instant.parse("2026-12-01T12:00:00Z");
        RunMetadata sm = new RunMetadata("study", List.of("unibench", "study", "--backend", "all"), t0);
        sm.put(RunMetadata.BACKENDS, BACKENDS);
        sm.put(RunMetadata.ACCELERATOR, "kvm");
        sm.put(RunMetadata.BACKEND_FACTS, java.util.Map.of("gvisor", java.util.Map.of("runtime", "runsc",
                "network_mode", "host")));
        sm.caveat(Caveat.PORT_FORWARDER, "Every backend is reached through a port on 127.0.0.1: docker-proxy,"
                + " QEMU slirp hostfwd, or (native, gvisor with --network=host) none.");
        sm.finish(t0.plusSeconds(600), StopReason.COMPLETED, null);
        sm.write(study);
        List<FootprintCsv.Row> fp = new ArrayList<>();
        List<BootEvent> cold = new ArrayList<>();
        for (int b = 0; b < BACKENDS.size(); b++) {
            String backend = BACKENDS.get(b);
            // a ramp per backend: the slower ones lose at the third step
            Path dir = Files.createDirectory(study.resolve("dns-" + backend));
            RunMetadata m = new RunMetadata("dns", List.of("unibench", "bench", "dns", "--label", backend), t0);
            m.put(RunMetadata.LABEL, backend);
            m.write(dir);
            try (RampCsvSink sink = new RampCsvSink(dir, RampContractTest.DNS)) {
                for (int s = 1; s <= 3; s++) {
                    long lost = s == 3 && b % 2 == 1 ? 40 : 0;
                    StepResult step = RampContractTest.step(RampContractTest.DNS, s, 1000.0 * s, 2000L * s, lost,
                            40 + 20L * b + 10L * s, false);
                    sink.step(step, s == 3 ? StopReason.MAX_RATE : null, null);
                }
            }
            m.finish(t0.plusSeconds(60), StopReason.MAX_RATE, null);
            m.write(dir);
            fp.add(new FootprintCsv.Row("dns", backend, "dns-" + backend, 1_000_000L * (b + 1),
                    64L << 20, (10L + 5 * b) << 20, 0.1 * b, 3));
            for (int c = 1; c <= 5; c++) {
                double ms = 30 + 50 * b + c;
                cold.add(new BootEvent(BootEvent.Kind.cold, backend, "dns", 1, c, backend + "-" + c, null, 1.0, 2.0, null,
                        ms, BootEvent.Outcome.ready, null));
            }
        }
        FootprintCsv.write(study, fp);
        Path boot = Files.createDirectory(study.resolve("boot"));
        RunMetadata bm = new RunMetadata("boot", List.of("unibench", "bench", "boot", "--backend", "all"), t0);
        bm.put(RunMetadata.BACKENDS, BACKENDS);
        bm.write(boot);
        try (BootCsv csv = new BootCsv(boot)) {
            for (String backend : BACKENDS) {
                List<BootEvent> group = cold.stream().filter(e -> e.backend().equals(backend)).toList();
                for (BootEvent e : group) {
                    csv.event(e);
                }
                csv.summary(group);
            }
        }
        bm.finish(t0.plusSeconds(120), StopReason.COMPLETED, null);
        bm.write(boot);
        return study;
    }

    @Test
    void everyBackendGetsItsSeriesItsColumnAndItsColour() throws Exception {
        String keep = System.getProperty("unibench.report.fixture");
        Path base = keep == null ? tmp : Files.createDirectories(Path.of(keep));
        Path study = study(base);
        Report.Result r = Report.run(new ReportOptions(List.of(study), null, List.of("unibench", "report", "x")));

        ChartSpec latency = r.charts().stream().filter(c -> c.id().equals("dns-latency")).findFirst().orElseThrow();
        ChartSpec cold = r.charts().stream().filter(c -> c.id().equals("boot-cold")).findFirst().orElseThrow();
        ChartSpec image = r.charts().stream().filter(c -> c.id().equals("footprint-image")).findFirst().orElseThrow();
        for (String backend : BACKENDS) {
            int slot = Palette.BACKENDS.indexOf(backend);
            assertThat(latency.series(backend + " p99").color()).as(backend).isEqualTo(slot);
            assertThat(cold.series(backend + " (n=5)").color()).as(backend).isEqualTo(slot);
            assertThat(image.series(backend).color()).as(backend).isEqualTo(slot);
        }
        // bars in palette order, whatever the order of the rows
        assertThat(image.series()).extracting(ChartSpec.Series::name).containsExactly("qemu", "docker", "native",
                "gvisor");

        Page.Table side = r.page().section("backends").tables().get(0);
        assertThat(side.header()).extracting(Page.Cell::text).containsExactly("", "qemu", "docker", "native", "gvisor");
        assertThat(side.header()).extracting(Page.Cell::swatch).containsExactly(null, Palette.css(0), Palette.css(1),
                Palette.css(2), Palette.css(3));
        assertThat(side.rows()).extracting(row -> row.cells().get(0).text()).containsExactly(
                "DNS: max rate without loss (qps)", "DNS: p99 at that rate (ms)", "boot, dns: p50 (ms)",
                "boot, dns: p90 (ms)", "DNS image (MiB)", "DNS idle memory (MiB)");
        // qemu and gvisor lost queries in their third step; boots: 30 + 50 * (position in BACKENDS) + cycle ms
        assertThat(side.column("qemu")).containsExactly("2,000", "0.355", "183", "185", "3.81", "25.0");
        assertThat(side.column("gvisor")).startsWith("2,000").contains("83.0");
        assertThat(side.column("docker")).startsWith("3,000").contains("133");
        assertThat(side.column("native")).startsWith("3,000").contains("33.0");

        // the study's accelerator is its QEMU's, not the containers' or the native processes'
        Page.Table dnsRuns = r.page().section("dns").tables().get(0);
        assertThat(dnsRuns.column("run")).containsExactly("docker", "gvisor", "native", "qemu");
        assertThat(dnsRuns.column("accelerator")).containsExactly("\u2014", "\u2014", "\u2014", "kvm");

        // the study recorded its forwarder caveat: the report's generic one is not repeated
        assertThat(r.page().caveats()).filteredOn(c -> c.id().equals(Caveat.PORT_FORWARDER.id()))
                .extracting(Page.CaveatLine::recorded).containsExactly(true);
        // what runsc --network=host means for the comparison
        assertThat(r.page().caveatIds()).contains(Caveat.GVISOR_RUNTIME.id());
        String html = Files.readString(r.index());
        assertThat(html).contains("style=\"background:" + Palette.css(3) + "\"></span>gvisor</span>",
                "data-caveat=\"port-forwarder\"", "(native, gvisor with --network=host) none.");
    }
}
