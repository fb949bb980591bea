package io.unibench.study;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.bench.OpenLoopRun;
import io.unibench.bench.RampListener;
import io.unibench.bench.ServerCpu;
import io.unibench.bench.boot.BootBenchmark;
import io.unibench.bench.boot.BootListener;
import io.unibench.bench.boot.BootOptions;
import io.unibench.bench.boot.ChurnSchedule;
import io.unibench.bench.boot.DeployerBootTarget;
import io.unibench.bench.dns.DnsBenchmark;
import io.unibench.bench.dns.DnsEngine;
import io.unibench.bench.dns.DnsTarget;
import io.unibench.bench.dns.QueryFile;
import io.unibench.bench.http.HttpBenchmark;
import io.unibench.bench.http.HttpEngine;
import io.unibench.bench.http.HttpTarget;
import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.ImageBuilder;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.report.Report;
import io.unibench.report.ReportOptions;
import io.unibench.results.Caveat;
import io.unibench.results.FootprintCsv;
import io.unibench.results.ResultsDirectory;
import io.unibench.results.RunMetadata;
import io.unibench.results.StopReason;
import io.unibench.util.InterruptGuard;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole unikernel-vs-container study in one run folder: build what is missing, deploy DNS and web on
 * both backends, measure their idle footprint, run the DNS and HTTP ramps against each backend's
 * endpoints, tear the instances down, run the boot benchmark (cold boots and churn), and draw the report.
 *
 * <p>Each benchmark is called with typed options (the records {@code bench dns|http|boot} build from their
 * command line), with its output folder inside the study folder; every sub-run still records, in its own
 * run.json, the equivalent {@code unibench bench ...} command line that reproduces it by hand. There is one
 * implementation of each benchmark.
 */
public final class StudyRunner {

    /** The live progress of the benchmarks the study runs (the command line's printers). */
    public interface Listeners {
        RampListener ramp(String rateUnit);

        BootListener boot();
    }

    /** What the study did, stage by stage. */
    public record Stage(String name, List<String> command, int exit, double seconds) {
    }

    public record Result(Path dir, StopReason reason, List<Stage> stages, String failure) {
    }

    private static final int EXIT_INTERRUPTED = 130;

    private final StudyProfile profile;
    private final List<Backend> backends;
    private final Listeners listeners;
    private final Deployments deployments;
    private final ServiceCatalog catalog;
    private final BackendOptions options;
    private final PrintStream err;
    private final List<Stage> stages = new ArrayList<>();
    private final List<Instance> deployed = new ArrayList<>();
    private volatile boolean interrupted;
    private io.unibench.deploy.lab.Lab lab;

    public StudyRunner(StudyProfile profile, List<Backend> backends, Listeners listeners, Deployments deployments,
                       ServiceCatalog catalog, BackendOptions options, PrintStream err) {
        this.profile = profile;
        this.backends = List.copyOf(backends);
        this.listeners = listeners;
        this.options = options;
        this.deployments = deployments;
        this.catalog = catalog;
        this.err = err;
    }

    /**
     * Lab mode: the study's instances are deployed on {@code l}'s bridge (the deployments were told so) and
     * every benchmark's generator runs inside the lab. The caller runs this process inside the lab.
     */
    public StudyRunner inLab(io.unibench.deploy.lab.Lab l) {
        this.lab = l;
        return this;
    }

    /** Where each benchmark's generator and instance run (default: this host's default layout). */
    public StudyRunner cpuLayout(io.unibench.bench.CpuLayout l) {
        this.cpuLayout = l;
        return this;
    }

    private io.unibench.bench.CpuLayout cpuLayout;

    private io.unibench.bench.CpuLayout layout() {
        if (cpuLayout == null) {
            cpuLayout = io.unibench.bench.CpuLayout.choose(null);
        }
        return cpuLayout;
    }

    /** {@code --cpu-layout L} for a sub-run's equivalent command line. */
    private List<String> layoutArgs() {
        return List.of("--cpu-layout", layout().mode().name());
    }

    public Result run(Path base, boolean exact, List<String> commandLine) {
        Path dir;
        RunMetadata meta = new RunMetadata("study", commandLine, Instant.now());
        meta.put("profile", profile.name());
        meta.put("backends", backends.stream().map(Backend::id).toList());
        meta.put("expected_duration", profile.expected());
        Map<String, Object> facts = new LinkedHashMap<>();
        for (Backend b : backends) {
            try {
                Map<String, Object> f = new LinkedHashMap<>(deployments.deployer(b).facts(catalog.get("dns")));
                if (lab != null) {
                    f.put("network", "lab " + lab.name() + ": " + deployments.deployer(b).labPath() + " on "
                            + lab.defaultSegment().bridge() + " in " + lab.namespace() + " (no proxy)");
                }
                facts.put(b.id(), f);
                if (f.get("accelerator") != null) {
                    meta.put("accelerator", f.get("accelerator"));
                }
                deployments.deployer(b).tools().forEach(meta::tool);
                deployments.deployer(b).caveats(catalog.get("dns")).forEach(meta::caveat);
            } catch (UnibenchException e) {
                facts.put(b.id(), Map.of("error", e.getMessage()));
            }
        }
        meta.put(RunMetadata.BACKEND_FACTS, facts);
        Map<String, Object> network = new LinkedHashMap<>();
        network.put("mode", lab == null ? "forward" : "lab");
        Map<String, String> paths = new LinkedHashMap<>();
        for (Backend b : backends) {
            paths.put(b.id(), lab == null ? forwardPath(b) : deployments.deployer(b).labPath());
        }
        network.put("path", paths);
        if (lab != null) {
            network.put("lab", lab.name());
            network.put("namespace", lab.namespace());
            network.put("subnet", lab.defaultSegment().subnet().toString());
            network.put("generator", io.unibench.deploy.lab.InsideLab.how(lab));
            meta.caveat(Caveat.PORT_FORWARDER, "No port forwarder: every instance has its own address on a bridge in"
                    + " lab " + lab.name() + " (namespace " + lab.namespace() + "; QEMU on a tap, containers on a CNI"
                    + " veth, native in its own namespace) and the load generator runs inside the lab.");
        } else {
            meta.caveat(Caveat.PORT_FORWARDER, forwarderCaveat(facts));
        }
        meta.put("network", network);
        io.unibench.bench.CpuLayout cl = layout();
        meta.caveat(Caveat.SHARED_HOST, cl.mode() == io.unibench.bench.CpuLayout.Mode.split
                ? "The load generator and the services under test run on one host, on separate CPUs (--cpu-layout "
                + "split: generator on " + cl.generator() + ", instances on " + cl.instance() + "); they still "
                + "share its caches, memory bandwidth and kernel."
                : "The load generator shares the host's cores with the services under test (--cpu-layout shared).");
        meta.put(io.unibench.bench.CpuLayout.RUN_JSON_KEY, Map.of("layout", cl.mode().name(), "generator_cpus",
                cl.generator().toString(), "instance_cpus", cl.instance().toString()));
        meta.caveat(Caveat.IDLE_MEMORY_SCOPE, "Idle memory: for QEMU the whole VMM process RSS (guest RAM touched +"
                + " QEMU itself); for Docker the container's cgroup usage (the service only; containerd-shim and"
                + " docker-proxy are not counted).");
        try {
            dir = ResultsDirectory.create(base, exact, "study", profile.name(), Instant.now());
            meta.write(dir);
        } catch (IOException e) {
            throw new UnibenchException("could not create the study folder: " + e.getMessage(), e);
        }
        err.println("unibench study --profile " + profile.name() + ": " + profile.expected() + "; results in " + dir);
        // Ctrl-C: remove what the study deployed, let the running benchmark end its step, then run.json and
        // the report be written
        InterruptGuard guard = InterruptGuard.install("unibench-study-teardown", () -> {
            interrupted = true;
            tearDown();
        }, Duration.ofMinutes(2));
        StopReason reason = StopReason.COMPLETED;
        String failure = null;
        try {
            failure = stages(dir, meta);
            if (interrupted) {
                reason = StopReason.INTERRUPTED;
            } else if (failure != null) {
                reason = StopReason.FAILED;
            }
        } catch (RuntimeException e) {
            reason = interrupted ? StopReason.INTERRUPTED : StopReason.FAILED;
            failure = e.getMessage();
            throw e;
        } finally {
            tearDown();
            // the final status first, so the report shows it; then the report, then its stage
            meta.put("stages", stages);
            meta.finish(Instant.now(), reason, failure);
            write(meta, dir);
            report(dir);
            meta.put("stages", stages);
            write(meta, dir);
            guard.close();
        }
        return new Result(dir, reason, List.copyOf(stages), failure);
    }

    /**
     * How traffic reaches each backend, from its deployer's {@code network} fact: some paths hold a
     * user-space proxy (slirp, docker-proxy) that the absolute figures include, some none.
     */
    static String forwarderCaveat(Map<String, Object> facts) {
        List<String> paths = new ArrayList<>();
        facts.forEach((backend, f) -> {
            Object net = f instanceof Map<?, ?> m ? m.get("network") : null;
            if (net != null) {
                paths.add(backend + ": " + net);
            }
        });
        return "Every backend is reached on 127.0.0.1, not all the same way (" + (paths.isEmpty()
                ? "QEMU slirp hostfwd, docker-proxy" : String.join("; ", paths)) + "): absolute latencies include"
                + " any user-space proxy on the path; compare backends knowing which path each had.";
    }

    /** Runs every stage; returns null, or what failed (later stages still run where they can). */
    private String stages(Path dir, RunMetadata meta) {
        List<String> failures = new ArrayList<>();
        if (!stage("build", List.of("unibench", "build", "all"), () -> {
            new ImageBuilder(catalog, deployments::deployer, err::println).build(Backend.parseChoice("all"));
            return 0;
        }, failures)) {
            return String.join("; ", failures);
        }
        // deploy DNS and web on every backend, then the footprint while they idle
        stage("deploy", () -> {
            List<Deployments.Request> requests = new ArrayList<>();
            for (Backend b : backends) {
                for (String service : ServiceCatalog.POC) {
                    requests.add(new Deployments.Request(catalog.get(service), b));
                }
            }
            synchronized (deployed) {
                deployed.addAll(deployments.deploy(requests, Duration.ofSeconds(30)));
            }
            Map<String, Object> endpoints = new LinkedHashMap<>();
            for (Instance i : deployed) {
                endpoints.put(i.id(), i.endpoints().stream().map(Endpoint::toString).toList());
            }
            meta.put("deployment", endpoints);
        }, failures);
        if (deployed.isEmpty() || interrupted) {
            return String.join("; ", failures);
        }
        stage("footprint", () -> {
            try {
                List<FootprintCsv.Row> rows = Footprint.measure(deployed, catalog, deployments::deployer,
                        profile.idle().toNanos());
                FootprintCsv.write(dir, rows);
            } catch (IOException e) {
                throw new UnibenchException("could not write " + FootprintCsv.LAYOUT.file() + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted = true;
            }
        }, failures);
        for (Backend b : backends) {
            Instance dns = find(b, "dns");
            Instance web = find(b, "web");
            if (dns != null && !interrupted) {
                dns(b, dns, dns.endpoints().get(0).address(), dir.resolve("dns-" + b.id()), failures);
            }
            if (web != null && !interrupted) {
                http(b, web, "http://" + web.endpoints().get(0).address() + "/", dir.resolve("http-" + b.id()), failures);
            }
        }
        // boot times are measured with nothing else running
        tearDown();
        if (!interrupted) {
            boot(dir.resolve("boot"), failures);
        }
        return failures.isEmpty() ? null : String.join("; ", failures);
    }

    /** The forward-mode path of a backend, as its deployer describes it ("forward: ..."). */
    private String forwardPath(Backend b) {
        Object n = deployments.deployer(b).facts(catalog.get("dns")).get("network");
        return n == null ? "forward" : n.toString();
    }

    /** The sub-commands' network options: none in forward mode; {@code --lab} (and for boot {@code --network lab}). */
    private List<String> labArgs(boolean boot) {
        if (lab == null) {
            return List.of();
        }
        return boot ? List.of("--network", "lab", "--lab", lab.name()) : List.of("--lab", lab.name());
    }

    private void dns(Backend b, Instance inst, String target, Path out, List<String> failures) {
        StudyProfile.Ramp r = profile.dns();
        List<String> cli = new ArrayList<>(List.of("unibench", "bench", "dns", "--target", target, "--label", b.id(),
                "--output", out.toString()));
        cli.addAll(labArgs(false));
        cli.addAll(r.args("--clients"));
        cli.addAll(layoutArgs());
        stage("dns-" + b.id(), cli, () -> {
            // the threads bench dns --threads auto would choose, as the recorded command line says (it ran one
            // thread before, which that command line did not reproduce)
            int cores = layout().generator().size();
            int threads = DnsEngine.autoThreads(r.connections(), cores);
            DnsBenchmark.Settings s = new DnsBenchmark.Settings(target, DnsTarget.parse(target), QueryFile.defaults(),
                    r.connections(), threads, DnsBenchmark.Driver.unibench, DnsBenchmark.Transport.udp);
            RunMetadata meta = rampMetadata("dns", cli, r, b);
            meta.parameter("threads_choice", DnsBenchmark.autoThreadsChoice(layout()));
            try (io.unibench.bench.CpuLayout.Placed placed = layout().apply(deployments.deployer(b), inst, meta)) {
                OpenLoopRun.Result res = DnsBenchmark.run(s, r.plan(), r.stops(), r.timeout(),
                        OpenLoopRun.Output.of(out, "dns", b.id()), meta, listeners.ramp(DnsEngine.PROTOCOL.rateUnit()),
                        ServerCpu.of(deployments.deployer(b), inst));
                return exit(res.outcome().reason());
            }
        }, failures);
    }

    private void http(Backend b, Instance inst, String url, Path out, List<String> failures) {
        StudyProfile.Ramp r = profile.http();
        List<String> cli = new ArrayList<>(List.of("unibench", "bench", "http", "--target", url, "--label", b.id(),
                "--output", out.toString()));
        cli.addAll(labArgs(false));
        cli.addAll(r.args("--connections"));
        cli.addAll(layoutArgs());
        stage("http-" + b.id(), cli, () -> {
            HttpBenchmark.Settings s = new HttpBenchmark.Settings(HttpTarget.parse(url), HttpBenchmark.Method.GET,
                    List.of(), r.connections(), 1, 1, null);
            RunMetadata meta = rampMetadata("http", cli, r, b);
            try (io.unibench.bench.CpuLayout.Placed placed = layout().apply(deployments.deployer(b), inst, meta)) {
                OpenLoopRun.Result res = HttpBenchmark.run(s, r.plan(), r.stops(), r.timeout(),
                        OpenLoopRun.Output.of(out, "http", b.id()), meta, listeners.ramp(HttpEngine.PROTOCOL.rateUnit()),
                        ServerCpu.of(deployments.deployer(b), inst));
                return exit(res.outcome().reason());
            }
        }, failures);
    }

    /** run.json of a ramp, as {@code bench dns|http} starts it: the command line, every ramp value, the label. */
    private RunMetadata rampMetadata(String benchmark, List<String> cli, StudyProfile.Ramp r, Backend b) {
        RunMetadata meta = new RunMetadata(benchmark, cli, Instant.now());
        r.plan().describe(r.timeout(), r.stops()).forEach(meta::parameter);
        meta.put(RunMetadata.LABEL, b.id());
        Map<String, Object> g = new LinkedHashMap<>();
        if (lab == null) {
            g.put("namespace", "host (default network namespace)");
        } else {
            g.put("lab", lab.name());
            g.put("namespace", lab.namespace());
            g.put("source_address", lab.defaultSegment().gateway());
            g.put("how", io.unibench.deploy.lab.InsideLab.how(lab));
        }
        meta.put("generator_network", g);
        return meta;
    }

    private void boot(Path out, List<String> failures) {
        StudyProfile.Boot p = profile.boot();
        String backendArg = String.join(",", backends.stream().map(Backend::id).toList());
        List<String> cli = new ArrayList<>(List.of("unibench", "bench", "boot", "--service", "dns", "--backend",
                backendArg, "--output", out.toString()));
        cli.addAll(labArgs(true));
        cli.addAll(p.args());
        cli.addAll(layoutArgs());
        stage("boot", cli, () -> {
            long seed = System.currentTimeMillis();
            BootOptions boot = new BootOptions(backends, "dns",
                    ChurnSchedule.of(p.start(), p.step(), p.max(), p.period(), p.interval(), seed), p.cold(), 1, true,
                    p.bootTimeout(), false, OpenLoopRun.Output.of(out, BootBenchmark.BENCHMARK, null));
            RunMetadata meta = new RunMetadata(BootBenchmark.BENCHMARK, cli, Instant.now());
            ServiceSpec spec = catalog.get("dns");
            BootListener listener = listeners.boot();
            if (lab != null) {
                meta.put("network", Map.of("mode", "lab", "lab", lab.name(), "namespace", lab.namespace()));
            }
            try (io.unibench.bench.CpuLayout.Boots boots = layout().forBoots(meta)) {
                BootBenchmark.Result res = BootBenchmark.run(boot, spec, b -> DeployerBootTarget.open(b,
                        deployments.state(), catalog, spec, options, false, listener::warning, lab).onCpus(boots),
                        meta, listener);
                return exit(res.reason());
            }
        }, failures);
    }

    private static int exit(StopReason reason) {
        return reason == StopReason.INTERRUPTED ? EXIT_INTERRUPTED : 0;
    }

    /** Draws the report from whatever the study measured (partial results included). */
    private void report(Path dir) {
        List<String> failures = new ArrayList<>();
        boolean wasInterrupted = interrupted;
        interrupted = false;
        List<String> cli = List.of("unibench", "report", dir.toString(), "--output", dir.resolve("report").toString());
        stage("report", cli, () -> {
            Report.Result r = Report.run(new ReportOptions(List.of(dir), dir.resolve("report"), cli));
            err.println("report: " + r.index());
            return 0;
        }, failures);
        interrupted |= wasInterrupted;
        failures.forEach(f -> err.println("warning: " + f));
    }

    private void write(RunMetadata meta, Path dir) {
        try {
            meta.write(dir);
        } catch (IOException e) {
            err.println("warning: could not rewrite run.json: " + e.getMessage());
        }
    }

    private Instance find(Backend b, String service) {
        synchronized (deployed) {
            return deployed.stream().filter(i -> i.backend() == b && i.service().equals(service)).findFirst()
                    .orElse(null);
        }
    }

    /** A stage with an exit code: a benchmark (its equivalent command line is recorded with the stage). */
    @FunctionalInterface
    private interface Step {
        int run();
    }

    private boolean stage(String name, List<String> cli, Step body, List<String> failures) {
        if (interrupted) {
            return false;
        }
        err.println("==> " + name + ": " + String.join(" ", cli));
        long t0 = System.nanoTime();
        int exit;
        try {
            exit = body.run();
        } catch (UsageException e) {
            exit = 2;
            err.println("unibench study: " + name + ": " + e.getMessage());
        } catch (RuntimeException e) {
            exit = interrupted ? EXIT_INTERRUPTED : 1;
            err.println("unibench study: " + name + " failed: " + e.getMessage());
        }
        // the stage records the command as run.json does: without the leading "unibench"
        stages.add(new Stage(name, List.copyOf(cli.subList(1, cli.size())), exit, (System.nanoTime() - t0) / 1e9));
        if (exit == EXIT_INTERRUPTED) {
            interrupted = true;
        }
        if (exit != 0) {
            failures.add(name + " exited " + exit);
            return false;
        }
        return true;
    }

    private void stage(String name, Runnable body, List<String> failures) {
        if (interrupted) {
            return;
        }
        err.println("==> " + name);
        long t0 = System.nanoTime();
        int exit = 0;
        try {
            body.run();
        } catch (RuntimeException e) {
            exit = 1;
            failures.add(name + ": " + e.getMessage());
            err.println("unibench study: " + name + " failed: " + e.getMessage());
        }
        stages.add(new Stage(name, List.of(), exit, (System.nanoTime() - t0) / 1e9));
    }

    /** Removes the instances this study deployed (only those). Safe to call twice, from a hook too. */
    private void tearDown() {
        List<Instance> mine;
        synchronized (deployed) {
            mine = new ArrayList<>(deployed);
            deployed.clear();
        }
        for (Instance i : mine) {
            try {
                deployments.destroyOne(i);
            } catch (RuntimeException e) {
                err.println("warning: could not remove " + i.id() + ": " + e.getMessage());
            }
        }
    }
}
