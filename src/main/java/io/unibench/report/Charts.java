package io.unibench.report;

import io.unibench.report.ChartSpec.Kind;
import io.unibench.report.ChartSpec.Series;
import io.unibench.report.ChartSpec.Style;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides which charts a result set gets and what exactly is in them. Pure: reads the result model, returns
 * {@link ChartSpec}s. One colour per run (or backend) across all charts, from the {@link Palette}, so "qemu" looks the same
 * everywhere.
 */
public final class Charts {
    static final double MIB = 1024.0 * 1024.0;
    /** Series name of the markers on steps where the generator could not keep its schedule. */
    public static final String SATURATED = "generator saturated";
    public static final String IDEAL = "offered (ideal)";

    private final Palette palette;

    public Charts() {
        this(new Palette());
    }

    /** Charts coloured from this palette (the page's tables use the same one). */
    public Charts(Palette palette) {
        this.palette = palette;
    }

    /** All charts for a result set, in the order the report shows them. */
    public List<ChartSpec> all(ResultSet results) {
        List<ChartSpec> charts = new ArrayList<>();
        for (String protocol : List.of("dns", "http")) {
            List<RampRun> runs = results.ramps(protocol);
            if (!runs.isEmpty()) {
                charts.add(latency(protocol, runs));
                charts.add(throughput(protocol, runs));
                charts.add(loss(protocol, runs));
                ChartSpec where = lossWhere(protocol, runs);
                if (where != null) {
                    charts.add(where);
                }
                if (runs.stream().flatMap(r -> r.steps().stream()).anyMatch(s -> !Double.isNaN(s.cpuUsPerQuery()))) {
                    charts.add(cost(protocol, runs));
                }
            }
        }
        if (!results.boots().isEmpty()) {
            ChartSpec instances = bootVersusInstances(results.boots());
            // against one instance count there is no curve; the distribution chart shows those boots
            if (instances.series().stream().flatMap(x -> x.x().stream()).distinct().count() > 1) {
                charts.add(instances);
            }
            charts.add(coldBoots(results.boots()));
        }
        if (!results.footprints().isEmpty()) {
            charts.add(footprint(results.footprints(), "footprint-image", "Image size per service and backend",
                    "image size (MiB)", Footprint.Row::imageBytes));
            charts.add(footprint(results.footprints(), "footprint-memory", "Idle memory per service and backend",
                    "idle memory, resident set (MiB)", Footprint.Row::idleRssBytes));
        }
        // a chart without a single value (e.g. a boot run cut short before its statistics) is left out
        return charts.stream().filter(c -> c.series().stream().anyMatch(s -> !s.y().isEmpty())).toList();
    }

    int color(String key) {
        return palette.slot(key);
    }

    // ---- DNS / HTTP ramps ----------------------------------------------------------------------------

    ChartSpec latency(String protocol, List<RampRun> runs) {
        List<Series> series = new ArrayList<>();
        List<Double> satX = new ArrayList<>();
        List<Double> satY = new ArrayList<>();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (RampRun run : runs) {
            int c = color(run.info().label());
            List<Double> x = new ArrayList<>();
            List<Double> p99 = new ArrayList<>();
            List<Double> x50 = new ArrayList<>();
            List<Double> p50 = new ArrayList<>();
            for (RampRun.Step s : run.steps()) {
                if (positive(s.p99Us())) {
                    x.add(s.offered());
                    p99.add(s.p99Us() / 1000.0);
                    min = Math.min(min, s.p99Us() / 1000.0);
                    max = Math.max(max, s.p99Us() / 1000.0);
                    if (s.saturated()) {
                        satX.add(s.offered());
                        satY.add(s.p99Us() / 1000.0);
                    }
                }
                if (positive(s.p50Us())) {
                    x50.add(s.offered());
                    p50.add(s.p50Us() / 1000.0);
                    min = Math.min(min, s.p50Us() / 1000.0);
                    max = Math.max(max, s.p50Us() / 1000.0);
                }
            }
            series.add(new Series(run.info().label() + " p99", Style.LINE, c, x, p99));
            series.add(new Series(run.info().label() + " p50", Style.DASHED, c, x50, p50));
        }
        if (!satX.isEmpty()) {
            series.add(new Series(SATURATED, Style.MARKS, -1, satX, satY));
        }
        boolean log = max > 0 && min < Double.MAX_VALUE && max / min > 10;
        String unit = runs.get(0).rateUnit();
        return new ChartSpec(protocol + "-latency", upper(protocol) + ": latency against offered rate",
                "offered rate (" + unit + ")", "latency, corrected (ms" + (log ? ", log scale)" : ")"), Kind.XY, log,
                List.of(), series, "Solid: p99, dashed: p50, measured from each request's intended send time"
                        + " (coordinated omission corrected). " + stops(runs) + saturationNote(runs));
    }

    ChartSpec throughput(String protocol, List<RampRun> runs) {
        List<Series> series = new ArrayList<>();
        double lo = Double.MAX_VALUE;
        double hi = 0;
        List<Double> satX = new ArrayList<>();
        List<Double> satY = new ArrayList<>();
        for (RampRun run : runs) {
            int c = color(run.info().label());
            List<Double> x = new ArrayList<>();
            List<Double> answered = new ArrayList<>();
            List<Double> sent = new ArrayList<>();
            for (RampRun.Step s : run.steps()) {
                x.add(s.offered());
                answered.add(s.completed());
                sent.add(s.achievedSend());
                lo = Math.min(lo, s.offered());
                hi = Math.max(hi, s.offered());
                if (s.saturated()) {
                    satX.add(s.offered());
                    satY.add(s.achievedSend());
                }
            }
            series.add(new Series(run.info().label() + " answered", Style.LINE, c, x, answered));
            series.add(new Series(run.info().label() + " sent", Style.DOTTED, c, x, sent));
        }
        if (hi > 0) {
            // from the lowest offered rate, or from 0 when there is only one (a fixed-rate run)
            double from = lo < hi ? lo : 0;
            series.add(0, new Series(IDEAL, Style.REFERENCE, -1, List.of(from, hi), List.of(from, hi)));
        }
        if (!satX.isEmpty()) {
            series.add(new Series(SATURATED, Style.MARKS, -1, satX, satY));
        }
        String unit = runs.get(0).rateUnit();
        return new ChartSpec(protocol + "-throughput", upper(protocol) + ": achieved against offered rate",
                "offered rate (" + unit + ")", "rate (" + unit + ")", Kind.XY, false, List.of(), series,
                "Solid: answers per second; dotted: what the generator actually sent per second; grey: the"
                        + " offered rate. " + stops(runs) + saturationNote(runs));
    }

    /** The server's CPU per answered query / request against the offered rate (runs that knew their instance). */
    ChartSpec cost(String protocol, List<RampRun> runs) {
        List<Series> series = new ArrayList<>();
        for (RampRun run : runs) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (RampRun.Step s : run.steps()) {
                if (!Double.isNaN(s.cpuUsPerQuery())) {
                    x.add(s.offered());
                    y.add(s.cpuUsPerQuery());
                }
            }
            if (!x.isEmpty()) {
                series.add(new Series(run.info().label(), Style.LINE, color(run.info().label()), x, y));
            }
        }
        String unit = runs.get(0).rateUnit();
        boolean http = protocol.equals("http");
        return new ChartSpec(protocol + "-cost", upper(protocol) + ": server CPU per " + (http ? "request" : "query")
                + " against offered rate", "offered rate (" + unit + ")", "server CPU (\u00b5s per "
                + (http ? "request" : "query") + " = s per million)", Kind.XY, false, List.of(), series,
                "CPU time of the loaded instance over each step's measured window (QEMU: the whole process, vCPU"
                        + " and I/O threads; container: its cgroup; native: the process) divided by the answers."
                        + " Runs without a known instance are not drawn.");
    }

    /**
     * Where the lost queries were lost, per step (steps.csv {@code loss_client}, {@code loss_path},
     * {@code loss_server}) as % of sent against the offered rate; null when no run that lost anything knew
     * the split.
     */
    ChartSpec lossWhere(String protocol, List<RampRun> runs) {
        List<Series> series = new ArrayList<>();
        for (RampRun run : runs) {
            List<RampRun.Step> steps = run.steps().stream().filter(s -> s.split() != null && s.sent() > 0).toList();
            if (steps.stream().noneMatch(s -> s.lost() > 0)) {
                continue;
            }
            int c = color(run.info().label());
            List<Double> x = steps.stream().map(RampRun.Step::offered).toList();
            series.add(new Series(run.info().label() + " path", Style.LINE, c, x,
                    steps.stream().map(s -> 100.0 * s.split().path() / s.sent()).toList()));
            series.add(new Series(run.info().label() + " server", Style.DASHED, c, x,
                    steps.stream().map(s -> 100.0 * s.split().server() / s.sent()).toList()));
            series.add(new Series(run.info().label() + " client", Style.DOTTED, c, x,
                    steps.stream().map(s -> 100.0 * s.split().client() / s.sent()).toList()));
        }
        if (series.isEmpty()) {
            return null;
        }
        return new ChartSpec(protocol + "-loss-where", upper(protocol) + ": where the queries were lost",
                "offered rate (" + runs.get(0).rateUnit() + ")", "lost (% of sent)", Kind.XY, false, List.of(), series,
                "From the server's own counters per step: solid, on the path (sent, never received by the server:"
                        + " forwarder, bridge, chain); dashed, in the server (received, not answered, or dropped at"
                        + " its full receive buffer); dotted, in the generator's own sockets. Runs whose server"
                        + " could not be asked are not drawn.");
    }

    ChartSpec loss(String protocol, List<RampRun> runs) {
        List<Series> series = new ArrayList<>();
        boolean anyErrors = false;
        boolean http = protocol.equals("http");
        for (RampRun run : runs) {
            int c = color(run.info().label());
            List<Double> x = new ArrayList<>();
            List<Double> lost = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            boolean runErrors = false;
            for (RampRun.Step s : run.steps()) {
                x.add(s.offered());
                lost.add(s.lossPct());
                errors.add(s.errorPct());
                runErrors |= s.errorPct() > 0;
            }
            series.add(new Series(run.info().label() + (http ? " timed out" : " lost"), Style.LINE, c, x, lost));
            if (runErrors) {
                series.add(new Series(run.info().label() + " errors", Style.DASHED, c, x, errors));
                anyErrors = true;
            }
        }
        String unit = runs.get(0).rateUnit();
        return new ChartSpec(protocol + "-loss", upper(protocol) + ": " + (http ? "timeouts" : "loss")
                + " and errors against offered rate", "offered rate (" + unit + ")",
                (http ? "timed out" : "lost") + " or failed (% of sent)", Kind.XY, false, List.of(), series,
                "Solid: " + (http ? "requests that timed out" : "queries without an answer in time")
                        + (anyErrors ? "; dashed: error answers and socket errors. "
                        : "; no run had error answers or socket errors. ") + stops(runs));
    }

    private static String stops(List<RampRun> runs) {
        StringBuilder b = new StringBuilder("Stopped: ");
        for (int i = 0; i < runs.size(); i++) {
            RampRun r = runs.get(i);
            b.append(i == 0 ? "" : "; ").append(r.info().label()).append(" \u2014 ").append(stopText(r));
        }
        return b.append(". ").toString();
    }

    static String stopText(RampRun r) {
        String reason = r.stopReason();
        if (reason == null) {
            return r.info().unfinished() ? "not recorded (the run did not finish)" : "not recorded";
        }
        String detail = r.stopDetail();
        String s = reason + (detail == null ? "" : " (" + detail + ")");
        if (r.info().interrupted()) {
            s += ", last step partial";
        }
        return s;
    }

    private static String saturationNote(List<RampRun> runs) {
        return runs.stream().anyMatch(RampRun::anySaturated)
                ? "Black markers: steps where the load generator could not keep the offered rate; they measure"
                + " the client, not the server." : "";
    }

    // ---- boot -------------------------------------------------------------------------------------------

    /** Series name of a backend in boot charts: the backend, the service if several, the run if several. */
    private static String bootName(BootRun run, String backend, String service, boolean services, boolean several) {
        return backend + (services ? " " + service : "") + (several ? " [" + run.info().label() + "]" : "");
    }

    ChartSpec bootVersusInstances(List<BootRun> runs) {
        boolean churn = runs.stream().flatMap(r -> r.summary().stream()).anyMatch(s -> s.kind().equals("churn"));
        boolean services = runs.stream().flatMap(r -> r.summary().stream()).map(BootRun.Summary::service)
                .distinct().count() > 1;
        List<Series> lines = new ArrayList<>();
        List<Series> bands = new ArrayList<>();
        // runs are named in the series only when several runs contribute (a study's cold and churn runs do not)
        List<BootRun> contributing = runs.stream().filter(r -> r.summary().stream()
                .anyMatch(s -> !churn || s.kind().equals("churn"))).toList();
        boolean several = contributing.size() > 1;
        for (BootRun run : contributing) {
            Map<String, List<BootRun.Summary>> groups = new LinkedHashMap<>();
            for (BootRun.Summary s : run.summary()) {
                if (!churn || s.kind().equals("churn")) {
                    groups.computeIfAbsent(s.backend() + "\u0000" + s.service() + "\u0000" + (churn ? "" : s.kind()),
                            k -> new ArrayList<>()).add(s);
                }
            }
            for (List<BootRun.Summary> g : groups.values()) {
                g.sort(Comparator.comparingInt(BootRun.Summary::runningInstances));
                BootRun.Summary first = g.get(0);
                String name = bootName(run, first.backend(), first.service(), services, several)
                        + (churn ? "" : " " + first.kind());
                int c = color(several ? name : first.backend());
                List<Double> x = new ArrayList<>();
                List<Double> p50 = new ArrayList<>();
                List<Double> bx = new ArrayList<>();
                List<Double> by = new ArrayList<>();
                for (BootRun.Summary s : g) {
                    if (!Double.isNaN(s.p50Ms())) {
                        x.add((double) s.runningInstances());
                        p50.add(s.p50Ms());
                    }
                }
                for (BootRun.Summary s : g) {
                    if (!Double.isNaN(s.p90Ms()) && !Double.isNaN(s.p10Ms())) {
                        bx.add((double) s.runningInstances());
                        by.add(s.p90Ms());
                    }
                }
                for (int i = g.size() - 1; i >= 0; i--) {
                    BootRun.Summary s = g.get(i);
                    if (!Double.isNaN(s.p90Ms()) && !Double.isNaN(s.p10Ms())) {
                        bx.add((double) s.runningInstances());
                        by.add(s.p10Ms());
                    }
                }
                lines.add(new Series(name + " median", Style.LINE, c, x, p50));
                if (!bx.isEmpty()) {
                    bands.add(new Series(name + " p10\u2013p90", Style.BAND, c, bx, by));
                }
            }
        }
        List<Series> series = new ArrayList<>(bands);
        series.addAll(lines);
        StringBuilder failures = new StringBuilder();
        for (BootRun run : contributing) {
            for (BootRun.Summary s : run.summary()) {
                if ((!churn || s.kind().equals("churn")) && s.failures() > 0) {
                    failures.append(failures.length() == 0 ? "" : "; ")
                            .append(bootName(run, s.backend(), s.service(), services, several))
                            .append(" at ").append(s.runningInstances()).append(": ").append(s.failures())
                            .append(" of ").append(s.count());
                }
            }
        }
        return new ChartSpec("boot-instances", "Boot time against running instances", "running instances",
                "boot time: start call \u2192 first correct answer (ms)", Kind.XY, false, List.of(), series,
                "Line: median; shaded: 10th to 90th percentile of "
                        + (churn ? "restarts while the other instances keep running (churn)" : "boots") + ". "
                        + (failures.length() == 0 ? "Every boot answered. "
                        : "Boots that never answered (not in the statistics): " + failures + ". ")
                        + bootStops(runs));
    }

    ChartSpec coldBoots(List<BootRun> runs) {
        boolean services = runs.stream().flatMap(r -> r.events().stream()).map(BootRun.Event::service)
                .distinct().count() > 1;
        boolean cold = runs.stream().flatMap(r -> r.events().stream()).anyMatch(e -> e.kind().equals("cold"));
        List<Series> series = new ArrayList<>();
        StringBuilder failures = new StringBuilder();
        List<BootRun> contributing = runs.stream().filter(r -> r.events().stream()
                .anyMatch(e -> !cold || e.kind().equals("cold"))).toList();
        boolean several = contributing.size() > 1;
        for (BootRun run : contributing) {
            Map<String, List<BootRun.Event>> groups = new LinkedHashMap<>();
            for (BootRun.Event e : run.events()) {
                if (!cold || e.kind().equals("cold")) {
                    groups.computeIfAbsent(e.backend() + "\u0000" + e.service(), k -> new ArrayList<>()).add(e);
                }
            }
            for (List<BootRun.Event> g : groups.values()) {
                BootRun.Event first = g.get(0);
                String name = bootName(run, first.backend(), first.service(), services, several);
                List<Double> times = g.stream().filter(BootRun.Event::ready).map(BootRun.Event::answerMs).sorted().toList();
                List<Double> y = new ArrayList<>();
                for (int i = 0; i < times.size(); i++) {
                    y.add(100.0 * (i + 1) / g.size());
                }
                long failed = g.size() - times.size();
                series.add(new Series(name + " (n=" + g.size() + ")", Style.STEP,
                        color(several ? name : first.backend()), times, y));
                if (failed > 0) {
                    failures.append(failures.length() == 0 ? "" : "; ").append(name).append(": ").append(failed)
                            .append(" of ").append(g.size()).append(" never answered");
                }
            }
        }
        return new ChartSpec("boot-cold", cold ? "Cold boots: distribution of boot times" : "Boots: distribution of boot times",
                "boot time: start call \u2192 first correct answer (ms)", "boots done by then (% of all)", Kind.XY, false,
                List.of(), series, "Cumulative distribution: the share of "
                        + (cold ? "cold boots (nothing else running)" : "boots") + " that answered within a given time."
                        + (failures.length() == 0 ? " Every boot answered." : " Failures (curve stays below 100 %): "
                        + failures + ".") + " " + bootStops(runs));
    }

    private static String bootStops(List<BootRun> runs) {
        StringBuilder b = new StringBuilder();
        for (BootRun r : runs) {
            if (r.info().interrupted()) {
                b.append(r.info().label()).append(" was interrupted; its last cycle is partial. ");
            } else if (r.info().unfinished()) {
                b.append(r.info().label()).append(" did not finish (run.json says running). ");
            }
        }
        return b.toString().strip();
    }

    // ---- footprint ----------------------------------------------------------------------------------------

    interface RowValue {
        double get(Footprint.Row row);
    }

    ChartSpec footprint(List<Footprint> tables, String id, String title, String yLabel, RowValue value) {
        Set<String> services = new LinkedHashSet<>();
        Map<String, Map<String, Double>> byBackend = new LinkedHashMap<>();
        for (Footprint f : tables) {
            for (Footprint.Row r : f.rows()) {
                services.add(r.service());
                String name = r.backend() + (tables.size() > 1 ? " [" + f.label() + "]" : "");
                byBackend.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(r.service(), value.get(r) / MIB);
            }
        }
        List<String> cats = List.copyOf(services);
        // bars in colour order, so qemu comes first whatever the row order of the file
        List<Map.Entry<String, Map<String, Double>>> backends = new ArrayList<>(byBackend.entrySet());
        backends.forEach(e -> color(e.getKey()));
        backends.sort(Comparator.comparingInt(e -> color(e.getKey())));
        List<Series> series = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> e : backends) {
            List<Double> y = new ArrayList<>();
            for (String s : cats) {
                y.add(e.getValue().getOrDefault(s, Double.NaN));
            }
            series.add(new Series(e.getKey(), Style.BAR, color(e.getKey()), List.of(), y));
        }
        return new ChartSpec(id, title, "service", yLabel, Kind.BARS, false, cats, series,
                "MiB = 1,048,576 bytes. A missing bar: not measured.");
    }

    private static boolean positive(double v) {
        return !Double.isNaN(v) && v > 0;
    }

    private static String upper(String protocol) {
        return protocol.toUpperCase(Locale.ROOT);
    }
}
