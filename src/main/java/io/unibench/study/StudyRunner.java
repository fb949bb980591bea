package io.unibench.study;

import io.unibench.UnibenchException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.results.Caveat;
import io.unibench.results.FootprintCsv;
import io.unibench.results.ResultsDirectory;
import io.unibench.results.RunMetadata;
import io.unibench.results.StopReason;
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
 * <p>Each benchmark runs as the very command a user would type (given to a {@link CommandRunner}), with
 * {@code --output} inside the study folder; so every sub-run has its own run.json with the exact command
 * line that reproduces it, and there is one implementation of each benchmark.
 */
public final class StudyRunner {

    /** Runs one unibench command line (without the leading "unibench") and returns its exit code. */
    @FunctionalInterface
    public interface CommandRunner {
        int run(List<String> args);
    }

    /** What the study did, stage by stage. */
    public record Stage(String name, List<String> command, int exit, double seconds) {
    }

    public record Result(Path dir, StopReason reason, List<Stage> stages, String failure) {
    }

    private static final int EXIT_INTERRUPTED = 130;

    private final StudyProfile profile;
    private final List<Backend> backends;
    private final CommandRunner commands;
    private final Deployments deployments;
    private final ServiceCatalog catalog;
    private final PrintStream err;
    private final List<Stage> stages = new ArrayList<>();
    private final List<Instance> deployed = new ArrayList<>();
    private volatile boolean interrupted;
    private io.unibench.deploy.lab.Lab lab;

    public StudyRunner(StudyProfile profile, List<Backend> backends, CommandRunner commands, Deployments deployments,
                       ServiceCatalog catalog, PrintStream err) {
        this.profile = profile;
        this.backends = List.copyOf(backends);
        this.commands = commands;
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
            } catch (UnibenchException e) {
                facts.put(b.id(), Map.of("error", e.getMessage()));
            }
        }
        meta.put("backend_facts", facts);
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
                    + " veth) and the load generator runs inside the lab.");
        } else {
            meta.caveat(Caveat.PORT_FORWARDER, "Both backends are reached through a user-space port forwarder on"
                    + " 127.0.0.1 (QEMU slirp hostfwd, docker-proxy): absolute latencies include it.");
        }
        meta.put("network", network);
        meta.caveat(Caveat.SHARED_HOST, "The load generator shares the host's cores with the services under test.");
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
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            interrupted = true;
            tearDown();
            try {
                // Ctrl-C: let the running benchmark end its step, then run.json and the report be written
                finished.await(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "unibench-study-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
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
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook runs the teardown
            }
        }
        return new Result(dir, reason, List.copyOf(stages), failure);
    }

    /** Runs every stage; returns null, or what failed (later stages still run where they can). */
    private String stages(Path dir, RunMetadata meta) {
        List<String> failures = new ArrayList<>();
        if (!command("build", List.of("build", "all"), failures)) {
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
                List<String> args = new ArrayList<>(List.of("bench", "dns", "--target", dns.endpoints().get(0).address(),
                        "--label", b.id(), "--output", dir.resolve("dns-" + b.id()).toString()));
                args.addAll(labArgs(false));
                args.addAll(profile.dnsRamp());
                command("dns-" + b.id(), args, failures);
            }
            if (web != null && !interrupted) {
                List<String> args = new ArrayList<>(List.of("bench", "http", "--target",
                        "http://" + web.endpoints().get(0).address() + "/", "--label", b.id(),
                        "--output", dir.resolve("http-" + b.id()).toString()));
                args.addAll(labArgs(false));
                args.addAll(profile.httpRamp());
                command("http-" + b.id(), args, failures);
            }
        }
        // boot times are measured with nothing else running
        tearDown();
        if (!interrupted) {
            List<String> args = new ArrayList<>(List.of("bench", "boot", "--service", "dns", "--backend",
                    String.join(",", backends.stream().map(Backend::id).toList()), "--output",
                    dir.resolve("boot").toString()));
            args.addAll(labArgs(true));
            args.addAll(profile.boot());
            command("boot", args, failures);
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

    /** Draws the report from whatever the study measured (partial results included). */
    private void report(Path dir) {
        List<String> failures = new ArrayList<>();
        boolean wasInterrupted = interrupted;
        interrupted = false;
        command("report", List.of("report", dir.toString(), "--output", dir.resolve("report").toString()), failures);
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

    private boolean command(String name, List<String> args, List<String> failures) {
        if (interrupted) {
            return false;
        }
        err.println("==> " + name + ": unibench " + String.join(" ", args));
        long t0 = System.nanoTime();
        int exit = commands.run(args);
        stages.add(new Stage(name, List.copyOf(args), exit, (System.nanoTime() - t0) / 1e9));
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
