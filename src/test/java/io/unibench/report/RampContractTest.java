package io.unibench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.unibench.load.IntervalSample;
import io.unibench.load.LoadProtocol;
import io.unibench.results.RampCsvSink;
import io.unibench.results.RunMetadata;
import io.unibench.results.StepResult;
import io.unibench.results.StopReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report reads exactly what the shared writers produce: run folders written by {@link RampCsvSink} and
 * {@link RunMetadata} (the path every bench dns/http run takes) come out as the same numbers in the charts.
 */
class RampContractTest {
    static final LoadProtocol DNS = new LoadProtocol("dns", "qps", "sent", "lost",
            List.of("rcode_noerror", "rcode_nxdomain"), List.of("malformed"), List.of("late"), List.of(0, 1));
    static final LoadProtocol HTTP = new LoadProtocol("http", "rps", "requests", "errors_timeout",
            List.of("status_2xx", "status_5xx"), List.of("errors_connect"), List.of("reconnects"), List.of(0));

    @TempDir
    Path tmp;

    /** One step: {@code sent} exchanges over 2 s, {@code lost} of them unanswered, latencies spread around {@code baseMicros}. */
    static StepResult step(LoadProtocol p, int n, double rate, long sent, long lost, long baseMicros, boolean slowSender) {
        Histogram lat = new Histogram(3);
        Histogram svc = new Histogram(3);
        Histogram lag = new Histogram(3);
        long completed = sent - lost;
        for (long i = 0; i < completed; i++) {
            long ns = (baseMicros + (i % 100) * baseMicros / 50) * 1000;
            lat.recordValue(ns);
            svc.recordValue(ns / 2);
            lag.recordValue(slowSender ? 20_000_000L : 5_000);
        }
        IntervalSample s = new IntervalSample(sent, completed, lost, new long[] {completed, 0}, new long[] {0},
                new long[] {0}, lat, svc, lag);
        long measured = slowSender ? (long) (sent / (rate * 0.9) * 1e9) : 2_000_000_000L;
        return StepResult.of(n, rate, 4, measured, s, p);
    }

    Path write(String name, LoadProtocol p, String backend, List<StepResult> steps, StopReason reason, String detail)
            throws Exception {
        Path dir = Files.createDirectory(tmp.resolve(name));
        RunMetadata meta = new RunMetadata(p.name(), List.of("unibench", "bench", p.name(), "--target", "127.0.0.1:5353"),
                Instant.parse("2026-11-29T12:00:00Z"));
        meta.put("backend", backend);
        meta.write(dir);
        try (RampCsvSink sink = new RampCsvSink(dir, p)) {
            for (int i = 0; i < steps.size(); i++) {
                boolean last = i == steps.size() - 1;
                sink.step(steps.get(i), last ? reason : null, last ? detail : null);
            }
        }
        meta.finish(Instant.parse("2026-11-29T12:01:00Z"), reason, detail);
        meta.write(dir);
        return dir;
    }

    @Test
    void whatRampCsvSinkWritesIsWhatTheChartsShow() throws Exception {
        List<StepResult> dns = List.of(step(DNS, 1, 1000, 2000, 0, 60, false), step(DNS, 2, 2000, 4000, 0, 80, false),
                step(DNS, 3, 3000, 5400, 40, 150, true));
        // an unanswered last step: no latency at all, 100 % lost
        List<StepResult> http = List.of(step(HTTP, 1, 500, 1000, 0, 900, false), step(HTTP, 2, 1000, 2000, 2000, 0, false));
        Path d = write("dns-run", DNS, "qemu", dns, StopReason.GENERATOR_SATURATED, "generator sent 2700/s of 3000/s offered");
        Path h = write("http-run", HTTP, "docker", http, StopReason.UNRESPONSIVE, "no answer to any of 2000 exchanges");
        Path collection = tmp;

        Report.Result r = Report.run(new ReportOptions(List.of(collection), tmp.resolve("out"), List.of()));
        assertThat(r.results().ramps()).extracting(x -> x.info().dir()).containsExactly(d, h);

        ChartSpec latency = r.charts().stream().filter(c -> c.id().equals("dns-latency")).findFirst().orElseThrow();
        ChartSpec.Series p99 = latency.series("qemu p99");
        for (int i = 0; i < dns.size(); i++) {
            StepResult s = dns.get(i);
            assertThat(p99.x().get(i)).isEqualTo(s.offeredRate());
            // the CSV keeps microseconds with three decimals; the chart shows milliseconds
            assertThat(p99.y().get(i)).isCloseTo(s.totals().latency().getValueAtPercentile(99) / 1e6, within(1e-6));
        }
        assertThat(latency.series(Charts.SATURATED).x()).containsExactly(3000.0);
        ChartSpec throughput = r.charts().stream().filter(c -> c.id().equals("dns-throughput")).findFirst().orElseThrow();
        List<Double> sent = new ArrayList<>();
        dns.forEach(s -> sent.add(s.achievedSendRate()));
        for (int i = 0; i < dns.size(); i++) {
            assertThat(throughput.series("qemu sent").y().get(i)).isCloseTo(sent.get(i), within(1e-3));
            assertThat(throughput.series("qemu answered").y().get(i)).isCloseTo(dns.get(i).completedRate(), within(1e-3));
        }
        ChartSpec loss = r.charts().stream().filter(c -> c.id().equals("dns-loss")).findFirst().orElseThrow();
        assertThat(loss.series("qemu lost").y().get(2)).isCloseTo(dns.get(2).lossPct(), within(1e-3));

        // HTTP: the step without any answer has no latency point but its 100 % timeouts are drawn
        ChartSpec httpLatency = r.charts().stream().filter(c -> c.id().equals("http-latency")).findFirst().orElseThrow();
        assertThat(httpLatency.series("docker p99").x()).containsExactly(500.0);
        ChartSpec httpLoss = r.charts().stream().filter(c -> c.id().equals("http-loss")).findFirst().orElseThrow();
        assertThat(httpLoss.series("docker timed out").y()).containsExactly(0.0, 100.0);
        assertThat(httpLoss.caption()).contains("docker \u2014 unresponsive (no answer to any of 2000 exchanges)");
        assertThat(Files.readString(r.index())).contains("DNS qemu (step 3)");
    }
}
