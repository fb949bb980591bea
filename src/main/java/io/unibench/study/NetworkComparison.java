package io.unibench.study;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.results.BreakPoint;
import io.unibench.results.CsvTable;
import io.unibench.results.RunMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the port forwarder costs, per benchmark and backend: the capacity a ramp found through the
 * forwarder (a {@code forward} study) against the one it found on the lab bridge (a {@code lab} study of
 * the same run), and their ratio. Capacity is the highest answered rate of the steps held below the run's
 * break point ({@link BreakPoint}: rate order, the run's --max-loss and --max-p99, generator-saturated steps
 * left out), the same rule as the report's forwarder-cost table and summary.json. Written as
 * {@code network-comparison.csv} ({@code benchmark, backend, unit, forward_capacity, lab_capacity,
 * lab_over_forward}).
 */
public final class NetworkComparison {
    public static final String FILE = "network-comparison.csv";
    static final List<String> COLUMNS = List.of("benchmark", "backend", "unit", "forward_capacity", "lab_capacity",
            "lab_over_forward");

    private NetworkComparison() {
    }

    /** One row of the comparison; a capacity is null when that side has no clean step (or no run). */
    public record Row(String benchmark, String backend, String unit, Double forward, Double lab) {
        public Double ratio() {
            return forward == null || lab == null || forward == 0 ? null : lab / forward;
        }
    }

    /** Compares the {@code dns-*} and {@code http-*} sub-runs of two study folders; writes and returns the rows. */
    public static List<Row> write(Path dir, Path forwardStudy, Path labStudy) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> runs = new ArrayList<>();
        for (Path study : List.of(forwardStudy, labStudy)) {
            if (Files.isDirectory(study)) {
                try (Stream<Path> s = Files.list(study)) {
                    s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("dns-") || n.startsWith("http-"))
                            .filter(n -> !runs.contains(n)).sorted().forEach(runs::add);
                }
            }
        }
        for (String run : runs) {
            int dash = run.indexOf('-');
            Capacity f = capacity(forwardStudy.resolve(run));
            Capacity l = capacity(labStudy.resolve(run));
            String unit = f != null ? f.unit() : l != null ? l.unit() : "";
            rows.add(new Row(run.substring(0, dash), run.substring(dash + 1), unit, f == null ? null : f.value(),
                    l == null ? null : l.value()));
        }
        try (CsvTable t = new CsvTable(dir.resolve(FILE), COLUMNS)) {
            for (Row r : rows) {
                t.row(Arrays.asList(r.benchmark(), r.backend(), r.unit(), r.forward(), r.lab(), r.ratio()));
            }
        }
        return rows;
    }

    record Capacity(double value, String unit) {
    }

    /** The capacity of the ramp in a run folder ({@link BreakPoint.Result#capacity}); null when none held (or no steps.csv). */
    static Capacity capacity(Path run) throws IOException {
        BreakPoint.Ramp ramp = BreakPoint.read(run);
        if (ramp == null) {
            return null;
        }
        JsonNode params = Files.isRegularFile(run.resolve(RunMetadata.FILE))
                ? RunMetadata.read(run).path(RunMetadata.PARAMETERS) : null;
        double c = ramp.under(BreakPoint.Criteria.of(params)).capacity();
        return Double.isNaN(c) ? null : new Capacity(c, ramp.rateUnit());
    }
}
