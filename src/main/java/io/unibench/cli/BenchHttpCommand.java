package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.bench.OpenLoopRun;
import io.unibench.bench.RampPlan;
import io.unibench.bench.StopConditions;
import io.unibench.bench.http.HttpBenchmark;
import io.unibench.bench.http.HttpEngine;
import io.unibench.bench.http.HttpTarget;
import io.unibench.protocol.HttpHeader;
import io.unibench.results.RunMetadata;
import io.unibench.results.StopReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "http", mixinStandardHelpOptions = true,
        description = {"Open-loop HTTP/1.1 load at a constant or stepped request rate (wrk2-like): each connection",
            "sends its share of the rate on a fixed schedule, latency counts from the intended send time",
            "(coordinated-omission corrected) and also as plain service time.",
            "Results: steps.csv, seconds.csv, step-NN-latency.hgrm and run.json in a new folder under results/."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  unibench bench http --target http://127.0.0.1:8080/ --rate 1k --duration 30s",
            "  unibench bench http --target http://127.0.0.1:8080/index.html --start-rate 1k --step 1k \\",
            "      --step-duration 10s --max-rate 50k --connections 100",
            "  unibench bench http --target http://127.0.0.1:8080/ --rate 500 --duration 10s --method HEAD \\",
            "      --header 'Accept: text/html' --expect-body-contains unibench",
            "",
            "4xx and 5xx answers are counted by class and, like lost and failed requests, toward --max-loss."})
final class BenchHttpCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "URL",
            description = "http://HOST[:PORT][/PATH[?QUERY]]; the Host header and request path come from it.")
    String target;

    @Option(names = "--connections", defaultValue = "100", paramLabel = "N",
            description = "Keep-alive connections; the rate is split evenly over them (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Sending threads, each with its own selector over a share of the connections"
                    + " (default: ${DEFAULT-VALUE}; on 2 cores one thread leaves the other core to the server).")
    int threads;

    @Option(names = "--method", defaultValue = "GET", paramLabel = "METHOD",
            description = "GET or HEAD (default: ${DEFAULT-VALUE}).")
    HttpBenchmark.Method method;

    @Option(names = "--header", paramLabel = "NAME:VALUE",
            description = "Extra request header, repeatable; a Host header replaces the one from the URL.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--pipeline", defaultValue = "1", paramLabel = "N",
            description = "Requests in flight per connection (default: ${DEFAULT-VALUE}, no pipelining).")
    int pipeline;

    @Option(names = "--expect-body-contains", paramLabel = "TEXT",
            description = "Count a 2xx whose body lacks TEXT as errors_body.")
    String expectBody;

    @Mixin
    RampOptions ramp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // validate everything before anything is started or written
        HttpTarget url = HttpTarget.parse(target);
        if (connections < 1) {
            throw new UsageException("--connections must be at least 1 (got " + connections + ")");
        }
        if (threads < 1) {
            throw new UsageException("--threads must be at least 1 (got " + threads + ")");
        }
        if (pipeline < 1) {
            throw new UsageException("--pipeline must be at least 1 (got " + pipeline + ")");
        }
        List<HttpHeader> parsed = new ArrayList<>();
        for (String h : headers) {
            try {
                parsed.add(HttpHeader.parse(h));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--header: " + e.getMessage());
            }
        }
        if (expectBody != null && expectBody.isEmpty()) {
            throw new UsageException("--expect-body-contains needs a non-empty text");
        }
        if (expectBody != null && method == HttpBenchmark.Method.HEAD) {
            throw new UsageException("--expect-body-contains cannot check HEAD responses (they have no body)");
        }
        HttpBenchmark.Settings settings = new HttpBenchmark.Settings(url, method, parsed, connections,
                Math.min(threads, connections), pipeline, expectBody);
        try {
            settings.request();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--target " + target + ": " + e.getMessage());
        }
        RampPlan plan = ramp.plan();
        StopConditions stops = ramp.stops();
        Duration timeout = ramp.timeout();
        ramp.cpuLayout(); // bad input before anything starts, in this process and not only in the lab's
        io.unibench.deploy.lab.Lab lab = ramp.lab(url.address().getAddress());
        if (lab != null && !io.unibench.deploy.lab.InsideLab.inside(lab)) {
            ramp.output("http").check();
            return NetworkOptions.reexecInside(lab, spec);
        }
        RunMetadata meta = ramp.startMetadata("http", spec);
        RampOptions.describeGenerator(meta, lab);
        OpenLoopRun.Result result;
        try (io.unibench.bench.CpuLayout.Placed placed = ramp.placeCpus(meta, url.address(), spec.commandLine().getErr())) {
            result = HttpBenchmark.run(settings, plan, stops, timeout, ramp.output("http"), meta,
                    ramp.progress(HttpEngine.PROTOCOL.rateUnit()),
                    ramp.serverCpu(meta, url.address(), spec.commandLine().getErr()));
        }
        return ramp.finish(result, spec);
    }
}
