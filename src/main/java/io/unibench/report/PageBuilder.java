package io.unibench.report;

import static io.unibench.report.Page.Cell.head;
import static io.unibench.report.Page.Cell.num;
import static io.unibench.report.Page.Cell.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.report.Page.CaveatLine;
import io.unibench.report.Page.Cell;
import io.unibench.report.Page.Command;
import io.unibench.report.Page.Details;
import io.unibench.report.Page.Diagram;
import io.unibench.report.Page.Figure;
import io.unibench.report.Page.Link;
import io.unibench.report.Page.Row;
import io.unibench.report.Page.Section;
import io.unibench.report.Page.Table;
import io.unibench.load.HostNoise;
import io.unibench.results.Caveat;
import io.unibench.results.RunMetadata;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Decides what the report page says: the caveats (by id), the summaries, the tables and which figure goes
 * where. Pure: reads the result model and the drawn charts, returns a {@link Page}; no markup here.
 */
final class PageBuilder {
    /** Ids of the caveats the report infers itself; recorded ones keep the id the run gave them. */
    static final String ACCELERATOR_TCG = "accelerator-tcg";
    static final String ACCELERATOR_KVM = "accelerator-kvm";
    static final String ACCELERATOR_UNKNOWN = "accelerator-unknown";
    static final String NO_QEMU = "no-qemu";
    static final String FORWARDER_UNKNOWN = "port-forwarder-if-published";
    static final String DIFFERENT_HOSTS = "different-hosts";
    static final String GENERATOR_KEPT_UP = "generator-kept-schedule";
    static final String GENERATOR_SATURATED = "generator-saturated";
    static final String STUDY_INCOMPLETE = "study-incomplete";
    static final String BOOT_NO_SUMMARY = "boot-no-summary";
    static final String INTERRUPTED = "interrupted";
    static final String UNFINISHED = "unfinished";
    /** A caveat a run recorded as plain text (run.json from before caveats had ids). */
    static final String RECORDED_TEXT = "recorded";

    private static final Pattern SAFE_ARG = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");
    static final double GIB = 1024.0 * 1024 * 1024;

    private final ResultSet results;
    private final Map<ChartSpec, ChartRenderer.Images> images;
    private final List<String> command;
    private final Instant now;
    private final Palette palette;

    PageBuilder(ResultSet results, Map<ChartSpec, ChartRenderer.Images> images, List<String> command, Instant now,
                Palette palette) {
        this.results = results;
        this.images = images;
        this.command = command;
        this.now = now;
        this.palette = palette;
    }

    Page build() {
        List<Section> sections = new ArrayList<>();
        Section headline = headline();
        if (headline != null) {
            sections.add(headline);
        }
        Section side = backends();
        if (side != null) {
            sections.add(side);
        }
        Section forwarder = forwarderCost();
        if (forwarder != null) {
            sections.add(forwarder);
        }
        for (String protocol : List.of("dns", "http")) {
            List<RampRun> runs = results.ramps(protocol);
            if (!runs.isEmpty()) {
                sections.add(ramp(protocol, runs));
            }
        }
        if (!results.boots().isEmpty()) {
            sections.add(boot());
        }
        if (!results.footprints().isEmpty()) {
            sections.add(footprint());
        }
        Section topo = topologies();
        if (topo != null) {
            sections.add(topo);
        }
        List<Link> nav = new ArrayList<>(List.of(new Link("", "#caveats", "caveats")));
        for (Section s : sections) {
            nav.add(new Link(" \u00b7 ", "#" + s.id(), s.id().equals("dns") || s.id().equals("http") ? s.title()
                    : s.title().toLowerCase(Locale.ROOT)));
        }
        nav.add(new Link(" \u00b7 ", "#runs", "run metadata"));
        nav.add(new Link(" \u00b7 ", "#reproduce", "reproduce"));
        List<Page.Item> inputs = new ArrayList<>();
        for (Path p : results.inputs()) {
            inputs.add(new Page.Item(inputs.isEmpty() ? "" : ", ", p.toString()));
        }
        return new Page(now.toString(), RunMetadata.Version.VERSION, inputs, nav, caveats(), sections, runs(),
                reproduce());
    }

    // ---- headline: each pair of backends, ratio with its bootstrap interval ------------------------------

    Section headline() {
        io.unibench.compare.Bootstrap bootstrap = new io.unibench.compare.Bootstrap(
                io.unibench.compare.Bootstrap.DEFAULT_SEED, io.unibench.compare.Bootstrap.DEFAULT_RESAMPLES, 0.95);
        List<io.unibench.compare.Headline.Row> rows = io.unibench.compare.Headline.of(results.inputs(), bootstrap);
        if (rows.isEmpty()) {
            return null;
        }
        List<Page.Cell> header = List.of(head("figure"), head("A"), head("B"), head("A"), head("B"),
                head("B / A"), head("95 % CI"), head("verdict"));
        List<Page.Row> out = new ArrayList<>();
        for (io.unibench.compare.Headline.Row r : rows) {
            String ci = !r.comparable() ? "\u2014" : r.low() == r.high() ? "exact"
                    : io.unibench.compare.CompareFormat.times(r.low()) + "\u2013"
                    + io.unibench.compare.CompareFormat.times(r.high()) + "\u00d7";
            String ratio = r.comparable() ? io.unibench.compare.CompareFormat.times(r.ratio()) + "\u00d7" : "\u2014";
            out.add(new Page.Row(null, List.of(text(r.figure()), text(r.a()), text(r.b()), num(r.aText()),
                    num(r.bText()), num(ratio), num(ci), text(r.verdict()))));
        }
        Table t = new Table("For each pair of backends: the figure on A and on B, the ratio B / A and its 95 % percentile"
                + " bootstrap interval (" + bootstrap.resamples() + " resamples, seed " + bootstrap.seed() + "; boot"
                + " events, the ramps' seconds within each step and the footprint's instances are resampled), and the"
                + " verdict: a backend is better when the whole interval is on its side of 1. Break point: the offered"
                + " rate of the last step held before the first that lost more than --max-loss or exceeded --max-p99;"
                + " a step's p99 is the median of its per-second p99s, shown at the highest rate both ran.",
                null, header, out);
        return new Section("headline", "Headline", List.of(), List.of(t), List.of(), List.of());
    }

    // ---- caveats -------------------------------------------------------------------------------------------

    List<CaveatLine> caveats() {
        List<CaveatLine> out = new ArrayList<>();
        List<RunInfo> all = allRuns();
        List<String> kvm = new ArrayList<>();
        List<String> tcg = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (RunInfo r : all) {
            if (!r.involvesQemu()) {
                continue;
            }
            String acc = r.accelerator();
            String name = display(r);
            if ("kvm".equals(acc)) {
                kvm.add(name);
            } else if ("tcg".equals(acc)) {
                tcg.add(name);
            } else {
                unknown.add(name);
            }
        }
        if (!tcg.isEmpty()) {
            out.add(new CaveatLine(ACCELERATOR_TCG, "Accelerator: TCG", " (software emulation, no KVM) for "
                    + String.join(", ", tcg) + ". Unikernel figures from TCG say little about QEMU/KVM on real"
                    + " hardware.", false));
        }
        if (!kvm.isEmpty()) {
            out.add(new CaveatLine(ACCELERATOR_KVM, null, "Accelerator: KVM for " + String.join(", ", kvm) + ". Under"
                    + " nested or paravirtual KVM (a cloud VM) exits are far costlier than on bare metal; note the"
                    + " host before generalising.", false));
        }
        if (!unknown.isEmpty()) {
            out.add(new CaveatLine(ACCELERATOR_UNKNOWN, null, "Accelerator not recorded for "
                    + String.join(", ", unknown) + ".", false));
        }
        if (kvm.isEmpty() && tcg.isEmpty() && unknown.isEmpty()) {
            out.add(new CaveatLine(NO_QEMU, null, "No run involved QEMU, so no accelerator applies.", false));
        }
        Map<String, CaveatLine> recorded = new LinkedHashMap<>();
        for (RunInfo r : allWithStudies()) {
            for (RunInfo.Recorded c : r.caveats()) {
                String id = c.id() == null ? RECORDED_TEXT : c.id();
                recorded.putIfAbsent(id + "\u0000" + c.text(), new CaveatLine(id, null, c.text(), true));
            }
        }
        Set<String> recordedIds = new LinkedHashSet<>();
        recorded.values().forEach(c -> recordedIds.add(c.id()));
        out.addAll(recorded.values());
        // a caveat the runs recorded themselves replaces the generic one with the same id
        boolean backends = all.stream().anyMatch(r -> r.backendName() != null) || !results.studies().isEmpty()
                || !results.boots().isEmpty();
        if (!recordedIds.contains(Caveat.PORT_FORWARDER.id())) {
            if (backends) {
                out.add(new CaveatLine(Caveat.PORT_FORWARDER.id(), "User-space port forwarder:", " traffic reaches"
                        + " the backends through one (QEMU's slirp hostfwd for the unikernels, docker-proxy for the"
                        + " containers). Absolute latencies and peak rates include that forwarder; compare the"
                        + " backends with each other rather than with bare-metal figures.", false));
            } else {
                out.add(new CaveatLine(FORWARDER_UNKNOWN, null, "These runs name no backend (a bench against a"
                        + " --target). If the target was a unikernel or container published on a host port, traffic"
                        + " went through a user-space port forwarder (QEMU's slirp hostfwd or docker-proxy) and the"
                        + " latencies include it.", false));
            }
        }
        Set<String> cores = new LinkedHashSet<>();
        Set<String> cpus = new LinkedHashSet<>();
        for (RunInfo r : all) {
            JsonNode h = r.path(RunMetadata.HOST);
            if (h.has("cores")) {
                cores.add(h.path("cores").asText());
            }
            if (h.has("cpu_model")) {
                cpus.add(h.path("cpu_model").asText());
            }
        }
        if (!recordedIds.contains(Caveat.SHARED_HOST.id())) {
            out.add(new CaveatLine(Caveat.SHARED_HOST.id(), null, "The load generator (or boot prober) and the"
                    + " services run on the same host" + (cores.size() == 1 ? " (" + cores.iterator().next()
                    + " cores)" : "") + " and compete for its CPUs.", false));
        }
        if (!recordedIds.contains(Caveat.GVISOR_RUNTIME.id()) && allWithStudies().stream()
                .anyMatch(r -> "host".equals(r.backendFact("gvisor", "network_mode")))) {
            out.add(new CaveatLine(Caveat.GVISOR_RUNTIME.id(), "gVisor with --network=host:", " runsc served"
                    + " the containers' sockets from the host kernel's network stack, not gVisor's own netstack (the"
                    + " runtime flag this machine needs). Its network figures show gVisor's system-call isolation"
                    + " without the cost of its user-space network stack, which a default gVisor deployment pays.",
                    false));
        }
        if (cpus.size() > 1 || cores.size() > 1) {
            out.add(new CaveatLine(DIFFERENT_HOSTS, "The runs come from different hosts", " (" + String.join("; ", cpus)
                    + "): differences between them may be the machine, not the backend.", false));
        }
        List<String> saturated = new ArrayList<>();
        for (RampRun r : results.ramps()) {
            List<String> steps = new ArrayList<>();
            for (RampRun.Step s : r.steps()) {
                if (s.saturated()) {
                    steps.add(String.valueOf(s.step()));
                }
            }
            if (!steps.isEmpty()) {
                saturated.add(display(r.info()) + " (step" + (steps.size() > 1 ? "s " : " ") + String.join(", ", steps)
                        + ")");
            }
        }
        if (saturated.isEmpty()) {
            if (!results.ramps().isEmpty()) {
                out.add(new CaveatLine(GENERATOR_KEPT_UP, null, "The load generator kept its schedule in every step"
                        + " (no step is marked generator-saturated).", false));
            }
        } else {
            out.add(new CaveatLine(GENERATOR_SATURATED, "Generator saturation", " in " + String.join("; ", saturated)
                    + ": the load generator could not send at the offered rate, so those steps measure the client,"
                    + " not the server (black crosses in the charts).", false));
        }
        CaveatLine noise = hostNoise();
        if (noise != null) {
            out.add(noise);
        }
        for (RunInfo st : results.studies()) {
            // a study draws its report before it records how it ended, so "running" is normal here
            if (st.interrupted() || "failed".equals(st.status())) {
                out.add(new CaveatLine(STUDY_INCOMPLETE, "The study " + ResultsReader.name(st.dir())
                        + " did not complete", " (" + st.status() + (st.stopDetail() == null ? "" : ": "
                        + st.stopDetail()) + "): the runs below are what it measured; runs it had not started are"
                        + " missing.", false));
            }
        }
        for (BootRun r : results.boots()) {
            if (r.summary().isEmpty()) {
                out.add(new CaveatLine(BOOT_NO_SUMMARY, null, display(r.info()) + " has no boot-summary.csv (cut short"
                        + " before writing it): only its individual boots are shown.", false));
            }
        }
        for (RunInfo r : all) {
            if (r.interrupted()) {
                out.add(new CaveatLine(INTERRUPTED, display(r) + " was interrupted", " (Ctrl-C): its last step is"
                        + " partial; everything before it is complete.", false));
            } else if (r.unfinished()) {
                out.add(new CaveatLine(UNFINISHED, display(r) + " did not finish", ": run.json still says running (the"
                        + " process was killed); the rows present are what was measured.", false));
            }
        }
        return out;
    }

    /**
     * The steps where processes outside the benchmark used more than {@value HostNoise#THRESHOLD_PCT} % of
     * the host's CPU in some second, per run with the highest share; null when no step was noisy.
     */
    CaveatLine hostNoise() {
        List<String> runs = new ArrayList<>();
        double max = 0;
        for (RampRun r : results.ramps()) {
            List<RampRun.Step> noisy = r.noisySteps();
            if (noisy.isEmpty()) {
                continue;
            }
            double m = noisy.stream().mapToDouble(RampRun.Step::hostNoiseMaxPct).max().orElse(0);
            max = Math.max(max, m);
            runs.add(display(r.info()) + " (step" + (noisy.size() > 1 ? "s " : " ") + String.join(", ",
                    noisy.stream().map(s -> String.valueOf(s.step())).toList()) + "; up to "
                    + String.format(Locale.ROOT, "%.0f", m) + " %)");
        }
        if (runs.isEmpty()) {
            return null;
        }
        return new CaveatLine(Caveat.HOST_NOISE.id(), "Host noise", " in " + String.join("; ", runs) + ": processes"
                + " outside the benchmark used more than " + String.format(Locale.ROOT, "%.0f", HostNoise.THRESHOLD_PCT)
                + " % of the host's CPU in a second of those steps (at most " + String.format(Locale.ROOT, "%.0f", max)
                + " %), so their figures are suspect (marked in the step tables; seconds.csv has the share per"
                + " second in host_noise_pct).", false);
    }

    // ---- backends side by side ----------------------------------------------------------------------------

    /**
     * One column per backend the results hold (in palette order), one row per headline figure; null when no
     * run names a backend. With several runs of one backend, the first one read counts here (all show below).
     */
    Section backends() {
        Map<String, RampRun> dns = new LinkedHashMap<>();
        Map<String, RampRun> http = new LinkedHashMap<>();
        for (RampRun r : results.ramps()) {
            String b = r.info().backendName();
            if (b != null) {
                (r.protocol().equals("dns") ? dns : http).putIfAbsent(b, r);
            }
        }
        Map<String, BootRun.Summary> cold = new LinkedHashMap<>();
        for (BootRun r : results.boots()) {
            for (BootRun.Summary s : r.summary()) {
                if (s.kind().equals("cold")) {
                    cold.putIfAbsent(s.backend(), s);
                }
            }
        }
        Map<String, Footprint.Row> fp = new LinkedHashMap<>();
        for (Footprint f : results.footprints()) {
            for (Footprint.Row r : f.rows()) {
                if (r.service().equals("dns")) {
                    fp.putIfAbsent(r.backend(), r);
                }
            }
        }
        Set<String> names = new LinkedHashSet<>();
        names.addAll(dns.keySet());
        names.addAll(http.keySet());
        names.addAll(cold.keySet());
        names.addAll(fp.keySet());
        if (names.isEmpty()) {
            return null;
        }
        List<String> backends = new ArrayList<>(names);
        backends.forEach(palette::slot);
        backends.sort(Comparator.comparingInt(palette::slot));
        List<Cell> header = new ArrayList<>(List.of(head("")));
        for (String b : backends) {
            header.add(Cell.headSwatched(b, Palette.css(palette.slot(b))));
        }
        List<Row> rows = new ArrayList<>();
        if (!dns.isEmpty()) {
            rows.add(figureRow("DNS: max rate without loss (qps)", backends, b -> bestRate(dns.get(b))));
            rows.add(figureRow("DNS: p99 at that rate (ms)", backends, b -> bestP99(dns.get(b))));
        }
        if (!http.isEmpty()) {
            rows.add(figureRow("HTTP: max rate without loss (rps)", backends, b -> bestRate(http.get(b))));
            rows.add(figureRow("HTTP: p99 at that rate (ms)", backends, b -> bestP99(http.get(b))));
        }
        if (!cold.isEmpty()) {
            rows.add(figureRow("boot, " + service(cold.values()) + ": p50 (ms)", backends,
                    b -> cold.containsKey(b) ? dec(cold.get(b).p50Ms()) : "\u2014"));
            rows.add(figureRow("boot, " + service(cold.values()) + ": p90 (ms)", backends,
                    b -> cold.containsKey(b) ? dec(cold.get(b).p90Ms()) : "\u2014"));
        }
        if (!fp.isEmpty()) {
            rows.add(figureRow("DNS image (MiB)", backends,
                    b -> fp.containsKey(b) ? dec(fp.get(b).imageBytes() / Charts.MIB) : "\u2014"));
            rows.add(figureRow("DNS idle memory (MiB)", backends,
                    b -> fp.containsKey(b) ? dec(fp.get(b).idleRssBytes() / Charts.MIB) : "\u2014"));
        }
        boolean bothModes = results.ramps().stream().map(r -> r.info().networkMode()).filter(m -> m != null)
                .distinct().count() > 1;
        Table t = new Table("Headline figures per backend (details and every run below)." + (bothModes ? " The runs"
                + " come in two network modes: the first read of each backend counts here, and the forwarder-cost"
                + " table puts the modes side by side." : "") + " Max rate without loss:"
                + " the highest offered rate of a step that lost nothing, had no error and where the generator kept"
                + " its schedule; boot: cold boots (nothing else running), start call to first correct answer.",
                null, header, rows);
        return new Section("backends", "Backends side by side", List.of(), List.of(t), List.of(), List.of());
    }

    private static String service(java.util.Collection<BootRun.Summary> s) {
        Set<String> services = new LinkedHashSet<>();
        s.forEach(x -> services.add(x.service()));
        return String.join("/", services);
    }

    private interface Figureof {
        String of(String backend);
    }

    private static Row figureRow(String what, List<String> backends, Figureof f) {
        List<Cell> cells = new ArrayList<>(List.of(head(what)));
        for (String b : backends) {
            cells.add(num(f.of(b)));
        }
        return new Row(null, cells);
    }

    private static String bestRate(RampRun r) {
        if (r == null) {
            return "\u2014";
        }
        OptionalInt best = r.bestCleanStep();
        return best.isPresent() ? rate(r.steps().get(best.getAsInt()).offered()) : "none";
    }

    private static String bestP99(RampRun r) {
        if (r == null) {
            return "\u2014";
        }
        OptionalInt best = r.bestCleanStep();
        return best.isPresent() ? ms(r.steps().get(best.getAsInt()).p99Us()) : "\u2014";
    }

    // ---- forwarder cost: each backend through the forwarder and on a lab bridge ---------------------------

    static final String FORWARD = "forward";
    static final String LAB = "lab";

    /** What one backend measured in one network mode: the first run of each kind read counts. */
    private static final class ModeFigures {
        RampRun dns;
        RampRun http;
        BootRun.Summary cold;
        List<Double> plumbing = new ArrayList<>();
        String path;
    }

    /**
     * For each backend measured in both network modes (a {@code study --network both}, or runs of both
     * kinds given together): DNS and HTTP capacity, cold-boot p50 and its plumbing phase, forward vs lab,
     * and the path of each mode; null when no backend has both.
     */
    Section forwarderCost() {
        Map<String, Map<String, ModeFigures>> by = new LinkedHashMap<>();
        java.util.function.BiFunction<String, String, ModeFigures> at = (b, m) -> by
                .computeIfAbsent(b, k -> new LinkedHashMap<>()).computeIfAbsent(m, k -> new ModeFigures());
        for (RampRun r : results.ramps()) {
            String b = r.info().backendName();
            String m = r.info().networkMode();
            if (b == null || m == null) {
                continue;
            }
            ModeFigures f = at.apply(b, m);
            if (r.protocol().equals("dns") && f.dns == null) {
                f.dns = r;
            } else if (r.protocol().equals("http") && f.http == null) {
                f.http = r;
            }
            if (f.path == null) {
                f.path = r.info().networkPath(b);
            }
        }
        for (BootRun r : results.boots()) {
            String m = r.info().networkMode();
            if (m == null) {
                continue;
            }
            for (BootRun.Summary s : r.summary()) {
                if (s.kind().equals("cold")) {
                    ModeFigures f = at.apply(s.backend(), m);
                    if (f.cold == null) {
                        f.cold = s;
                        f.path = f.path == null ? r.info().networkPath(s.backend()) : f.path;
                        for (BootRun.Event e : r.events()) {
                            if (e.kind().equals("cold") && e.backend().equals(s.backend()) && e.ready()
                                    && !Double.isNaN(e.plumbingMs())) {
                                f.plumbing.add(e.plumbingMs());
                            }
                        }
                    }
                }
            }
        }
        List<String> backends = new ArrayList<>();
        by.forEach((b, modes) -> {
            if (modes.containsKey(FORWARD) && modes.containsKey(LAB)) {
                backends.add(b);
            }
        });
        if (backends.isEmpty()) {
            return null;
        }
        backends.forEach(palette::slot);
        backends.sort(Comparator.comparingInt(palette::slot));
        List<Cell> header = List.of(head("backend"), head("figure"), head("forward"), head("lab"), head("lab / forward"));
        List<Row> rows = new ArrayList<>();
        for (String b : backends) {
            ModeFigures f = by.get(b).get(FORWARD);
            ModeFigures l = by.get(b).get(LAB);
            List<List<Cell>> lines = new ArrayList<>();
            lines.add(List.of(text("network path"), text(shortPath(f.path)), text(shortPath(l.path)), text("")));
            if (f.dns != null || l.dns != null) {
                lines.add(capacityLine("DNS capacity (qps)", f.dns, l.dns));
            }
            if (f.http != null || l.http != null) {
                lines.add(capacityLine("HTTP capacity (rps)", f.http, l.http));
            }
            if (f.cold != null || l.cold != null) {
                double fp = f.cold == null ? Double.NaN : f.cold.p50Ms();
                double lp = l.cold == null ? Double.NaN : l.cold.p50Ms();
                lines.add(List.of(text("cold boot p50 (ms)"), num(dec(fp)), num(dec(lp)), num(ratio(lp, fp))));
                lines.add(List.of(text("\u2003of which network plumbing p50 (ms)"), num(dec(median(f.plumbing))),
                        num(dec(median(l.plumbing))), text("")));
            }
            for (int i = 0; i < lines.size(); i++) {
                List<Cell> cells = new ArrayList<>();
                cells.add(i == 0 ? Cell.swatched(b, Palette.css(palette.slot(b))) : text(""));
                cells.addAll(lines.get(i));
                rows.add(new Row(i == 0 ? "group" : null, cells));
            }
        }
        Table t = new Table("Each backend through the user-space port forwarder (forward: QEMU's slirp hostfwd,"
                + " docker-proxy) and on a lab bridge with the generator in the lab (no proxy), from the same results."
                + " Capacity: the highest answered rate of the steps held below the break point (in rate order,"
                + " within the run's --max-loss and --max-p99, the generator on schedule; as"
                + " network-comparison.csv); a ratio above 1 is what the forwarder costs. Cold boot: start call to"
                + " first correct answer with nothing else running; in lab mode it includes the plumbing (tap"
                + " creation, CNI ADD), shown on its own line.", null, header, rows);
        return new Section("forwarder", "Forwarder cost", List.of(), List.of(t), List.of(), List.of());
    }

    private static List<Cell> capacityLine(String what, RampRun forward, RampRun lab) {
        double f = forward == null ? Double.NaN : forward.capacity();
        double l = lab == null ? Double.NaN : lab.capacity();
        return List.of(text(what), num(capacityText(forward, f)), num(capacityText(lab, l)), num(ratio(l, f)));
    }

    private static String capacityText(RampRun r, double v) {
        return r == null ? "\u2014" : Double.isNaN(v) ? "none clean" : rate(v);
    }

    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "\u2014"
                : io.unibench.compare.CompareFormat.times(a / b) + "\u00d7";
    }

    private static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /**
     * A recorded network path in one or two words: {@code tap+bridge} and {@code veth+bridge} as they are,
     * a forwarder by name ({@code slirp}, {@code docker-proxy}), else the recorded text without its
     * {@code forward: } prefix; "not recorded" for null.
     */
    static String shortPath(String path) {
        if (path == null) {
            return "not recorded";
        }
        String p = path.toLowerCase(Locale.ROOT);
        if (p.contains("slirp")) {
            return "slirp";
        }
        if (p.contains("docker-proxy")) {
            return "docker-proxy";
        }
        if (p.contains("no proxy")) {
            return "loopback, no proxy";
        }
        return path.startsWith("forward: ") ? path.substring("forward: ".length()) : path;
    }

    // ---- DNS / HTTP ---------------------------------------------------------------------------------------

    Section ramp(String protocol, List<RampRun> runs) {
        String unit = runs.get(0).rateUnit();
        boolean services = runs.stream().anyMatch(r -> r.info().service() != null);
        List<Cell> header = new ArrayList<>(List.of(head("run")));
        if (services) {
            header.add(head("service"));
        }
        for (String h : List.of("accelerator", "steps", "highest offered (" + unit + ")",
                "max rate without loss (" + unit + ")", "p99 at that rate (ms)", "peak answered (" + unit + ")",
                "stop reason", "notes")) {
            header.add(head(h));
        }
        List<Row> rows = new ArrayList<>();
        for (RampRun r : runs) {
            double highest = r.steps().stream().mapToDouble(RampRun.Step::offered).max().orElse(Double.NaN);
            double peak = r.steps().stream().mapToDouble(RampRun.Step::completed).max().orElse(Double.NaN);
            List<String> notes = new ArrayList<>();
            if (r.info().interrupted()) {
                notes.add("interrupted: last step partial");
            }
            if (r.info().unfinished()) {
                notes.add("did not finish");
            }
            if (r.anySaturated()) {
                notes.add("generator saturated in " + r.steps().stream().filter(RampRun.Step::saturated).count()
                        + " step(s)");
            }
            if (r.steps().isEmpty()) {
                notes.add("no step recorded");
            }
            List<Cell> cells = new ArrayList<>(List.of(Cell.swatched(r.info().label(),
                    Palette.css(palette.slot(r.info().label())))));
            if (services) {
                cells.add(text(dash(r.info().service())));
            }
            cells.addAll(List.of(text(dash(r.info().accelerator())), num(r.steps().size()), num(rate(highest)),
                    num(bestRate(r)), num(bestP99(r)), num(rate(peak)), text(Charts.stopText(r)),
                    text(String.join("; ", notes))));
            rows.add(new Row(null, cells));
        }
        Table summary = new Table("Summary per run. Max rate without loss: the highest offered rate of a step that"
                + " lost nothing, had no error and where the generator kept its schedule.", null, header, rows);
        List<Table> tables = new ArrayList<>(List.of(summary));
        Table loss = lossLocation(protocol, runs);
        if (loss != null) {
            tables.add(loss);
        }
        List<Details> details = new ArrayList<>();
        for (RampRun r : runs) {
            boolean split = locates(protocol, r);
            boolean noise = r.steps().stream().anyMatch(s -> !Double.isNaN(s.hostNoiseMaxPct()));
            List<String> names = new ArrayList<>(List.of("step", "offered (" + unit + ")", "sent (" + unit + ")",
                    "answered (" + unit + ")", "lost %", "errors %"));
            if (split) {
                names.addAll(List.of("lost: client", "lost: path", "lost: server"));
            }
            names.addAll(List.of("p50 (ms)", "p90 (ms)", "p99 (ms)", "p99.9 (ms)", "max (ms)", "generator saturated"));
            if (noise) {
                names.add("host noise max %");
            }
            names.add("stop");
            List<Cell> h = new ArrayList<>();
            names.forEach(c -> h.add(head(c)));
            List<Row> steps = new ArrayList<>();
            for (RampRun.Step s : r.steps()) {
                List<Cell> cells = new ArrayList<>(List.of(num(s.step()), num(rate(s.offered())),
                        num(rate(s.achievedSend())), num(rate(s.completed())), num(pct(s.lossPct())),
                        num(pct(s.errorPct()))));
                if (split) {
                    RampRun.LossSplit ls = s.split();
                    cells.addAll(ls == null ? List.of(num("\u2014"), num("\u2014"), num("\u2014"))
                            : List.of(num(ls.client()), num(ls.path()), num(ls.server())));
                }
                cells.addAll(List.of(num(ms(s.p50Us())), num(ms(s.p90Us())), num(ms(s.p99Us())),
                        num(ms(s.p999Us())), num(ms(s.maxUs())), text(s.saturated() ? "yes" : "")));
                if (noise) {
                    cells.add(num(Double.isNaN(s.hostNoiseMaxPct()) ? "\u2014"
                            : String.format(Locale.ROOT, "%.1f", s.hostNoiseMaxPct()) + (s.noisy() ? " noisy" : "")));
                }
                cells.add(text(s.stopReason() == null ? "" : s.stopReason() + (s.stopDetail() == null
                        || s.stopDetail().isEmpty() ? "" : ": " + s.stopDetail())));
                steps.add(new Row(s.saturated() && s.noisy() ? "sat noisy" : s.saturated() ? "sat"
                        : s.noisy() ? "noisy" : null, cells));
            }
            details.add(new Details("All steps of " + r.info().label() + " (" + r.info().dir().resolve("steps.csv")
                    + ")", new Table(null, null, h, steps)));
        }
        return new Section(protocol, protocol.toUpperCase(Locale.ROOT), List.of(), tables,
                figures(protocol + "-"), details);
    }

    /** A ramp whose steps say (or could say) where queries were lost: DNS always, HTTP when a split was recorded. */
    private static boolean locates(String protocol, RampRun r) {
        return protocol.equals("dns") || r.steps().stream().anyMatch(s -> s.split() != null);
    }

    /**
     * Where the queries were lost at each run's first failing step ({@link RampRun#firstFailingStep}): in the
     * generator's sockets, on the path, in the server; null when no run failed a step.
     */
    Table lossLocation(String protocol, List<RampRun> runs) {
        String unit = runs.get(0).rateUnit();
        List<Row> rows = new ArrayList<>();
        for (RampRun r : runs) {
            OptionalInt first = r.firstFailingStep();
            if (first.isEmpty() || !locates(protocol, r)) {
                continue;
            }
            RampRun.Step s = r.steps().get(first.getAsInt());
            RampRun.LossSplit ls = s.split();
            List<Cell> cells = new ArrayList<>(List.of(Cell.swatched(r.info().label(),
                    Palette.css(palette.slot(r.info().label()))), num(s.step()), num(rate(s.offered())),
                    num(s.lost()), num(pct(s.lossPct()))));
            if (ls == null) {
                cells.addAll(List.of(num("\u2014"), num("\u2014"), num("\u2014"), text("not located: the server"
                        + " could not be asked (a foreign target, or it did not answer the stats query)")));
            } else {
                cells.addAll(List.of(num(ls.client()), num(ls.path()), num(ls.server()), text(where(ls, s.lost()))));
            }
            rows.add(new Row(null, cells));
        }
        if (rows.isEmpty()) {
            return null;
        }
        List<Cell> header = new ArrayList<>();
        for (String h : List.of("run", "first failing step", "offered (" + unit + ")", "lost", "lost %", "client",
                "path", "server", "where")) {
            header.add(head(h));
        }
        return new Table("Where the queries were lost, at each run's first failing step (the first whose lost and"
                + " failed share exceeded the run's --max-loss). Client: answers the generator's own sockets dropped"
                + " unread; path: sent and never received by the server, or answered and never delivered (the"
                + " forwarder, the bridge, the chain); server: received and not answered, or dropped at its full"
                + " receive buffer. From the server's own counters (stats.unibench. CH TXT); every step's split is"
                + " in the step tables below.", null, header, rows);
    }

    /** The largest share of a step's loss in words. */
    private static String where(RampRun.LossSplit ls, long lost) {
        if (lost <= 0) {
            return "nothing lost (failed answers only)";
        }
        long most = Math.max(ls.client(), Math.max(ls.path(), ls.server()));
        String name = most == ls.server() ? "server" : most == ls.path() ? "path" : "client";
        return String.format(Locale.ROOT, "mostly %s (%.0f %%)", name, 100.0 * most / lost);
    }

    // ---- boot ---------------------------------------------------------------------------------------------

    Section boot() {
        List<Cell> header = new ArrayList<>();
        for (String h : List.of("run", "kind", "backend", "service", "running instances", "count", "failures", "min",
                "p10", "p50", "mean", "p90", "p99", "max", "stddev")) {
            header.add(head(h));
        }
        List<Row> rows = new ArrayList<>();
        for (BootRun r : results.boots()) {
            for (BootRun.Summary s : r.summary()) {
                rows.add(new Row(null, List.of(text(r.info().label()), text(s.kind()),
                        Cell.swatched(s.backend(), Palette.css(palette.slot(s.backend()))), text(s.service()),
                        num(s.runningInstances()), num(s.count()), num(s.failures()), num(dec(s.minMs())),
                        num(dec(s.p10Ms())), num(dec(s.p50Ms())), num(dec(s.meanMs())), num(dec(s.p90Ms())),
                        num(dec(s.p99Ms())), num(dec(s.maxMs())), num(dec(s.stddevMs())))));
            }
        }
        List<Table> tables = new ArrayList<>(List.of(new Table("From boot-summary.csv (ms).", null, header, rows)));
        Table breakdown = bootBreakdown();
        if (breakdown != null) {
            tables.add(breakdown);
        }
        Table load = hostLoad();
        if (load != null) {
            tables.add(load);
        }
        return new Section("boot", "Boot", List.of("Boot time runs from just before the start call to the first"
                + " correct application answer (not a TCP connect)."), tables, figures("boot-"), List.of());
    }

    /**
     * Where the boot time went: per run, kind, backend and instance count, the median of each phase of the ready
     * boots that have a breakdown ({@link BootRun.Event#phases()}); null when no boot has one.
     */
    Table bootBreakdown() {
        List<Cell> header = new ArrayList<>();
        for (String h : List.of("run", "kind", "backend", "running instances", "boots", "start \u2192 entry",
                "entry \u2192 clock", "clock \u2192 devices", "devices \u2192 service", "service \u2192 answer",
                "answer")) {
            header.add(head(h));
        }
        List<Row> rows = new ArrayList<>();
        for (BootRun r : results.boots()) {
            Map<String, List<BootRun.Event>> groups = new LinkedHashMap<>();
            for (BootRun.Event e : r.events()) {
                if (e.ready() && !Double.isNaN(e.guestEntryMs())) {
                    groups.computeIfAbsent(e.kind() + "\u0000" + e.backend() + "\u0000" + e.runningInstances(),
                            k -> new ArrayList<>()).add(e);
                }
            }
            for (List<BootRun.Event> g : groups.values()) {
                BootRun.Event first = g.get(0);
                List<Cell> cells = new ArrayList<>(List.of(text(r.info().label()), text(first.kind()),
                        Cell.swatched(first.backend(), Palette.css(palette.slot(first.backend()))),
                        num(first.runningInstances()), num(g.size())));
                for (int i = 0; i < 5; i++) {
                    int phase = i;
                    cells.add(num(dec(median(g.stream().mapToDouble(e -> e.phases()[phase])))));
                }
                cells.add(num(dec(median(g.stream().mapToDouble(BootRun.Event::answerMs)))));
                rows.add(new Row(null, cells));
            }
        }
        if (rows.isEmpty()) {
            return null;
        }
        return new Table("Boot breakdown, medians (ms) from boot-events.csv; medians of phases need not add up to"
                + " the median answer. Start \u2192 entry is on the host clock: for a unikernel QEMU's own start"
                + " (spawn, machine set-up, firmware, kernel load), placed through its ready line (watched every"
                + " 1 ms); for a container the runtime's work until its process started. The guest's own steps"
                + " are on its TSC (its boot stamps); service \u2192 answer is the rest, up to the first correct"
                + " answer on the host. \u2014: not known for that backend.", null, header, rows);
    }

    /** The median of the values that are not NaN; NaN when there are none. */
    static double median(java.util.stream.DoubleStream values) {
        double[] v = values.filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Mean and peak host CPU and memory per backend and instance count, from host-load.csv; null without any. */
    Table hostLoad() {
        if (results.boots().stream().allMatch(r -> r.hostLoad().isEmpty())) {
            return null;
        }
        List<Cell> header = new ArrayList<>();
        for (String h : List.of("run", "backend", "running instances", "samples", "CPU mean (%)", "CPU max (%)",
                "memory used mean (GiB)", "memory used max (GiB)")) {
            header.add(head(h));
        }
        List<Row> rows = new ArrayList<>();
        for (BootRun r : results.boots()) {
            Map<String, List<BootRun.HostLoad>> groups = new TreeMap<>();
            for (BootRun.HostLoad h : r.hostLoad()) {
                groups.computeIfAbsent(h.backend() + "\u0000" + String.format(Locale.ROOT, "%09d", h.runningInstances()),
                        k -> new ArrayList<>()).add(h);
            }
            for (List<BootRun.HostLoad> g : groups.values()) {
                DoubleSummaryStatistics cpu = g.stream().mapToDouble(BootRun.HostLoad::cpuPct)
                        .filter(v -> !Double.isNaN(v)).summaryStatistics();
                DoubleSummaryStatistics mem = g.stream().mapToDouble(BootRun.HostLoad::memUsedBytes)
                        .filter(v -> !Double.isNaN(v)).summaryStatistics();
                rows.add(new Row(null, List.of(text(r.info().label()), text(g.get(0).backend()),
                        num(g.get(0).runningInstances()), num(g.size()),
                        num(cpu.getCount() == 0 ? "\u2014" : dec(cpu.getAverage())),
                        num(cpu.getCount() == 0 ? "\u2014" : dec(cpu.getMax())),
                        num(mem.getCount() == 0 ? "\u2014" : dec(mem.getAverage() / GIB)),
                        num(mem.getCount() == 0 ? "\u2014" : dec(mem.getMax() / GIB)))));
            }
        }
        return new Table("Host load while the instances ran (from host-load.csv).", null, header, rows);
    }

    // ---- footprint ----------------------------------------------------------------------------------------

    Section footprint() {
        List<Cell> header = new ArrayList<>();
        for (String h : List.of("from", "service", "backend", "image (MiB)", "given memory (MiB)", "idle RSS (MiB)",
                "idle CPU (% of a core)")) {
            header.add(head(h));
        }
        List<Row> rows = new ArrayList<>();
        for (Footprint f : results.footprints()) {
            for (Footprint.Row r : f.rows()) {
                rows.add(new Row(null, List.of(text(f.label()), text(r.service()),
                        Cell.swatched(r.backend(), Palette.css(palette.slot(r.backend()))),
                        num(dec(r.imageBytes() / Charts.MIB)), num(dec(r.guestMemoryBytes() / Charts.MIB)),
                        num(dec(r.idleRssBytes() / Charts.MIB)), num(dec(r.idleCpuPct())))));
            }
        }
        return new Section("footprint", "Footprint", List.of(), List.of(new Table("From footprint.csv. Given memory:"
                + " what the VM or container was allowed.", null, header, rows)), figures("footprint-"), List.of());
    }

    private List<Figure> figures(String idPrefix) {
        List<Figure> out = new ArrayList<>();
        for (Map.Entry<ChartSpec, ChartRenderer.Images> e : images.entrySet()) {
            ChartSpec c = e.getKey();
            if (c.id().startsWith(idPrefix)) {
                out.add(new Figure(c.id(), c.title(), c.caption(), Base64.getEncoder().encodeToString(e.getValue().png()),
                        ChartRenderer.WIDTH));
            }
        }
        return out;
    }

    // ---- metadata -----------------------------------------------------------------------------------------

    private List<RunInfo> allRuns() {
        List<RunInfo> all = new ArrayList<>();
        results.ramps().forEach(r -> all.add(r.info()));
        results.boots().forEach(r -> all.add(r.info()));
        return all;
    }

    private List<RunInfo> allWithStudies() {
        List<RunInfo> all = new ArrayList<>(results.studies());
        all.addAll(allRuns());
        return all;
    }

    /** Keys shown in their own rows or sections; the rest of run.json is listed as it is. */
    private static final List<String> SHOWN = List.of(RunMetadata.STATUS, RunMetadata.STOP_REASON,
            RunMetadata.STOP_DETAIL, RunMetadata.START_UTC, RunMetadata.END_UTC, RunMetadata.BACKEND,
            RunMetadata.SERVICE, RunMetadata.ACCELERATOR, RunMetadata.PROFILE, RunMetadata.GENERATOR);

    Page.Runs runs() {
        List<RunInfo> all = allWithStudies();
        Set<String> hosts = new LinkedHashSet<>();
        Set<String> versions = new LinkedHashSet<>();
        for (RunInfo r : all) {
            hosts.add(host(r));
            versions.add(version(r));
        }
        boolean oneHost = hosts.size() == 1;
        boolean oneVersion = versions.size() == 1;
        List<Cell> header = new ArrayList<>();
        for (String h : List.of("run", "benchmark", "status", "stop reason", "start (UTC)", "end (UTC)",
                "accelerator")) {
            header.add(head(h));
        }
        if (!oneHost) {
            header.add(head("host"));
        }
        if (!oneVersion) {
            header.add(head("unibench"));
        }
        List<Row> rows = new ArrayList<>();
        List<Details> details = new ArrayList<>();
        for (RunInfo r : all) {
            List<Cell> cells = new ArrayList<>(List.of(text(r.label() == null ? ResultsReader.name(r.dir()) : r.label()),
                    text(r.benchmark()), text(dash(r.status())), text(dash(r.stopReason())),
                    text(time(r.text(RunMetadata.START_UTC))), text(time(r.text(RunMetadata.END_UTC))),
                    text(dash(r.accelerator()))));
            if (!oneHost) {
                cells.add(text(host(r)));
            }
            if (!oneVersion) {
                cells.add(text(version(r)));
            }
            rows.add(new Row(null, cells));
            List<Row> kv = new ArrayList<>();
            kv.add(kv("folder", Cell.code(r.dir().toString())));
            for (String key : SHOWN) {
                if (r.text(key) != null) {
                    kv.add(kv(key, text(r.text(key))));
                }
            }
            JsonNode ub = r.path(RunMetadata.UNIBENCH);
            if (!ub.isMissingNode()) {
                kv.add(kv("unibench", text(ub.path("version").asText("?") + ", commit "
                        + ub.path("git_commit").asText("?"))));
            }
            JsonNode h = r.path(RunMetadata.HOST);
            if (!h.isMissingNode()) {
                kv.add(kv("host", text(h.path("cpu_model").asText("?") + ", " + h.path("cores").asText("?")
                        + " cores, " + gib(h.path("memory_bytes")) + ", kernel " + h.path("kernel").asText("?") + ", "
                        + h.path("os").asText("?") + ", " + h.path("java").asText("?"))));
            }
            object(kv, "tool", r.path(RunMetadata.TOOLS));
            object(kv, "parameter", r.path(RunMetadata.PARAMETERS));
            Set<String> shown = new LinkedHashSet<>(SHOWN);
            shown.addAll(List.of(RunMetadata.BENCHMARK, RunMetadata.UNIBENCH, RunMetadata.HOST, RunMetadata.TOOLS,
                    RunMetadata.PARAMETERS, RunMetadata.COMMAND_LINE, RunMetadata.CAVEATS));
            if (r.meta() != null) {
                r.meta().properties().forEach(e -> {
                    if (!shown.contains(e.getKey()) && !e.getValue().isNull()) {
                        kv.add(kv(e.getKey(), Cell.code(e.getValue().isValueNode() ? e.getValue().asText()
                                : e.getValue().toString())));
                    }
                });
            }
            details.add(new Details(display(r) + ": everything in run.json", new Table(null, "kv", List.of(), kv)));
        }
        return new Page.Runs(oneHost ? hosts.iterator().next() : null, oneVersion ? versions.iterator().next() : null,
                new Table(null, null, header, rows), details);
    }

    private static Row kv(String key, Cell value) {
        return new Row(null, List.of(head(key), value));
    }

    private static void object(List<Row> kv, String prefix, JsonNode n) {
        if (n.isObject()) {
            n.properties().forEach(e -> kv.add(kv(prefix + " " + e.getKey(),
                    Cell.code(e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()))));
        }
    }

    List<Command> reproduce() {
        List<Command> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (RunInfo r : allWithStudies()) {
            List<String> cl = r.commandLine();
            if (!cl.isEmpty() && seen.add(shell(cl))) {
                out.add(new Command(display(r), shell(cl)));
            }
        }
        if (!command.isEmpty()) {
            out.add(new Command("this report", shell(command)));
        }
        return out;
    }

    /** A run's name with its benchmark, e.g. "DNS qemu"; a study by its folder name. */
    static String display(RunInfo r) {
        if (r.label() == null) {
            return ResultsReader.name(r.dir());
        }
        String bench = r.benchmark() == null ? "" : r.benchmark().length() <= 4
                ? r.benchmark().toUpperCase(Locale.ROOT) : r.benchmark();
        return r.label().toLowerCase(Locale.ROOT).startsWith(bench.toLowerCase(Locale.ROOT)) ? r.label()
                : bench + " " + r.label();
    }

    private static String host(RunInfo r) {
        JsonNode h = r.path(RunMetadata.HOST);
        return h.isMissingNode() ? "not recorded" : h.path("cpu_model").asText("?") + ", " + h.path("cores").asText("?")
                + " cores, " + gib(h.path("memory_bytes")) + ", kernel " + h.path("kernel").asText("?");
    }

    private static String version(RunInfo r) {
        JsonNode ub = r.path(RunMetadata.UNIBENCH);
        return ub.isMissingNode() ? "not recorded" : ub.path("version").asText("?") + ", commit "
                + abbrev(ub.path("git_commit").asText("?"));
    }

    /** 2026-11-29T12:00:00.123Z as 2026-11-29 12:00:00. */
    private static String time(String iso) {
        if (iso == null) {
            return "\u2014";
        }
        String t = iso.replace('T', ' ').replace("Z", "");
        int dot = t.indexOf('.');
        return dot > 0 ? t.substring(0, dot) : t;
    }

    private static String abbrev(String commit) {
        return commit.length() > 12 && commit.matches("[0-9a-f]{12}.*") ? commit.substring(0, 12)
                + (commit.endsWith("-dirty") ? "-dirty" : "") : commit;
    }

    // ---- number formats -----------------------------------------------------------------------------------

    private static String dash(String s) {
        return s == null ? "\u2014" : s;
    }

    static String rate(double v) {
        return Double.isNaN(v) ? "\u2014" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String ms(double us) {
        return Double.isNaN(us) ? "\u2014" : sig(us / 1000.0);
    }

    static String dec(double v) {
        return Double.isNaN(v) ? "\u2014" : sig(v);
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "\u2014" : v == 0 ? "0" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Three significant digits, no exponent: 0.0612, 1.25, 12.5, 1,250. */
    static String sig(double v) {
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1 || a == 0) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        int decimals = Math.min(6, 2 - (int) Math.floor(Math.log10(a)));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String gib(JsonNode bytes) {
        return bytes.isNumber() && bytes.asLong() > 0
                ? String.format(Locale.ROOT, "%.1f GiB RAM", bytes.asLong() / GIB) : "? RAM";
    }

    /** A command line a POSIX shell reads back as the same arguments. */
    static String shell(List<String> args) {
        List<String> q = new ArrayList<>();
        for (String a : args) {
            q.add(!a.isEmpty() && SAFE_ARG.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", q);
    }

    /**
     * The deployed topologies the runs were measured through (run.json's {@code topology}, written by a
     * benchmark run from a topology's client), one drawing each; null when no run was.
     */
    private Section topologies() {
        Map<String, Diagram> seen = new java.util.LinkedHashMap<>();
        for (RampRun r : results.ramps()) {
            com.fasterxml.jackson.databind.JsonNode t = r.info().meta().path(io.unibench.deploy.topology.Topologies.RUN_JSON_KEY);
            if (!t.isObject() || seen.containsKey(t.path("lab").asText())) {
                continue;
            }
            Diagram d = diagram(t);
            if (d != null) {
                seen.put(t.path("lab").asText(), d);
            }
        }
        if (seen.isEmpty()) {
            return null;
        }
        return new Section("topology", "Topology", List.of("The runs below went from the client through the firewall "
                + "and the router to the DMZ: the address plan and services as deployed."), List.of(), List.of(),
                List.of(), List.copyOf(seen.values()));
    }

    /** The drawing of one run.json topology section, null when it cannot be read. */
    static Diagram diagram(com.fasterxml.jackson.databind.JsonNode t) {
        try {
            io.unibench.deploy.topology.TopologyPlan plan = io.unibench.deploy.topology.TopologyPlan.parse(t.path("plan").asText());
            String lab = t.path("lab").asText();
            String svg = io.unibench.deploy.topology.TopologyDiagram.svg(plan, t.path("backend").asText(), lab, null);
            return new Diagram("topology-" + lab, "topology " + lab, "Lab " + lab + " (" + t.path("backend").asText()
                    + "): " + t.path("path").asText() + ".", Base64.getEncoder().encodeToString(
                    svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
