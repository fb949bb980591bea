package io.unibench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.results.RunMetadata;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The report page: one HTML file with the charts embedded (PNG data URIs, with links to the SVG and PNG
 * files beside it), summary tables, caveats, run metadata and the commands to reproduce. Plain HTML and a
 * little CSS; no scripts.
 */
final class HtmlReport {
    private static final Pattern SAFE_ARG = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private final ResultSet results;
    private final Map<ChartSpec, ChartRenderer.Images> images;
    private final List<String> command;
    private final Instant now;
    private final StringBuilder b = new StringBuilder();

    HtmlReport(ResultSet results, Map<ChartSpec, ChartRenderer.Images> images, List<String> command, Instant now) {
        this.results = results;
        this.images = images;
        this.command = command;
        this.now = now;
    }

    String html() {
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>unibench report</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        b.append("<h1>unibench report</h1>\n<p class=\"sub\">Generated ").append(esc(now.toString()))
                .append(" by unibench ").append(esc(RunMetadata.Version.VERSION)).append(" from ");
        List<String> in = new ArrayList<>();
        for (Path p : results.inputs()) {
            in.add("<code>" + esc(p.toString()) + "</code>");
        }
        b.append(String.join(", ", in)).append(".</p>\n");
        nav();
        caveats();
        for (String protocol : List.of("dns", "http")) {
            List<RampRun> runs = results.ramps(protocol);
            if (!runs.isEmpty()) {
                ramp(protocol, runs);
            }
        }
        if (!results.boots().isEmpty()) {
            boot();
        }
        if (!results.footprints().isEmpty()) {
            footprint();
        }
        runs();
        reproduce();
        b.append("</body>\n</html>\n");
        return b.toString();
    }

    private void nav() {
        b.append("<nav>Contents: <a href=\"#caveats\">caveats</a>");
        if (!results.ramps("dns").isEmpty()) {
            b.append(" · <a href=\"#dns\">DNS</a>");
        }
        if (!results.ramps("http").isEmpty()) {
            b.append(" · <a href=\"#http\">HTTP</a>");
        }
        if (!results.boots().isEmpty()) {
            b.append(" · <a href=\"#boot\">boot</a>");
        }
        if (!results.footprints().isEmpty()) {
            b.append(" · <a href=\"#footprint\">footprint</a>");
        }
        b.append(" · <a href=\"#runs\">run metadata</a> · <a href=\"#reproduce\">reproduce</a></nav>\n");
    }

    // ---- caveats -------------------------------------------------------------------------------------------

    private void caveats() {
        b.append("<section id=\"caveats\" class=\"caveats\">\n<h2>Caveats: read before comparing</h2>\n<ul>\n");
        List<RunInfo> all = allRuns();
        List<String> kvm = new ArrayList<>();
        List<String> tcg = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (RunInfo r : all) {
            String acc = r.accelerator();
            if (!r.involvesQemu()) {
                continue;
            }
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
            li("<strong>Accelerator: TCG</strong> (software emulation, no KVM) for " + list(tcg) + ". Unikernel"
                    + " figures from TCG say little about QEMU/KVM on real hardware.");
        }
        if (!kvm.isEmpty()) {
            li("Accelerator: KVM for " + list(kvm) + ". Under nested or paravirtual KVM (a cloud VM) exits are"
                    + " far costlier than on bare metal; note the host before generalising.");
        }
        if (!unknown.isEmpty()) {
            li("Accelerator not recorded for " + list(unknown) + ".");
        }
        if (kvm.isEmpty() && tcg.isEmpty() && unknown.isEmpty()) {
            li("No run involved QEMU, so no accelerator applies.");
        }
        Set<String> recorded = new LinkedHashSet<>();
        for (RunInfo r : allWithStudies()) {
            JsonNode c = r.path("caveats");
            if (c.isArray()) {
                c.forEach(x -> recorded.add(x.asText()));
            } else if (c.isTextual()) {
                recorded.add(c.asText());
            }
        }
        // a caveat the runs recorded themselves replaces the generic one about the same thing
        boolean recordedForwarder = recorded.stream().anyMatch(c -> c.contains("port forwarder"));
        boolean recordedCores = recorded.stream().anyMatch(c -> c.contains("cores"));
        boolean backends = all.stream().anyMatch(r -> "qemu".equals(r.backendName()) || "docker".equals(r.backendName()))
                || !results.studies().isEmpty() || !results.boots().isEmpty();
        for (String c : recorded) {
            li(esc(c) + " <span class=\"files\">(recorded by the run)</span>");
        }
        if (!recordedForwarder && backends) {
            li("Traffic reaches both backends through a <strong>user-space port forwarder</strong>: QEMU's slirp"
                    + " <code>hostfwd</code> for the unikernels and <code>docker-proxy</code> for the containers."
                    + " Absolute latencies and peak rates include that forwarder; compare the backends with each"
                    + " other rather than with bare-metal figures.");
        } else if (!recordedForwarder) {
            li("These runs name no backend (a bench against a <code>--target</code>). If the target was a unikernel"
                    + " or container published on a host port, traffic went through a <strong>user-space port"
                    + " forwarder</strong> (QEMU's slirp <code>hostfwd</code> or <code>docker-proxy</code>) and the"
                    + " latencies include it.");
        }
        Set<String> cores = new LinkedHashSet<>();
        Set<String> cpus = new LinkedHashSet<>();
        for (RunInfo r : all) {
            JsonNode h = r.path("host");
            if (h.has("cores")) {
                cores.add(h.path("cores").asText());
            }
            if (h.has("cpu_model")) {
                cpus.add(h.path("cpu_model").asText());
            }
        }
        if (!recordedCores) {
            li("The load generator (or boot prober) and the services run on the same host" + (cores.size() == 1
                    ? " (" + esc(cores.iterator().next()) + " cores)" : "") + " and compete for its CPUs.");
        }
        if (cpus.size() > 1 || cores.size() > 1) {
            li("<strong>The runs come from different hosts</strong> (" + esc(String.join("; ", cpus)) + "):"
                    + " differences between them may be the machine, not the backend.");
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
                saturated.add(esc(display(r.info())) + " (step"
                        + (steps.size() > 1 ? "s " : " ") + String.join(", ", steps) + ")");
            }
        }
        if (saturated.isEmpty()) {
            if (!results.ramps().isEmpty()) {
                li("The load generator kept its schedule in every step (no step is marked generator-saturated).");
            }
        } else {
            li("<strong>Generator saturation</strong> in " + String.join("; ", saturated) + ": the load generator"
                    + " could not send at the offered rate, so those steps measure the client, not the server"
                    + " (black crosses in the charts).");
        }
        for (RunInfo st : results.studies()) {
            // a study draws its report before it records how it ended, so "running" is normal here
            if (st.interrupted() || "failed".equals(st.status())) {
                li("<strong>The study " + esc(ResultsReader.name(st.dir())) + " did not complete</strong> ("
                        + esc(st.status() + (st.stopDetail() == null ? "" : ": " + st.stopDetail())) + "): the"
                        + " runs below are what it measured; runs it had not started are missing.");
            }
        }
        for (BootRun r : results.boots()) {
            if (r.summary().isEmpty()) {
                li(esc(display(r.info())) + " has no boot-summary.csv (cut short before writing it): only its"
                        + " individual boots are shown.");
            }
        }
        for (RunInfo r : all) {
            if (r.interrupted()) {
                li("<strong>" + esc(display(r)) + " was interrupted</strong> (Ctrl-C): its last step is partial;"
                        + " everything before it is complete.");
            } else if (r.unfinished()) {
                li("<strong>" + esc(display(r)) + " did not finish</strong>: run.json still says running (the"
                        + " process was killed); the rows present are what was measured.");
            }
        }
        b.append("</ul>\n</section>\n");
    }

    // ---- DNS / HTTP -----------------------------------------------------------------------------------------

    private void ramp(String protocol, List<RampRun> runs) {
        String unit = runs.get(0).rateUnit();
        b.append("<section id=\"").append(protocol).append("\">\n<h2>").append(protocol.toUpperCase(Locale.ROOT))
                .append("</h2>\n");
        boolean services = runs.stream().anyMatch(r -> r.info().service() != null);
        b.append("<table>\n<caption>Summary per run. Max rate without loss: the highest offered rate of a step that lost nothing, had no error and where the generator kept its schedule.</caption>\n<tr>")
                .append(th("run")).append(services ? th("service") : "").append(th("accelerator", "steps", "highest offered (" + unit + ")",
                        "max rate without loss (" + unit + ")", "p99 at that rate (ms)", "peak answered (" + unit + ")",
                        "stop reason", "notes")).append("</tr>\n");
        for (RampRun r : runs) {
            OptionalInt best = r.bestCleanStep();
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
            b.append("<tr>").append(td(r.info().label())).append(services ? td(dash(r.info().service())) : "")
                    .append(td(dash(r.info().accelerator()))).append(num(r.steps().size()))
                    .append(num(rate(highest)))
                    .append(num(best.isPresent() ? rate(r.steps().get(best.getAsInt()).offered()) : "none"))
                    .append(num(best.isPresent() ? ms(r.steps().get(best.getAsInt()).p99Us()) : "\u2014"))
                    .append(num(rate(peak))).append(td(Charts.stopText(r))).append(td(String.join("; ", notes)))
                    .append("</tr>\n");
        }
        b.append("</table>\n");
        for (Map.Entry<ChartSpec, ChartRenderer.Images> e : images.entrySet()) {
            if (e.getKey().id().startsWith(protocol + "-")) {
                figure(e.getKey(), e.getValue());
            }
        }
        for (RampRun r : runs) {
            b.append("<details>\n<summary>All steps of ").append(esc(r.info().label())).append(" (")
                    .append(esc(r.info().dir().resolve("steps.csv").toString())).append(")</summary>\n<table>\n<tr>")
                    .append(th("step", "offered (" + unit + ")", "sent (" + unit + ")", "answered (" + unit + ")",
                            "lost %", "errors %", "p50 (ms)", "p90 (ms)", "p99 (ms)", "p99.9 (ms)", "max (ms)",
                            "generator saturated", "stop"))
                    .append("</tr>\n");
            for (RampRun.Step s : r.steps()) {
                b.append(s.saturated() ? "<tr class=\"sat\">" : "<tr>").append(num(s.step())).append(num(rate(s.offered())))
                        .append(num(rate(s.achievedSend()))).append(num(rate(s.completed())))
                        .append(num(pct(s.lossPct()))).append(num(pct(s.errorPct()))).append(num(ms(s.p50Us())))
                        .append(num(ms(s.p90Us()))).append(num(ms(s.p99Us()))).append(num(ms(s.p999Us())))
                        .append(num(ms(s.maxUs()))).append(td(s.saturated() ? "yes" : ""))
                        .append(td(s.stopReason() == null ? "" : s.stopReason()
                                + (s.stopDetail() == null || s.stopDetail().isEmpty() ? "" : ": " + s.stopDetail())))
                        .append("</tr>\n");
            }
            b.append("</table>\n</details>\n");
        }
        b.append("</section>\n");
    }

    // ---- boot ---------------------------------------------------------------------------------------------------

    private void boot() {
        b.append("<section id=\"boot\">\n<h2>Boot</h2>\n<p>Boot time runs from just before the start call to the"
                + " first correct application answer (not a TCP connect).</p>\n");
        b.append("<table>\n<caption>From boot-summary.csv (ms).</caption>\n<tr>")
                .append(th("run", "kind", "backend", "service", "running instances", "count", "failures", "min",
                        "p10", "p50", "mean", "p90", "p99", "max", "stddev")).append("</tr>\n");
        for (BootRun r : results.boots()) {
            for (BootRun.Summary s : r.summary()) {
                b.append("<tr>").append(td(r.info().label())).append(td(s.kind())).append(td(s.backend()))
                        .append(td(s.service())).append(num(s.runningInstances())).append(num(s.count()))
                        .append(num(s.failures())).append(num(dec(s.minMs()))).append(num(dec(s.p10Ms())))
                        .append(num(dec(s.p50Ms()))).append(num(dec(s.meanMs()))).append(num(dec(s.p90Ms())))
                        .append(num(dec(s.p99Ms()))).append(num(dec(s.maxMs()))).append(num(dec(s.stddevMs())))
                        .append("</tr>\n");
            }
        }
        b.append("</table>\n");
        hostLoad();
        for (Map.Entry<ChartSpec, ChartRenderer.Images> e : images.entrySet()) {
            if (e.getKey().id().startsWith("boot-")) {
                figure(e.getKey(), e.getValue());
            }
        }
        b.append("</section>\n");
    }

    /** Mean and peak host CPU and memory per backend and instance count, from host-load.csv. */
    private void hostLoad() {
        boolean any = results.boots().stream().anyMatch(r -> !r.hostLoad().isEmpty());
        if (!any) {
            return;
        }
        b.append("<table>\n<caption>Host load while the instances ran (from host-load.csv).</caption>\n<tr>")
                .append(th("run", "backend", "running instances", "samples", "CPU mean (%)", "CPU max (%)",
                        "memory used mean (GiB)", "memory used max (GiB)")).append("</tr>\n");
        for (BootRun r : results.boots()) {
            Map<String, List<BootRun.HostLoad>> groups = new java.util.TreeMap<>();
            for (BootRun.HostLoad h : r.hostLoad()) {
                groups.computeIfAbsent(h.backend() + "\u0000" + String.format(Locale.ROOT, "%09d", h.runningInstances()),
                        k -> new ArrayList<>()).add(h);
            }
            for (List<BootRun.HostLoad> g : groups.values()) {
                java.util.DoubleSummaryStatistics cpu = g.stream().mapToDouble(BootRun.HostLoad::cpuPct)
                        .filter(v -> !Double.isNaN(v)).summaryStatistics();
                java.util.DoubleSummaryStatistics mem = g.stream().mapToDouble(BootRun.HostLoad::memUsedBytes)
                        .filter(v -> !Double.isNaN(v)).summaryStatistics();
                double gib = 1024.0 * 1024 * 1024;
                b.append("<tr>").append(td(r.info().label())).append(td(g.get(0).backend()))
                        .append(num(g.get(0).runningInstances())).append(num(g.size()))
                        .append(num(cpu.getCount() == 0 ? "\u2014" : dec(cpu.getAverage())))
                        .append(num(cpu.getCount() == 0 ? "\u2014" : dec(cpu.getMax())))
                        .append(num(mem.getCount() == 0 ? "\u2014" : dec(mem.getAverage() / gib)))
                        .append(num(mem.getCount() == 0 ? "\u2014" : dec(mem.getMax() / gib))).append("</tr>\n");
            }
        }
        b.append("</table>\n");
    }

    // ---- footprint ----------------------------------------------------------------------------------------------

    private void footprint() {
        b.append("<section id=\"footprint\">\n<h2>Footprint</h2>\n<table>\n<caption>From footprint.csv."
                + " Given memory: what the VM or container was allowed.</caption>\n<tr>")
                .append(th("from", "service", "backend", "image (MiB)", "given memory (MiB)", "idle RSS (MiB)",
                        "idle CPU (% of a core)")).append("</tr>\n");
        for (Footprint f : results.footprints()) {
            for (Footprint.Row r : f.rows()) {
                b.append("<tr>").append(td(f.label())).append(td(r.service())).append(td(r.backend()))
                        .append(num(dec(r.imageBytes() / Charts.MIB))).append(num(dec(r.guestMemoryBytes() / Charts.MIB)))
                        .append(num(dec(r.idleRssBytes() / Charts.MIB))).append(num(dec(r.idleCpuPct())))
                        .append("</tr>\n");
            }
        }
        b.append("</table>\n");
        for (Map.Entry<ChartSpec, ChartRenderer.Images> e : images.entrySet()) {
            if (e.getKey().id().startsWith("footprint-")) {
                figure(e.getKey(), e.getValue());
            }
        }
        b.append("</section>\n");
    }

    private void figure(ChartSpec c, ChartRenderer.Images img) {
        b.append("<figure id=\"").append(esc(c.id())).append("\">\n<img src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(img.png())).append("\" alt=\"").append(esc(c.title()))
                .append("\" width=\"").append(ChartRenderer.WIDTH).append("\">\n<figcaption>")
                .append(esc(c.caption())).append(" <span class=\"files\">Files: <a href=\"").append(esc(c.id()))
                .append(".svg\">").append(esc(c.id())).append(".svg</a>, <a href=\"").append(esc(c.id()))
                .append(".png\">").append(esc(c.id())).append(".png</a></span></figcaption>\n</figure>\n");
    }

    // ---- metadata --------------------------------------------------------------------------------------------

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

    private void runs() {
        List<RunInfo> all = new ArrayList<>(results.studies());
        all.addAll(allRuns());
        Set<String> hosts = new LinkedHashSet<>();
        Set<String> versions = new LinkedHashSet<>();
        for (RunInfo r : all) {
            hosts.add(host(r));
            versions.add(version(r));
        }
        boolean oneHost = hosts.size() == 1;
        boolean oneVersion = versions.size() == 1;
        b.append("<section id=\"runs\">\n<h2>Run metadata</h2>\n");
        if (oneHost) {
            b.append("<p>Host of every run: ").append(esc(hosts.iterator().next())).append(".</p>\n");
        }
        if (oneVersion) {
            b.append("<p>unibench of every run: ").append(esc(versions.iterator().next())).append(".</p>\n");
        }
        b.append("<table>\n<tr>").append(th("run", "benchmark", "status", "stop reason", "start (UTC)", "end (UTC)",
                "accelerator"));
        if (!oneHost) {
            b.append(th("host"));
        }
        if (!oneVersion) {
            b.append(th("unibench"));
        }
        b.append("</tr>\n");
        for (RunInfo r : all) {
            b.append("<tr>").append(td(r.label() == null ? ResultsReader.name(r.dir()) : r.label()))
                    .append(td(r.benchmark())).append(td(dash(r.status()))).append(td(dash(r.stopReason())))
                    .append(td(time(r.text("start_utc")))).append(td(time(r.text("end_utc"))))
                    .append(td(dash(r.accelerator())));
            if (!oneHost) {
                b.append(td(host(r)));
            }
            if (!oneVersion) {
                b.append(td(version(r)));
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n");
        for (RunInfo r : all) {
            b.append("<details>\n<summary>").append(esc(display(r))).append(": everything in run.json</summary>\n")
                    .append("<table class=\"kv\">\n");
            kv("folder", "<code>" + esc(r.dir().toString()) + "</code>");
            for (String key : List.of("status", "stop_reason", "stop_detail", "start_utc", "end_utc", "backend",
                    "service", "accelerator", "profile", "generator")) {
                if (r.text(key) != null) {
                    kv(key, esc(r.text(key)));
                }
            }
            JsonNode ub = r.path("unibench");
            if (!ub.isMissingNode()) {
                kv("unibench", esc(ub.path("version").asText("?") + ", commit " + ub.path("git_commit").asText("?")));
            }
            JsonNode h = r.path("host");
            if (!h.isMissingNode()) {
                kv("host", esc(h.path("cpu_model").asText("?") + ", " + h.path("cores").asText("?") + " cores, "
                        + gib(h.path("memory_bytes")) + ", kernel " + h.path("kernel").asText("?") + ", "
                        + h.path("os").asText("?") + ", " + h.path("java").asText("?")));
            }
            object("tool", r.path("tools"));
            object("parameter", r.path("parameters"));
            Set<String> shown = Set.of("benchmark", "status", "stop_reason", "stop_detail", "start_utc", "end_utc",
                    "backend", "service", "accelerator", "profile", "generator", "unibench", "host", "tools",
                    "parameters", "command_line", "caveats");
            if (r.meta() != null) {
                r.meta().properties().forEach(e -> {
                    if (!shown.contains(e.getKey()) && !e.getValue().isNull()) {
                        kv(e.getKey(), "<code>" + esc(e.getValue().isValueNode() ? e.getValue().asText()
                                : e.getValue().toString()) + "</code>");
                    }
                });
            }
            b.append("</table>\n</details>\n");
        }
        b.append("</section>\n");
    }

    /** A run's name with its benchmark, e.g. "DNS qemu"; a study by its folder name. */
    private static String display(RunInfo r) {
        if (r.label() == null) {
            return ResultsReader.name(r.dir());
        }
        String bench = r.benchmark() == null ? "" : r.benchmark().length() <= 4
                ? r.benchmark().toUpperCase(Locale.ROOT) : r.benchmark();
        return r.label().toLowerCase(Locale.ROOT).startsWith(bench.toLowerCase(Locale.ROOT)) ? r.label()
                : bench + " " + r.label();
    }

    private static String host(RunInfo r) {
        JsonNode h = r.path("host");
        return h.isMissingNode() ? "not recorded" : h.path("cpu_model").asText("?") + ", " + h.path("cores").asText("?")
                + " cores, " + gib(h.path("memory_bytes")) + ", kernel " + h.path("kernel").asText("?");
    }

    private static String version(RunInfo r) {
        JsonNode ub = r.path("unibench");
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

    private void object(String prefix, JsonNode n) {
        if (n.isObject()) {
            n.properties().forEach(e -> kv(prefix + " " + e.getKey(), "<code>"
                    + esc(e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()) + "</code>"));
        }
    }

    private void reproduce() {
        b.append("<section id=\"reproduce\">\n<h2>Reproduce</h2>\n<p>The exact command lines, as recorded in each"
                + " run.json (run from the unibench checkout; the commit is in the run metadata):</p>\n<pre>");
        Set<String> seen = new LinkedHashSet<>();
        List<RunInfo> all = new ArrayList<>(results.studies());
        all.addAll(allRuns());
        for (RunInfo r : all) {
            List<String> cl = r.commandLine();
            if (!cl.isEmpty() && seen.add(shell(cl))) {
                b.append("# ").append(esc(display(r))).append('\n')
                        .append(esc(shell(cl))).append('\n');
            }
        }
        if (!command.isEmpty()) {
            b.append("# this report\n").append(esc(shell(command))).append('\n');
        }
        b.append("</pre>\n</section>\n");
    }

    // ---- small helpers -------------------------------------------------------------------------------------

    private void li(String html) {
        b.append("<li>").append(html).append("</li>\n");
    }

    private void kv(String key, String html) {
        b.append("<tr><th>").append(esc(key)).append("</th><td>").append(html).append("</td></tr>\n");
    }

    private static String list(List<String> labels) {
        return esc(String.join(", ", labels));
    }

    private static String th(String... cells) {
        StringBuilder s = new StringBuilder();
        for (String c : cells) {
            s.append("<th>").append(esc(c)).append("</th>");
        }
        return s.toString();
    }

    private static String td(String text) {
        return "<td>" + esc(text == null ? "" : text) + "</td>";
    }

    private static String num(Object value) {
        return "<td class=\"n\">" + esc(String.valueOf(value)) + "</td>";
    }

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
                ? String.format(Locale.ROOT, "%.1f GiB RAM", bytes.asLong() / (1024.0 * 1024 * 1024)) : "? RAM";
    }

    /** A command line a POSIX shell reads back as the same arguments. */
    static String shell(List<String> args) {
        List<String> q = new ArrayList<>();
        for (String a : args) {
            q.add(!a.isEmpty() && SAFE_ARG.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", q);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder r = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> r.append("&lt;");
                case '>' -> r.append("&gt;");
                case '&' -> r.append("&amp;");
                case '"' -> r.append("&quot;");
                case '\'' -> r.append("&#39;");
                default -> r.append(c);
            }
        }
        return r.toString();
    }

    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222;
                   max-width: 1040px; margin: 1.5em auto; padding: 0 1em; line-height: 1.45; }
            h1 { margin-bottom: 0.2em; }
            h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
            h3 small { color: #666; font-weight: normal; }
            .sub, nav { color: #555; }
            code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
            pre { background: #f6f6f6; padding: 0.8em; white-space: pre-wrap; overflow-wrap: anywhere; }
            .caveats { background: #fff8e6; border: 1px solid #f0d38a; padding: 0.2em 1em 0.6em; }
            .caveats h2 { border: none; margin-top: 0.6em; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
            caption { text-align: left; color: #555; padding-bottom: 0.3em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
            th { background: #f0f0f0; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            tr.sat td { background: #fdecea; }
            table.kv th { width: 14em; font-weight: normal; color: #444; }
            figure { margin: 1.5em 0; }
            figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
            figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
            .files { color: #777; }
            details { margin: 0.6em 0; }
            summary { cursor: pointer; color: #1f6fb4; }
            """;
}
