package io.unibench.study;

import io.unibench.results.CsvTable;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * What the port forwarder costs, per benchmark and backend: the capacity a ramp found through the
 * forwarder (a {@code forward} study) against the one it found on the lab bridge (a {@code lab} study of
 * the same run), and their ratio. Capacity is the highest completed rate of a clean step: lost + failed
 * within {@value #CLEAN_PCT} % of sent and the generator on schedule. Written as
 * {@code network-comparison.csv} ({@code benchmark, backend, unit, forward_capacity, lab_capacity,
 * lab_over_forward}).
 */
public final class NetworkComparison {
    public static final String FILE = "network-comparison.csv";
    /** The report's forwarder-cost table uses the same rule ({@link io.unibench.report.RampRun#capacity}). */
    static final double CLEAN_PCT = io.unibench.report.RampRun.CAPACITY_CLEAN_PCT;
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
            Capacity f = capacity(forwardStudy.resolve(run).resolve("steps.csv"));
            Capacity l = capacity(labStudy.resolve(run).resolve("steps.csv"));
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

    /** Highest completed rate of a clean step in a ramp's steps.csv; null when none (or no file). */
    static Capacity capacity(Path stepsCsv) throws IOException {
        if (!Files.exists(stepsCsv)) {
            return null;
        }
        try (Reader r = Files.newBufferedReader(stepsCsv, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            Map<String, Integer> h = p.getHeaderMap();
            String completed = h.keySet().stream().filter(c -> c.startsWith("completed_")).findFirst().orElse(null);
            if (completed == null) {
                return null;
            }
            Double best = null;
            for (CSVRecord rec : p) {
                double loss = number(rec, h, "loss_pct") + number(rec, h, "error_pct");
                boolean saturated = h.containsKey("generator_saturated")
                        && "true".equals(rec.get("generator_saturated"));
                double v = number(rec, h, completed);
                if (loss <= CLEAN_PCT && !saturated && !Double.isNaN(v) && (best == null || v > best)) {
                    best = v;
                }
            }
            return best == null ? null : new Capacity(best, completed.substring("completed_".length()));
        }
    }

    private static double number(CSVRecord rec, Map<String, Integer> h, String col) {
        if (!h.containsKey(col) || rec.get(col).isEmpty()) {
            return col.endsWith("_pct") ? 0 : Double.NaN;
        }
        return Double.parseDouble(rec.get(col));
    }
}
