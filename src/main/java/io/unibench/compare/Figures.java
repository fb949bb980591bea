package io.unibench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.UsageException;
import io.unibench.results.BootCsv;
import io.unibench.results.BreakPoint;
import io.unibench.results.CsvLayout;
import io.unibench.results.FootprintCsv;
import io.unibench.results.RampCsvSink;
import io.unibench.results.CsvRows;
import io.unibench.results.RunMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the comparable figures out of a result folder: a bench dns / http / boot run, a study (its run
 * folders and footprint.csv), or a folder of runs. Boot figures come from boot-events.csv (one value
 * per ready boot), ramp figures from seconds.csv (one row per second, grouped by step), footprint from
 * footprint.csv (one row per instance). Anything that is not a run is a {@link UsageException} naming
 * the file.
 */
public final class Figures {
    /** The figure families, in the order they are shown. */
    public static final List<String> METRICS = List.of("boot_p50", "boot_p90", "break_point", "p99", "image_size",
            "idle_memory");

    private final Map<String, Figure> figures = new LinkedHashMap<>();

    private Figures() {
    }

    /** Every figure of the folder, by key, in a stable order. */
    public static Map<String, Figure> read(Path input) {
        Figures f = new Figures();
        f.readInput(input);
        return f.figures;
    }

    private void readInput(Path input) {
        if (!Files.isDirectory(input)) {
            throw new UsageException(input + (Files.exists(input) ? " is not a folder" : ": no such folder")
                    + " (give the folder of a bench run or of a study)");
        }
        if (Files.isRegularFile(input.resolve(RunMetadata.FILE))) {
            JsonNode meta = json(input);
            if (!"study".equals(meta.path("benchmark").asText())) {
                readRun(input, meta, null);
                return;
            }
        }
        List<Path> children = runFolders(input);
        Path footprint = input.resolve(FootprintCsv.LAYOUT.file());
        if (children.isEmpty() && !Files.isRegularFile(footprint)) {
            throw new UsageException(input + " is not a run folder (no " + RunMetadata.FILE
                    + ", no run folders inside, no " + FootprintCsv.LAYOUT.file() + ")");
        }
        for (Path child : children) {
            JsonNode meta = json(child);
            if ("study".equals(meta.path("benchmark").asText())) {
                throw new UsageException(child + " is a study inside a study; compare it directly");
            }
            readRun(child, meta, label(child, meta));
        }
        if (Files.isRegularFile(footprint)) {
            readFootprint(footprint);
        }
    }

    private void readRun(Path dir, JsonNode meta, String label) {
        String benchmark = meta.path("benchmark").asText("");
        switch (benchmark) {
            case "dns", "http" -> readRamp(dir, meta, benchmark, label);
            case "boot" -> readBoot(dir);
            case "footprint" -> readFootprint(dir.resolve(FootprintCsv.LAYOUT.file()));
            default -> throw new UsageException(dir.resolve(RunMetadata.FILE) + ": not a dns, http, boot, footprint"
                    + " or study run (benchmark '" + benchmark + "')");
        }
    }

    private void readBoot(Path dir) {
        Path file = dir.resolve(BootCsv.EVENTS.file());
        Map<String, List<Double>> groups = new TreeMap<>();
        for (CSVRecord r : csv(file, names(BootCsv.KIND, BootCsv.BACKEND, BootCsv.SERVICE, BootCsv.RUNNING_INSTANCES,
                BootCsv.ANSWER_MS, BootCsv.OUTCOME))) {
            if (!"ready".equals(r.get(BootCsv.OUTCOME.name())) || r.get(BootCsv.ANSWER_MS.name()).isBlank()) {
                continue;
            }
            String kind = r.get(BootCsv.KIND.name());
            String group = kind + "\u0000" + r.get(BootCsv.SERVICE.name()) + "\u0000" + r.get(BootCsv.BACKEND.name())
                    + ("cold".equals(kind) ? "" : "\u0000" + r.get(BootCsv.RUNNING_INSTANCES.name()));
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(number(file, r, BootCsv.ANSWER_MS.name()));
        }
        for (Map.Entry<String, List<Double>> g : groups.entrySet()) {
            String[] p = g.getKey().split("\u0000");
            double[] v = g.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            String what = "cold".equals(p[0]) ? "cold boot" : p[0] + " boot at " + p[3] + " instances";
            for (int pct : new int[] {50, 90}) {
                String metric = "boot_p" + pct;
                String subject = String.join("/", "boot", metric, p[0], p[1]) + (p.length > 3 ? "/" + p[3] : "");
                add(new Figure(String.join("/", "boot", metric, String.join("/", p)),
                        what + " p" + pct + " (" + p[1] + ", " + p[2] + ")", metric, "ms", false,
                        Estimates.percentile(v, pct), subject, what + " p" + pct + " (" + p[1] + ")", p[2],
                        Double.NaN));
            }
        }
    }

    private void readRamp(Path dir, JsonNode meta, String protocol, String label) {
        String backend = label != null ? label : label(dir, meta);
        Path file = dir.resolve(RampCsvSink.SECONDS_FILE);
        String step = RampCsvSink.SECOND_STEP.name();
        String errors = RampCsvSink.SECOND_ERRORS.name();
        String p99Us = RampCsvSink.SECOND_LATENCY_P99_US.name();
        List<CSVRecord> rows = csv(file, List.of(step, errors, p99Us));
        if (rows.isEmpty()) {
            return;
        }
        // the protocol's names for the rate unit, sent and lost, from their place in the layout
        RampCsvSink.StepsHeader names = RampCsvSink.secondsHeader(List.copyOf(rows.get(0).toMap().keySet()));
        if (names == null) {
            throw new UsageException(file + ": the columns are not those of a seconds.csv (run_second, step,"
                    + " offered_<unit>, <sent>, completed, <lost>, errors, ...)");
        }
        String unit = names.rateUnit();
        String sent = names.sent();
        String lost = names.lost();
        for (String c : List.of(RampCsvSink.offered(unit), sent, lost)) {
            if (!rows.get(0).isMapped(c)) {
                throw new UsageException(file + ": missing column " + c);
            }
        }
        Map<Integer, Double> offered = new TreeMap<>();
        Map<Integer, List<Estimates.Second>> bySteps = new TreeMap<>();
        for (CSVRecord r : rows) {
            int n = (int) number(file, r, step);
            offered.put(n, number(file, r, RampCsvSink.offered(unit)));
            bySteps.computeIfAbsent(n, k -> new ArrayList<>()).add(new Estimates.Second(
                    (long) number(file, r, sent), (long) (number(file, r, lost) + number(file, r, errors)),
                    number(file, r, p99Us)));
        }
        JsonNode params = meta.path("parameters");
        BreakPoint.Criteria criteria = BreakPoint.Criteria.of(params);
        List<Estimates.Step> steps = new ArrayList<>();
        String where = label == null ? "" : " (" + label + ")";
        String keyLabel = label == null ? "" : "/" + label;
        Map<Integer, BreakPoint.Step> judged = stepRows(dir);
        for (Map.Entry<Integer, List<Estimates.Second>> e : bySteps.entrySet()) {
            double rate = offered.get(e.getKey());
            BreakPoint.Step row = judged.get(e.getKey());
            steps.add(new Estimates.Step(rate, e.getValue(), row != null && row.generatorSaturated(),
                    row != null && row.stopped()));
            double[] p99 = e.getValue().stream().mapToDouble(Estimates.Second::p99Us).filter(x -> !Double.isNaN(x))
                    .toArray();
            if (p99.length > 0) {
                String r = io.unibench.Units.formatRate(rate);
                add(new Figure(protocol + "/p99/" + r + keyLabel, protocol + " p99 at " + r + " " + unit + where,
                        "p99", "us", false, Estimates.percentile(p99, 50), protocol + "/p99/" + r,
                        protocol + " p99 at " + r + " " + unit, backend, rate));
            }
        }
        boolean reached = Estimates.breakPointReached(steps, criteria);
        String bound = reached ? "" : " (not reached)";
        add(new Figure(protocol + "/break_point" + keyLabel, protocol + " break point" + where + bound, "break_point",
                unit, true, Estimates.breakPoint(steps, criteria), protocol + "/break_point", protocol + " break point",
                backend, Double.NaN, !reached));
    }

    /**
     * What steps.csv says of each step (generator_saturated, the runner's stop reason), by step number; none
     * when there is no steps.csv.
     */
    private static Map<Integer, BreakPoint.Step> stepRows(Path dir) {
        Map<Integer, BreakPoint.Step> out = new TreeMap<>();
        BreakPoint.Ramp ramp = BreakPoint.read(dir);
        if (ramp != null) {
            ramp.steps().forEach(s -> out.put(s.step(), s));
        }
        return out;
    }

    private void readFootprint(Path file) {
        Map<String, List<double[]>> groups = new TreeMap<>();
        for (CSVRecord r : csv(file, names(FootprintCsv.SERVICE, FootprintCsv.BACKEND, FootprintCsv.IMAGE_BYTES,
                FootprintCsv.IDLE_RSS_BYTES))) {
            groups.computeIfAbsent(r.get(FootprintCsv.SERVICE.name()) + "/" + r.get(FootprintCsv.BACKEND.name()),
                    k -> new ArrayList<>()).add(new double[] {number(file, r, FootprintCsv.IMAGE_BYTES.name()),
                    number(file, r, FootprintCsv.IDLE_RSS_BYTES.name())});
        }
        for (Map.Entry<String, List<double[]>> g : groups.entrySet()) {
            String[] p = g.getKey().split("/");
            String who = " (" + p[0] + ", " + p[1] + ")";
            double image = g.getValue().get(0)[0];
            if (!Double.isNaN(image)) {
                add(new Figure("footprint/image_size/" + g.getKey(), "image size" + who, "image_size", "bytes", false,
                        Estimates.exact(image), "footprint/image_size/" + p[0], "image size (" + p[0] + ")", p[1],
                        Double.NaN));
            }
            double[] rss = g.getValue().stream().mapToDouble(x -> x[1]).filter(x -> !Double.isNaN(x)).toArray();
            if (rss.length > 0) {
                add(new Figure("footprint/idle_memory/" + g.getKey(), "idle memory" + who, "idle_memory", "bytes",
                        false, Estimates.percentile(rss, 50), "footprint/idle_memory/" + p[0],
                        "idle memory (" + p[0] + ")", p[1], Double.NaN));
            }
        }
    }

    private void add(Figure f) {
        if (figures.putIfAbsent(f.key(), f) != null) {
            throw new UsageException("two runs in one folder give the figure '" + f.name()
                    + "'; compare the runs one by one");
        }
    }

    /** The name a study gives a sub-run: run.json's backend, else its label, else the folder name. */
    private static String label(Path dir, JsonNode meta) {
        for (String k : List.of("backend", "label")) {
            if (meta.hasNonNull(k) && !meta.get(k).asText().isBlank()) {
                return meta.get(k).asText();
            }
        }
        return dir.getFileName().toString();
    }

    private static JsonNode json(Path dir) {
        try {
            JsonNode n = RunMetadata.read(dir);
            if (n == null || !n.isObject()) {
                throw new UsageException(dir.resolve(RunMetadata.FILE) + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new UsageException(dir.resolve(RunMetadata.FILE) + " cannot be read as JSON: " + e.getMessage()
                    .lines().findFirst().orElse(""));
        }
    }

    private static List<Path> runFolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve(RunMetadata.FILE))).sorted().toList();
        } catch (IOException e) {
            throw new UsageException(dir + " cannot be listed: " + e.getMessage());
        }
    }

    private static List<String> names(CsvLayout.Column<?>... columns) {
        return java.util.Arrays.stream(columns).map(CsvLayout.Column::name).toList();
    }

    private static List<CSVRecord> csv(Path file, List<String> required) {
        return CsvRows.read(file, required).rows();
    }

    private static double number(Path file, CSVRecord r, String column) {
        return CsvRows.number(file, r, column);
    }
}
