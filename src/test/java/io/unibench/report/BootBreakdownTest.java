package io.unibench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.results.BootCsv;
import io.unibench.results.BootEvent;
import io.unibench.results.RunMetadata;
import io.unibench.results.StopReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The boot breakdown: its columns in boot-events.csv, read back by the report, and its table. */
class BootBreakdownTest {
    @TempDir
    Path tmp;

    private static Path run(Path dir, List<BootEvent> events) throws Exception {
        Instant t0 = Instant.parse("2026-12-02T00:00:00Z");
        RunMetadata m = new RunMetadata("boot", List.of("unibench", "bench", "boot", "--backend", "both"), t0);
        Files.createDirectories(dir);
        m.write(dir);
        try (BootCsv csv = new BootCsv(dir)) {
            for (BootEvent e : events) {
                csv.event(e);
            }
            for (String b : List.of("qemu", "docker")) {
                csv.summary(events.stream().filter(e -> e.backend().equals(b)).toList());
            }
        }
        m.finish(t0.plusSeconds(10), StopReason.COMPLETED, null);
        m.write(dir);
        return dir;
    }

    private static BootEvent boot(String backend, int cycle, double answer, BootEvent.Guest g) {
        return new BootEvent(BootEvent.Kind.cold, backend, "dns", 1, cycle, backend + "-" + cycle, null, 0.5, 1.0,
                answer - 2, answer, BootEvent.Outcome.ready, null, g);
    }

    @Test
    void theBreakdownColumnsAreOptionalAndWrittenWhereKnown() throws Exception {
        assertThat(BootCsv.EVENTS.names()).endsWith("guest_entry_ms", "guest_clock_ms", "guest_devices_ms",
                "guest_ready_ms");
        assertThat(BootCsv.EVENTS.requiredNames()).doesNotContain("guest_entry_ms", "guest_clock_ms",
                "guest_devices_ms", "guest_ready_ms");
        Path dir = run(tmp.resolve("b"), List.of(
                boot("qemu", 1, 40.0, new BootEvent.Guest(25.5, 1.25, 10.5, 11.0)),
                boot("docker", 1, 300.0, new BootEvent.Guest(180.0, null, null, null))));
        List<String> lines = Files.readAllLines(dir.resolve(BootCsv.EVENTS.file()));
        assertThat(lines.get(1)).endsWith(",25.5,1.25,10.5,11");
        assertThat(lines.get(2)).endsWith(",180,,,");
    }

    @Test
    void theReportShowsTheMedianOfEachPhaseAndOldFilesWithoutTheColumnsStillRead() throws Exception {
        List<BootEvent> events = new ArrayList<>();
        for (int c = 1; c <= 3; c++) {
            // QEMU's own start 20+c, clock 1, devices +4, service +0.5, then 2 ms to the answer
            events.add(boot("qemu", c, 20 + c + 5.5 + 2, new BootEvent.Guest(20.0 + c, 1.0, 5.0, 5.5)));
            events.add(boot("docker", c, 200 + c, new BootEvent.Guest(150.0, null, null, null)));
        }
        // a failed boot has no breakdown and does not count
        events.add(new BootEvent(BootEvent.Kind.cold, "qemu", "dns", 1, 4, "qemu-4", null, 0.5, 1.0, null, null,
                BootEvent.Outcome.timeout, "no answer"));
        Path withBreakdown = run(tmp.resolve("new"), events);
        Report.Result r = Report.run(new ReportOptions(List.of(withBreakdown), tmp.resolve("report"),
                List.of("unibench", "report")));
        Page.Table t = r.page().section("boot").tables().stream()
                .filter(x -> x.caption().startsWith("Boot breakdown")).findFirst().orElseThrow();
        assertThat(t.column("backend")).containsExactly("qemu", "docker");
        assertThat(t.column("boots")).containsExactly("3", "3");
        assertThat(t.column("start \u2192 entry")).containsExactly("22.0", "150");
        assertThat(t.column("entry \u2192 clock")).containsExactly("1.00", "\u2014");
        assertThat(t.column("clock \u2192 devices")).containsExactly("4.00", "\u2014");
        assertThat(t.column("devices \u2192 service")).containsExactly("0.500", "\u2014");
        assertThat(t.column("service \u2192 answer")).containsExactly("2.00", "52.0");
        assertThat(t.column("answer")).containsExactly("29.5", "202");

        // a boot-events.csv written before the breakdown existed: the report reads it, without the table
        Path old = run(tmp.resolve("old"), events);
        Path csv = old.resolve(BootCsv.EVENTS.file());
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            String[] f = line.split(",", -1);
            rows.add(String.join(",", java.util.Arrays.copyOf(f, f.length - 4)));
        }
        Files.write(csv, rows);
        Report.Result o = Report.run(new ReportOptions(List.of(old), tmp.resolve("report-old"),
                List.of("unibench", "report")));
        assertThat(o.page().section("boot").tables()).extracting(Page.Table::caption)
                .noneMatch(c -> c.startsWith("Boot breakdown"));
    }
}
