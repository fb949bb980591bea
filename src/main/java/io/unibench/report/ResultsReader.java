package io.unibench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.UsageException;
import io.unibench.results.RampCsvSink;
import io.unibench.results.RunMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVRecord;

/**
 * Finds and reads result folders for the report: a ramp run ({@code bench dns|http}), a boot run, a
 * footprint table, or a study (or any folder) whose direct subfolders are runs. Everything is checked
 * before a single chart is drawn; bad input is a {@link UsageException} that names the file and what is
 * missing in it.
 */
public final class ResultsReader {
    public static final String BOOT_EVENTS = "boot-events.csv";
    public static final String BOOT_SUMMARY = "boot-summary.csv";
    public static final String FOOTPRINT = "footprint.csv";
    public static final String HOST_LOAD = "host-load.csv";

    static final List<String> BOOT_EVENT_COLUMNS = List.of("kind", "backend", "service", "running_instances",
            "cycle", "instance", "spawn_ms", "start_returned_ms", "console_ready_ms", "answer_ms", "outcome");
    static final List<String> BOOT_SUMMARY_COLUMNS = List.of("kind", "backend", "service", "running_instances",
            "count", "failures", "min_ms", "p10_ms", "p50_ms", "mean_ms", "p90_ms", "p99_ms", "max_ms", "stddev_ms");
    static final List<String> HOST_LOAD_COLUMNS = List.of("t_s", "backend", "running_instances", "cpu_pct",
            "mem_used_bytes");
    static final List<String> FOOTPRINT_COLUMNS = List.of("service", "backend", "image_bytes",
            "guest_memory_bytes", "idle_rss_bytes", "idle_cpu_pct");

    /** Folder names as ResultsDirectory makes them: {@code <UTC stamp>-<benchmark>[-<label>]}. */
    private static final Pattern RUN_FOLDER = Pattern.compile("\\d{8}T\\d{6}Z-([A-Za-z0-9]+)(?:-(.+))?");

    private final List<Loaded> runs = new ArrayList<>();
    private final List<Footprint> footprints = new ArrayList<>();
    private final List<RunInfo> studies = new ArrayList<>();

    /** A run as read, before its label is made unique; {@code origin} is the folder the user named. */
    private record Loaded(Path origin, RunInfo info, String protocol, String rateUnit, List<RampRun.Step> steps,
                          List<BootRun.Event> events, List<BootRun.Summary> summary, List<BootRun.HostLoad> load) {
    }

    private ResultsReader() {
    }

    public static ResultSet read(List<Path> inputs) {
        if (inputs.isEmpty()) {
            throw new UsageException("no results folder given");
        }
        ResultsReader r = new ResultsReader();
        for (Path input : inputs) {
            r.readInput(input);
        }
        return r.result(inputs);
    }

    private void readInput(Path input) {
        if (!Files.exists(input)) {
            throw new UsageException(input + ": no such folder");
        }
        if (!Files.isDirectory(input)) {
            throw new UsageException(input + " is not a folder (give the folder that holds run.json)");
        }
        Path runJson = input.resolve(RunMetadata.FILE);
        if (Files.isRegularFile(runJson)) {
            JsonNode meta = readJson(input);
            String benchmark = meta.path("benchmark").asText("");
            if (benchmark.equals("study")) {
                readCollection(input, meta);
            } else {
                readRun(input, input, meta, null);
            }
            return;
        }
        List<Path> children = runFolders(input);
        if (!children.isEmpty() || Files.isRegularFile(input.resolve(FOOTPRINT))) {
            readCollection(input, null);
            return;
        }
        if (isEmpty(input)) {
            throw new UsageException(input + " is empty: no run.json (expected the folder of a bench or study run)");
        }
        throw new UsageException(input + ": no run.json and no run folders inside (expected the folder of a"
                + " bench dns|http|boot run or of a study)");
    }

    /** A study, or a plain folder of runs: every direct subfolder with a run.json, plus footprint.csv at the top. */
    private void readCollection(Path dir, JsonNode meta) {
        if (meta != null) {
            studies.add(new RunInfo(dir, name(dir), meta, null));
        }
        List<Path> children = runFolders(dir);
        boolean footprint = Files.isRegularFile(dir.resolve(FOOTPRINT));
        if (children.isEmpty() && !footprint) {
            throw new UsageException(dir + ": the study holds no run folders (no */run.json) and no " + FOOTPRINT);
        }
        for (Path child : children) {
            JsonNode m = readJson(child);
            if ("study".equals(m.path("benchmark").asText())) {
                throw new UsageException(child + " is a study inside a study; give it to report directly");
            }
            readRun(dir, child, m, meta);
        }
        if (footprint) {
            footprints.add(readFootprint(dir.resolve(FOOTPRINT), name(dir)));
        }
    }

    private void readRun(Path origin, Path dir, JsonNode meta, JsonNode study) {
        String benchmark = meta.path("benchmark").asText("");
        RunInfo info = new RunInfo(dir, null, meta, study);
        switch (benchmark) {
            case "dns", "http" -> readRamp(origin, info, benchmark);
            case "boot" -> readBoot(origin, info);
            case "footprint" -> footprints.add(readFootprint(dir.resolve(FOOTPRINT), baseLabel(info)));
            case "" -> throw new UsageException(dir.resolve(RunMetadata.FILE) + ": no 'benchmark' key (expected dns,"
                    + " http, boot, footprint or study)");
            default -> throw new UsageException(dir.resolve(RunMetadata.FILE) + ": unknown benchmark '" + benchmark
                    + "' (expected dns, http, boot, footprint or study)");
        }
    }

    private void readRamp(Path origin, RunInfo info, String protocol) {
        CsvFile csv = CsvFile.read(info.dir().resolve(RampCsvSink.STEPS_FILE),
                "the per-step table of a bench " + protocol + " run");
        String offered = csv.oneOf("offered_qps", "offered_rps");
        String unit = offered.substring("offered_".length());
        csv.require(List.of("step", offered, "achieved_send_" + unit, "completed_" + unit, "loss_pct", "error_pct",
                "latency_p50_us", "latency_p99_us", "generator_saturated"));
        String sent = csv.has("sent") ? "sent" : csv.has("requests") ? "requests" : null;
        String lost = csv.has("lost") ? "lost" : csv.has("errors_timeout") ? "errors_timeout" : null;
        List<RampRun.Step> steps = new ArrayList<>();
        for (CSVRecord r : csv.rows()) {
            steps.add(new RampRun.Step((int) csv.number(r, "step"), csv.number(r, offered),
                    csv.number(r, "achieved_send_" + unit), csv.number(r, "completed_" + unit),
                    zeroIfNaN(csv.number(r, "loss_pct")), zeroIfNaN(csv.number(r, "error_pct")),
                    count(csv, r, sent), count(csv, r, lost), count(csv, r, csv.has("errors") ? "errors" : null),
                    csv.number(r, "latency_p50_us"), optional(csv, r, "latency_p90_us"),
                    csv.number(r, "latency_p99_us"), optional(csv, r, "latency_p99_9_us"),
                    optional(csv, r, "latency_max_us"), csv.bool(r, "generator_saturated"),
                    csv.text(r, "stop_reason"), csv.text(r, "stop_detail")));
        }
        runs.add(new Loaded(origin, info, protocol, unit, steps, null, null, null));
    }

    private void readBoot(Path origin, RunInfo info) {
        CsvFile ev = CsvFile.read(info.dir().resolve(BOOT_EVENTS), "one row per instance start of a bench boot run")
                .require(BOOT_EVENT_COLUMNS);
        List<BootRun.Event> events = new ArrayList<>();
        for (CSVRecord r : ev.rows()) {
            events.add(new BootRun.Event(ev.text(r, "kind"), ev.text(r, "backend"), ev.text(r, "service"),
                    (int) ev.number(r, "running_instances"), (int) zeroIfNaN(ev.number(r, "cycle")),
                    ev.text(r, "instance"), ev.number(r, "spawn_ms"), ev.number(r, "start_returned_ms"),
                    ev.number(r, "console_ready_ms"), ev.number(r, "answer_ms"), ev.text(r, "outcome")));
        }
        List<BootRun.HostLoad> load = new ArrayList<>();
        Path loadFile = info.dir().resolve(HOST_LOAD);
        if (Files.exists(loadFile)) {
            CsvFile hl = CsvFile.read(loadFile, "host CPU and memory samples of a bench boot run")
                    .require(HOST_LOAD_COLUMNS);
            for (CSVRecord r : hl.rows()) {
                load.add(new BootRun.HostLoad(hl.number(r, "t_s"), hl.text(r, "backend"),
                        (int) zeroIfNaN(hl.number(r, "running_instances")), hl.number(r, "cpu_pct"),
                        hl.number(r, "mem_used_bytes")));
            }
        }
        List<BootRun.Summary> summary = new ArrayList<>();
        Path summaryFile = info.dir().resolve(BOOT_SUMMARY);
        if (!Files.exists(summaryFile) && (info.interrupted() || info.unfinished())) {
            // a boot run cut short may not have written its statistics yet; its events still show
            runs.add(new Loaded(origin, info, "boot", null, null, events, summary, load));
            return;
        }
        CsvFile sum = CsvFile.read(summaryFile, "boot-time statistics of a bench boot run")
                .require(BOOT_SUMMARY_COLUMNS);
        for (CSVRecord r : sum.rows()) {
            summary.add(new BootRun.Summary(sum.text(r, "kind"), sum.text(r, "backend"), sum.text(r, "service"),
                    (int) sum.number(r, "running_instances"), (long) zeroIfNaN(sum.number(r, "count")),
                    (long) zeroIfNaN(sum.number(r, "failures")), sum.number(r, "min_ms"), sum.number(r, "p10_ms"),
                    sum.number(r, "p50_ms"), sum.number(r, "mean_ms"), sum.number(r, "p90_ms"),
                    sum.number(r, "p99_ms"), sum.number(r, "max_ms"), sum.number(r, "stddev_ms")));
        }
        runs.add(new Loaded(origin, info, "boot", null, null, events, summary, load));
    }

    private static Footprint readFootprint(Path file, String label) {
        CsvFile csv = CsvFile.read(file, "image size and idle memory per service and backend")
                .require(FOOTPRINT_COLUMNS);
        List<Footprint.Row> rows = new ArrayList<>();
        for (CSVRecord r : csv.rows()) {
            rows.add(new Footprint.Row(csv.text(r, "service"), csv.text(r, "backend"), csv.number(r, "image_bytes"),
                    csv.number(r, "guest_memory_bytes"), csv.number(r, "idle_rss_bytes"),
                    csv.number(r, "idle_cpu_pct")));
        }
        return new Footprint(file, label, rows);
    }

    private ResultSet result(List<Path> inputs) {
        // series names: the backend (or label) of each run, made unique within its kind of benchmark
        Map<String, List<Integer>> byName = new LinkedHashMap<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Loaded l = runs.get(i);
            String label = baseLabel(l.info());
            labels.add(label);
            byName.computeIfAbsent(l.protocol() + "\u0000" + label, k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> same : byName.values()) {
            if (same.size() < 2) {
                continue;
            }
            Map<String, Integer> seen = new HashMap<>();
            for (int i : same) {
                Loaded l = runs.get(i);
                String where = l.origin().equals(l.info().dir()) ? name(l.info().dir())
                        : name(l.origin()) + "/" + name(l.info().dir());
                String label = labels.get(i) + " (" + where + ")";
                int n = seen.merge(label, 1, Integer::sum);
                labels.set(i, n == 1 ? label : label + " #" + n);
            }
        }
        List<RampRun> ramps = new ArrayList<>();
        List<BootRun> boots = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Loaded l = runs.get(i);
            RunInfo info = new RunInfo(l.info().dir(), labels.get(i), l.info().meta(), l.info().study());
            if (l.steps() != null) {
                ramps.add(new RampRun(info, l.protocol(), l.rateUnit(), l.steps()));
            } else {
                boots.add(new BootRun(info, l.events(), l.summary(), l.load()));
            }
        }
        return new ResultSet(inputs, ramps, boots, footprints, studies);
    }

    /** run.json's backend, else its label, else the label part of the folder name, else the folder name. */
    static String baseLabel(RunInfo info) {
        for (String key : List.of("backend", "label")) {
            String v = info.text(key);
            if (v != null) {
                return v;
            }
        }
        String name = name(info.dir());
        Matcher m = RUN_FOLDER.matcher(name);
        if (m.matches() && m.group(2) != null) {
            return m.group(2);
        }
        return name;
    }

    private static JsonNode readJson(Path dir) {
        Path file = dir.resolve(RunMetadata.FILE);
        try {
            JsonNode n = RunMetadata.read(dir);
            if (n == null || !n.isObject()) {
                throw new UsageException(file + " is not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new UsageException(file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UsageException(file + " cannot be read: " + e.getMessage());
        }
    }

    private static List<Path> runFolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isDirectory(p) && Files.isRegularFile(p.resolve(RunMetadata.FILE)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UsageException(dir + " cannot be listed: " + e.getMessage());
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UsageException(dir + " cannot be listed: " + e.getMessage());
        }
    }

    static String name(Path p) {
        Path f = p.toAbsolutePath().normalize().getFileName();
        return f == null ? p.toString() : f.toString();
    }

    private static double zeroIfNaN(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static long count(CsvFile csv, CSVRecord r, String column) {
        return column == null ? 0 : (long) zeroIfNaN(csv.number(r, column));
    }

    private static double optional(CsvFile csv, CSVRecord r, String column) {
        return csv.has(column) ? csv.number(r, column) : Double.NaN;
    }
}
