package io.unibench.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.unibench.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVRecord;

/**
 * {@code summary.json}, one per run folder, and what {@code --json} prints: the run folder, its status and
 * stop reason, and the headline figures, read back from the files the run wrote (through their layouts).
 * A ramp's headline is its break point ({@link BreakPoint}: in rate order, the offered rate of the last step
 * held before the first that was not, and whether the data show it or only a lower bound) and its worst loss
 * and latency; a boot run's is each group's count, failures and percentiles; a study's is
 * each sub-run's summary. The same figures are what {@link FailOn} rules are checked against.
 */
public final class RunSummary {
    public static final String FILE = "summary.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode doc;
    private final Map<String, FailOn.Figure> figures;

    private RunSummary(ObjectNode doc, Map<String, FailOn.Figure> figures) {
        this.doc = doc;
        this.figures = figures;
    }

    public ObjectNode document() {
        return doc;
    }

    /** The worst figure of each metric, by the names {@code --fail-on} uses. */
    public Map<String, FailOn.Figure> figures() {
        return figures;
    }

    /** Reads the run folder's run.json and result files. */
    public static RunSummary of(Path dir) {
        JsonNode meta;
        try {
            meta = RunMetadata.read(dir);
        } catch (IOException e) {
            throw new io.unibench.UnibenchException("cannot read " + dir.resolve(RunMetadata.FILE) + ": "
                    + e.getMessage(), e);
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put(Schema.KEY, Schema.VERSION);
        doc.put("kind", "summary");
        String benchmark = meta.path(RunMetadata.BENCHMARK).asText();
        doc.put("benchmark", benchmark);
        doc.put("run_folder", dir.toAbsolutePath().normalize().toString());
        for (String k : List.of(RunMetadata.STATUS, RunMetadata.STOP_REASON, RunMetadata.STOP_DETAIL,
                RunMetadata.START_UTC, RunMetadata.END_UTC, RunMetadata.BACKEND, RunMetadata.LABEL)) {
            if (meta.hasNonNull(k)) {
                doc.put(k, meta.get(k).asText());
            }
        }
        Map<String, FailOn.Figure> figures = new LinkedHashMap<>();
        switch (benchmark) {
            case "dns", "http" -> ramp(dir, meta.path("parameters"), doc.putObject("headline"), figures);
            case "boot" -> boot(dir, doc.putArray("headline"), figures);
            case "study" -> study(dir, doc.putArray("runs"));
            default -> { }
        }
        return new RunSummary(doc, figures);
    }

    /** Adds the --fail-on outcome to the document. */
    public RunSummary withRules(List<FailOn.Rule> rules, List<FailOn.Violation> violations) {
        if (!rules.isEmpty()) {
            ObjectNode f = doc.putObject("fail_on");
            ArrayNode r = f.putArray("rules");
            rules.forEach(x -> r.add(x.text()));
            ArrayNode v = f.putArray("violations");
            for (FailOn.Violation x : violations) {
                ObjectNode n = v.addObject();
                n.put("rule", x.rule().text());
                if (Double.isNaN(x.actual())) {
                    n.putNull("value");
                } else {
                    n.put("value", x.actual());
                }
                n.put("message", x.message());
            }
        }
        return this;
    }

    public void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), doc);
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public String json() {
        try {
            return JSON.writeValueAsString(doc) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void ramp(Path dir, JsonNode params, ObjectNode h, Map<String, FailOn.Figure> figures) {
        Path file = dir.resolve(RampCsvSink.STEPS_FILE);
        if (!Files.isRegularFile(file)) {
            return;
        }
        CsvRows csv = CsvRows.read(file, List.of(RampCsvSink.STEP.name(), RampCsvSink.LOSS_PCT.name()));
        RampCsvSink.StepsHeader names = RampCsvSink.stepsHeader(csv.header());
        if (names == null) {
            return;
        }
        String unit = names.rateUnit();
        String offered = RampCsvSink.offered(unit);
        List<CSVRecord> rows = csv.rows();
        double worstLoss = Double.NaN;
        String worstLossAt = null;
        Map<String, double[]> worstLatency = new LinkedHashMap<>();
        Map<String, String> worstLatencyAt = new LinkedHashMap<>();
        Map<String, String> latencyColumns = new LinkedHashMap<>();
        latencyColumns.put("p50", RampCsvSink.LATENCY_P50_US.name());
        latencyColumns.put("p90", RampCsvSink.LATENCY_P90_US.name());
        latencyColumns.put("p99", RampCsvSink.LATENCY_P99_US.name());
        latencyColumns.put("p99_9", RampCsvSink.LATENCY_P99_9_US.name());
        latencyColumns.put("max", RampCsvSink.LATENCY_MAX_US.name());
        for (int i = 0; i < rows.size(); i++) {
            CSVRecord r = rows.get(i);
            double rate = csv.number(r, offered);
            String where = "step " + (long) csv.number(r, RampCsvSink.STEP.name()) + ", " + Units.formatRate(rate)
                    + " " + unit;
            double loss = zero(csv.number(r, RampCsvSink.LOSS_PCT.name())) + zero(csv.number(r, RampCsvSink.ERROR_PCT.name()));
            if (Double.isNaN(worstLoss) || loss > worstLoss) {
                worstLoss = loss;
                worstLossAt = where;
            }
            for (Map.Entry<String, String> c : latencyColumns.entrySet()) {
                double ms = csv.number(r, c.getValue()) / 1000;
                double[] w = worstLatency.computeIfAbsent(c.getKey(), k -> new double[] {Double.NaN});
                if (!Double.isNaN(ms) && (Double.isNaN(w[0]) || ms > w[0])) {
                    w[0] = ms;
                    worstLatencyAt.put(c.getKey(), where);
                }
            }
            if (i == rows.size() - 1) {
                h.put("steps", rows.size());
                h.put("last_offered_" + unit, rate);
            }
        }
        BreakPoint.Result bp = BreakPoint.read(dir).under(BreakPoint.Criteria.of(params));
        h.put("rate_unit", unit);
        h.put("break_point_" + unit, bp.rate());
        h.put("break_point_reached", bp.reached());
        number(h, "worst_loss_pct", worstLoss);
        figures.put("break_point", new FailOn.Figure(bp.rate(), "/s",
                "the last step held before the first that was not, in rate order"
                        + (bp.reached() ? "" : "; a lower bound, no step broke")));
        figures.put("loss", new FailOn.Figure(worstLoss, "%", worstLossAt));
        for (Map.Entry<String, double[]> w : worstLatency.entrySet()) {
            number(h, "worst_latency_" + w.getKey() + "_ms", w.getValue()[0]);
            figures.put(w.getKey(), new FailOn.Figure(w.getValue()[0], "ms", worstLatencyAt.get(w.getKey())));
        }
    }

    private static void boot(Path dir, ArrayNode h, Map<String, FailOn.Figure> figures) {
        Path file = dir.resolve(BootCsv.SUMMARY.file());
        if (!Files.isRegularFile(file)) {
            return;
        }
        CsvRows csv = CsvRows.read(file, BootCsv.SUMMARY.requiredNames());
        double failures = 0;
        for (CSVRecord r : csv.rows()) {
            ObjectNode g = h.addObject();
            String kind = csv.text(r, BootCsv.S_KIND.name());
            String backend = csv.text(r, BootCsv.S_BACKEND.name());
            long n = (long) zero(csv.number(r, BootCsv.S_RUNNING_INSTANCES.name()));
            g.put("kind", kind);
            g.put("backend", backend);
            g.put("service", csv.text(r, BootCsv.S_SERVICE.name()));
            g.put("running_instances", n);
            g.put("count", (long) zero(csv.number(r, BootCsv.S_COUNT.name())));
            g.put("failures", (long) zero(csv.number(r, BootCsv.S_FAILURES.name())));
            failures += zero(csv.number(r, BootCsv.S_FAILURES.name()));
            String where = kind + " boots on " + backend + ("cold".equals(kind) ? "" : " at " + n + " instances");
            for (var c : List.of(BootCsv.P50_MS, BootCsv.P90_MS, BootCsv.P99_MS)) {
                double v = csv.number(r, c.name());
                number(g, c.name(), v);
                String metric = "boot_" + c.name().replace("_ms", "");
                FailOn.Figure w = figures.get(metric);
                if (!Double.isNaN(v) && (w == null || Double.isNaN(w.value()) || v > w.value())) {
                    figures.put(metric, new FailOn.Figure(v, "ms", where));
                } else if (w == null) {
                    figures.put(metric, new FailOn.Figure(Double.NaN, "ms", where));
                }
            }
        }
        figures.put("boot_failures", new FailOn.Figure(failures, "", "all groups"));
    }

    private static void study(Path dir, ArrayNode runs) {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path sub : s.filter(p -> Files.isRegularFile(p.resolve(RunMetadata.FILE))).sorted().toList()) {
                runs.add(of(sub).document());
            }
        } catch (IOException e) {
            throw new io.unibench.UnibenchException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static double zero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static void number(ObjectNode n, String key, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            n.putNull(key);
        } else {
            n.put(key, Double.parseDouble(String.format(Locale.ROOT, "%.3f", v)));
        }
    }
}
