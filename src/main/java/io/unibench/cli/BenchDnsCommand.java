package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.bench.OpenLoopRun;
import io.unibench.bench.RampPlan;
import io.unibench.bench.StopConditions;
import io.unibench.bench.dns.DnsBenchmark;
import io.unibench.bench.dns.DnsEngine;
import io.unibench.bench.dns.DnsTarget;
import io.unibench.bench.dns.QueryFile;
import io.unibench.results.RunMetadata;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dns", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open-loop DNS load at a constant or stepped query rate (dnsperf-like):",
            "queries leave on a fixed schedule whatever the server does, and latency",
            "counts from the intended send time. Writes steps.csv, seconds.csv and",
            "run.json to a new results folder and prints its path on stdout."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench bench dns --target 127.0.0.1:5353 --rate 10k --duration 30s",
            "  unibench bench dns --target 10.0.0.100 \\",
            "      --start-rate 100 --step 100 --step-duration 5m",
            "  unibench bench dns --target [::1]:5353 --queries queries.txt \\",
            "      --clients 200 --threads 2 --max-rate 200k",
            "  unibench bench dns --target 127.0.0.1:5353 --rate 5k --duration 10s \\",
            "      --driver dnsperf",
            "  unibench bench dns --target 127.0.0.1:5353 --transport tcp --clients 10 \\",
            "      --rate 20k --duration 10s",
            "",
            "Exit codes: 0 the run ended by a stop condition or completed,",
            "1 runtime failure, 2 bad input (nothing written),",
            "130 interrupted (partial results kept)."})
final class BenchDnsCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "HOST[:PORT]",
            description = "DNS server: 192.0.2.1, ns.example:5353, [::1]:5353 (port 53 by default).")
    String target;

    @Option(names = "--queries", paramLabel = "FILE",
            description = "dnsperf datafile ('name TYPE' per line, ';' comments). Default: the study's names "
                    + "(www.cetic.be, cetic.be, internship.cetic.be A) plus 25%% names that get NXDOMAIN.")
    Path queries;

    @Option(names = "--clients", defaultValue = "100", paramLabel = "N",
            description = "UDP sockets (distinct source ports), or TCP connections, the rate is spread over "
                    + "(default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--transport", defaultValue = "udp", paramLabel = "udp|tcp",
            description = "udp, or tcp: persistent connections opened before the first step, queries pipelined "
                    + "with their 2-byte length prefix (dnsperf: -m tcp) (default: ${DEFAULT-VALUE}).")
    DnsBenchmark.Transport transport;

    @Option(names = "--threads", defaultValue = "auto", paramLabel = "N|auto",
            description = "Sender threads, each owning clients/N sockets; auto: what this host can drive "
                    + "(2 up to 4 cores, half the cores above; 1 for dnsperf, whose second thread takes the "
                    + "server's core) (default: ${DEFAULT-VALUE}).")
    String threadsOption;

    @Option(names = "--driver", defaultValue = "unibench", paramLabel = "NAME",
            description = "unibench (built-in engine) or dnsperf (runs the real dnsperf per step, to cross-check; "
                    + "default: ${DEFAULT-VALUE}).")
    DnsBenchmark.Driver driver;

    @Mixin
    RampOptions ramp;

    @Spec
    CommandSpec spec;

    static final int MAX_CLIENTS = 10_000;

    @Override
    public Integer call() {
        InetSocketAddress address = DnsTarget.parse(target);
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw new UsageException("--clients must be 1-" + MAX_CLIENTS + " (got " + clients + ")");
        }
        // auto threads: what the generator's own CPUs can drive (split: its half of the host)
        io.unibench.bench.CpuLayout layout = ramp.cpuLayout();
        int cores = layout.generator().size();
        boolean autoThreads = "auto".equals(threadsOption);
        int threads;
        if (autoThreads) {
            threads = driver == DnsBenchmark.Driver.dnsperf ? 1 : DnsEngine.autoThreads(clients, cores);
        } else {
            try {
                threads = Integer.parseInt(threadsOption);
            } catch (NumberFormatException e) {
                throw new UsageException("--threads must be a number or auto (got '" + threadsOption + "')");
            }
            if (threads < 1 || threads > clients) {
                throw new UsageException("--threads must be between 1 and --clients (" + clients + "), got "
                        + threads);
            }
        }
        QueryFile queryFile = queries == null ? QueryFile.defaults() : QueryFile.parse(queries);
        RampPlan plan = ramp.plan();
        if (driver == DnsBenchmark.Driver.dnsperf) {
            // the warm-up settles this JVM's compiler; dnsperf is a process of its own, with none
            plan = plan.withGeneratorWarmup(Duration.ZERO);
        }
        StopConditions stops = ramp.stops();
        Duration timeout = ramp.timeout();
        io.unibench.deploy.lab.Lab lab = ramp.lab(address.getAddress());
        if (lab != null && !io.unibench.deploy.lab.InsideLab.inside(lab)) {
            ramp.output("dns").check();
            return NetworkOptions.reexecInside(lab, spec);
        }
        RunMetadata meta = ramp.startMetadata("dns", spec);
        meta.parameter("threads_choice", autoThreads ? DnsBenchmark.autoThreadsChoice(layout) : "given");
        RampOptions.describeGenerator(meta, lab);
        DnsBenchmark.Settings settings = new DnsBenchmark.Settings(target, address, queryFile, clients, threads, driver,
                transport);
        OpenLoopRun.Result result;
        try (io.unibench.bench.CpuLayout.Placed placed = ramp.placeCpus(meta, address, spec.commandLine().getErr())) {
            result = DnsBenchmark.run(settings, plan, stops, timeout, ramp.output("dns"), meta,
                    ramp.progress(DnsEngine.PROTOCOL.rateUnit()),
                    ramp.serverCpu(meta, address, spec.commandLine().getErr()));
        }
        return ramp.finish(result, spec);
    }
}
