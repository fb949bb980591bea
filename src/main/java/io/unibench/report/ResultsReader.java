package io.unibench.report;

import static io.unibench.results.RampCsvSink.ERRORS;
import static io.unibench.results.RampCsvSink.ERROR_PCT;
import static io.unibench.results.RampCsvSink.GENERATOR_SATURATED;
import static io.unibench.results.RampCsvSink.LATENCY_MAX_US;
import static io.unibench.results.RampCsvSink.LATENCY_P50_US;
import static io.unibench.results.RampCsvSink.LATENCY_P90_US;
import static io.unibench.results.RampCsvSink.LATENCY_P99_9_US;
import static io.unibench.results.RampCsvSink.LATENCY_P99_US;
import static io.unibench.results.RampCsvSink.LOSS_PCT;
import static io.unibench.results.RampCsvSink.STEP;
import static io.unibench.results.RampCsvSink.STOP_DETAIL;
import static io.unibench.results.RampCsvSink.STOP_REASON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.UsageException;
import io.unibench.results.BootCsv;
import io.unibench.results.BreakPoint;
import io.unibench.results.FootprintCsv;
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
        if (!children.isEmpty() || Files.isRegularFile(input.resolve(FootprintCsv.LAYOUT.file()))) {
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
        boolean footprint = Files.isRegularFile(dir.resolve(FootprintCsv.LAYOUT.file()));
        if (children.isEmpty() && !footprint) {
            throw new UsageException(dir + ": the study holds no run folders (no */run.json) and no " + FootprintCsv.LAYOUT.file());
        }
        for (Path child : children) {
            JsonNode m = readJson(child);
            if ("study".equals(m.path("benchmark").asText())) {
                throw new UsageException(child + " is a study inside a study; give it to report directly");
            }
            readRun(dir, child, m, meta);
        }
        if (footprint) {
            footprints.add(readFootprint(dir, name(dir)));
        }
    }

    private void readRun(Path origin, Path dir, JsonNode meta, JsonNode study) {
        String benchmark = meta.path("benchmark").asText("");
        RunInfo info = new RunInfo(dir, null, meta, study);
        switch (benchmark) {
            case "dns", "http" -> readRamp(origin, info, benchmark);
            case "boot" -> readBoot(origin, info);
            case "footprint" -> footprints.add(readFootprint(dir, baseLabel(info)));
            case "" -> throw new UsageException(dir.resolve(RunMetadata.FILE) + ": no 'benchmark' key (expected dns,"
                    + " http, boot, footprint or study)");
            default -> throw new UsageException(dir.resolve(RunMetadata.FILE) + ": unknown benchmark '" + benchmark
                    + "' (expected dns, http, boot, footprint or study)");
        }
    }

    private void readRamp(Path origin, RunInfo info, String protocol) {
        CsvFile csv = CsvFile.read(info.dir().resolve(RampCsvSink.STEPS_FILE),
                "the per-step table of a bench " + protocol + " run");
        RampCsvSink.StepsHeader header = RampCsvSink.stepsHeader(csv.header());
        String unit = header != null ? header.rateUnit()
                : csv.oneOf(RampCsvSink.offered("qps"), RampCsvSink.offered("rps")).substring("offered_".length());
        String offered = RampCsvSink.offered(unit);
        csv.require(List.of(STEP.name(), offered, RampCsvSink.achievedSend(unit), RampCsvSink.completed(unit),
                LOSS_PCT.name(), ERROR_PCT.name(), LATENCY_P50_US.name(), LATENCY_P99_US.name(),
                GENERATOR_SATURATED.name()));
        String sent = header == null ? null : header.sent();
        String lost = header == null ? null : header.lost();
        List<RampRun.Step> steps = new ArrayList<>();
        for (CSVRecord r : csv.rows()) {
            steps.add(new RampRun.Step((int) csv.number(r, STEP), csv.number(r, offered),
                    csv.number(r, RampCsvSink.achievedSend(unit)), csv.number(r, RampCsvSink.completed(unit)),
                    zeroIfNaN(csv.number(r, LOSS_PCT)), zeroIfNaN(csv.number(r, ERROR_PCT)),
                    count(csv, r, sent), count(csv, r, lost), count(csv, r, csv.has(ERRORS.name()) ? ERRORS.name() : null),
                    csv.number(r, LATENCY_P50_US), optional(csv, r, LATENCY_P90_US.name()),
                    csv.number(r, LATENCY_P99_US), optional(csv, r, LATENCY_P99_9_US.name()),
                    optional(csv, r, LATENCY_MAX_US.name()), csv.bool(r, GENERATOR_SATURATED),
                    csv.text(r, STOP_REASON), csv.text(r, STOP_DETAIL),
                    optional(csv, r, RampCsvSink.CPU_US_PER_QUERY.name()), split(csv, r),
                    optional(csv, r, RampCsvSink.HOST_NOISE_MAX_PCT.name())));
        }
        runs.add(new Loaded(origin, info, protocol, unit, steps, null, null, null));
    }

    private void readBoot(Path origin, RunInfo info) {
        CsvFile ev = CsvFile.read(info.dir(), BootCsv.EVENTS, "one row per instance start of a bench boot run");
        List<BootRun.Event> events = new ArrayList<>();
        for (CSVRecord r : ev.rows()) {
            events.add(new BootRun.Event(ev.text(r, BootCsv.KIND), ev.text(r, BootCsv.BACKEND),
                    ev.text(r, BootCsv.SERVICE), (int) ev.number(r, BootCsv.RUNNING_INSTANCES),
                    (int) zeroIfNaN(ev.number(r, BootCsv.CYCLE)), ev.text(r, BootCsv.INSTANCE),
                    ev.number(r, BootCsv.SPAWN_MS), ev.number(r, BootCsv.START_RETURNED_MS),
                    ev.number(r, BootCsv.CONSOLE_READY_MS), ev.number(r, BootCsv.ANSWER_MS),
                    ev.text(r, BootCsv.OUTCOME), optional(ev, r, BootCsv.PLUMBING_MS.name()),
                    optional(ev, r, BootCsv.GUEST_ENTRY_MS.name()), optional(ev, r, BootCsv.GUEST_CLOCK_MS.name()),
                    optional(ev, r, BootCsv.GUEST_DEVICES_MS.name()), optional(ev, r, BootCsv.GUEST_READY_MS.name())));
        }
        List<BootRun.HostLoad> load = new ArrayList<>();
        if (Files.exists(info.dir().resolve(BootCsv.HOST_LOAD.file()))) {
            CsvFile hl = CsvFile.read(info.dir(), BootCsv.HOST_LOAD, "host CPU and memory samples of a bench boot run");
            for (CSVRecord r : hl.rows()) {
                load.add(new BootRun.HostLoad(hl.number(r, BootCsv.T_S), hl.text(r, BootCsv.H_BACKEND),
                        (int) zeroIfNaN(hl.number(r, BootCsv.H_RUNNING_INSTANCES)), hl.number(r, BootCsv.CPU_PCT),
                        hl.number(r, BootCsv.MEM_USED_BYTES)));
            }
        }
        List<BootRun.Summary> summary = new ArrayList<>();
        if (!Files.exists(info.dir().resolve(BootCsv.SUMMARY.file())) && (info.interrupted() || info.unfinished())) {
            // a boot run cut short may not have written its statistics yet; its events still show
            runs.add(new Loaded(origin, info, "boot", null, null, events, summary, load));
            return;
        }
        CsvFile sum = CsvFile.read(info.dir(), BootCsv.SUMMARY, "boot-time statistics of a bench boot run");
        for (CSVRecord r : sum.rows()) {
            summary.add(new BootRun.Summary(sum.text(r, BootCsv.S_KIND), sum.text(r, BootCsv.S_BACKEND),
                    sum.text(r, BootCsv.S_SERVICE), (int) sum.number(r, BootCsv.S_RUNNING_INSTANCES),
                    (long) zeroIfNaN(sum.number(r, BootCsv.S_COUNT)), (long) zeroIfNaN(sum.number(r, BootCsv.S_FAILURES)),
                    sum.number(r, BootCsv.MIN_MS), sum.number(r, BootCsv.P10_MS), sum.number(r, BootCsv.P50_MS),
                    sum.number(r, BootCsv.MEAN_MS), sum.number(r, BootCsv.P90_MS), sum.number(r, BootCsv.P99_MS),
                    sum.number(r, BootCsv.MAX_MS), sum.number(r, BootCsv.STDDEV_MS)));
        }
        runs.add(new Loaded(origin, info, "boot", null, null, events, summary, load));
    }

    private static Footprint readFootprint(Path dir, String label) {
        CsvFile csv = CsvFile.read(dir, FootprintCsv.LAYOUT, "image size and idle memory per service and backend");
        List<Footprint.Row> rows = new ArrayList<>();
        for (CSVRecord r : csv.rows()) {
            rows.add(new Footprint.Row(csv.text(r, FootprintCsv.SERVICE), csv.text(r, FootprintCsv.BACKEND),
                    csv.number(r, FootprintCsv.IMAGE_BYTES), csv.number(r, FootprintCsv.GUEST_MEMORY_BYTES),
                    csv.number(r, FootprintCsv.IDLE_RSS_BYTES), csv.number(r, FootprintCsv.IDLE_CPU_PCT)));
        }
        return new Footprint(dir.resolve(FootprintCsv.LAYOUT.file()), label, rows);
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
                BreakPoint.Ramp bp = BreakPoint.read(info.dir());
                ramps.add(new RampRun(info, l.protocol(), l.rateUnit(), l.steps(), bp == null ? null
                        : bp.under(BreakPoint.Criteria.of(info.path(RunMetadata.PARAMETERS)))));
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

    /** loss_client, loss_path, loss_server; null when the columns are absent or empty (the server was not asked). */
    private static RampRun.LossSplit split(CsvFile csv, CSVRecord r) {
        double c = optional(csv, r, RampCsvSink.LOSS_CLIENT.name());
        double p = optional(csv, r, RampCsvSink.LOSS_PATH.name());
        double s = optional(csv, r, RampCsvSink.LOSS_SERVER.name());
        if (Double.isNaN(c) || Double.isNaN(p) || Double.isNaN(s)) {
            return null;
        }
        return new RampRun.LossSplit((long) c, (long) p, (long) s);
    }

    private static double optional(CsvFile csv, CSVRecord r, String column) {
        return csv.has(column) ? csv.number(r, column) : Double.NaN;
    }
}
