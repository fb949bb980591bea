package io.unibench.results;

import io.unibench.bench.RampSink;
import io.unibench.bench.StepResult;
import io.unibench.bench.StopReason;
import io.unibench.load.IntervalSample;
import io.unibench.load.LoadProtocol;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Writes a ramp's results into its run folder: {@code steps.csv} (one row per step), {@code seconds.csv}
 * (one row per second, for time-series plots) and {@code step-NN-latency.hgrm} per step (HdrHistogram's
 * percentile distribution of the corrected latency in milliseconds, as wrk2 prints it, which
 * hdrhistogram.org plots). Column names carry their units; the rate unit and the count names come
 * from the {@link LoadProtocol}, so DNS and HTTP share this one writer.
 */
public final class RampCsvSink implements RampSink, Closeable {
    public static final String STEPS_FILE = "steps.csv";
    public static final String SECONDS_FILE = "seconds.csv";

    private final Path dir;
    private final LoadProtocol protocol;
    private final CsvTable steps;
    private final CsvTable seconds;

    public RampCsvSink(Path dir, LoadProtocol protocol) throws IOException {
        this.dir = dir;
        this.protocol = protocol;
        this.steps = new CsvTable(dir.resolve(STEPS_FILE), stepColumns(protocol));
        this.seconds = new CsvTable(dir.resolve(SECONDS_FILE), secondColumns(protocol));
    }

    public static List<String> stepColumns(LoadProtocol p) {
        String u = p.rateUnit();
        List<String> c = new ArrayList<>(List.of("step", "offered_" + u, "achieved_send_" + u, "completed_" + u,
                "clients", "duration_s", p.sentName(), "completed", p.lostName(), "loss_pct", "errors", "error_pct",
                "unsent", "client_rx_drops"));
        c.addAll(p.outcomes());
        c.addAll(p.errors());
        c.addAll(p.extras());
        c.addAll(List.of("latency_min_us", "latency_mean_us", "latency_stddev_us", "latency_p50_us",
                "latency_p90_us", "latency_p99_us", "latency_p99_9_us", "latency_max_us",
                "service_p50_us", "service_p99_us", "send_lag_p50_us", "send_lag_p99_us", "send_lag_max_us",
                "generator_saturated", "generator_detail", "stop_reason", "stop_detail"));
        return c;
    }

    public static List<String> secondColumns(LoadProtocol p) {
        String u = p.rateUnit();
        return List.of("run_second", "step", "offered_" + u, p.sentName(), "completed", p.lostName(), "errors",
                "unsent", "latency_p50_us", "latency_p99_us", "latency_max_us", "send_lag_p99_us");
    }

    @Override
    public void second(int runSecond, int step, double offeredRate, IntervalSample s) throws IOException {
        // Arrays.asList, not List.of: a second without answers has empty (null) latency cells
        seconds.row(Arrays.asList(runSecond, step, offeredRate, s.sent(), s.completed(), s.lost(), s.errorsTotal(),
                s.unsent(), us(s.latency(), 50), us(s.latency(), 99), max(s.latency()), us(s.lag(), 99)));
    }

    @Override
    public void step(StepResult r, StopReason stopReason, String stopDetail) throws IOException {
        IntervalSample t = r.totals();
        Histogram lat = t.latency();
        List<Object> row = new ArrayList<>(List.of(r.step(), r.offeredRate(), r.achievedSendRate(),
                r.completedRate(), r.clients(), r.seconds(), t.sent(), t.completed(), t.lost(), r.lossPct(),
                t.errorsTotal(), r.errorPct(), t.unsent(), t.clientRxDrops()));
        for (long v : t.outcomes()) {
            row.add(v);
        }
        for (long v : t.errors()) {
            row.add(v);
        }
        for (long v : t.extras()) {
            row.add(v);
        }
        boolean any = lat.getTotalCount() > 0;
        row.add(any ? lat.getMinValue() / 1e3 : null);
        row.add(any ? lat.getMean() / 1e3 : null);
        row.add(any ? lat.getStdDeviation() / 1e3 : null);
        row.add(us(lat, 50));
        row.add(us(lat, 90));
        row.add(us(lat, 99));
        row.add(us(lat, 99.9));
        row.add(max(lat));
        row.add(us(t.service(), 50));
        row.add(us(t.service(), 99));
        row.add(us(t.lag(), 50));
        row.add(us(t.lag(), 99));
        row.add(max(t.lag()));
        row.add(r.saturated());
        row.add(r.saturated() ? String.join("; ", r.generatorTrouble()) : null);
        row.add(stopReason == null ? null : stopReason.label());
        row.add(stopDetail);
        steps.row(row);
        writeHgrm(r);
    }

    private void writeHgrm(StepResult r) throws IOException {
        Path file = dir.resolve(String.format("step-%02d-latency.hgrm", r.step()));
        try (OutputStream os = Files.newOutputStream(file);
             PrintStream ps = new PrintStream(os, false, StandardCharsets.UTF_8)) {
            if (r.totals().latency().getTotalCount() > 0) {
                // values are in ns; scaled by 1e6 the file is in milliseconds, like wrk2 --latency
                r.totals().latency().outputPercentileDistribution(ps, 1e6);
            }
        }
    }

    private static Double us(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? null : h.getValueAtPercentile(percentile) / 1e3;
    }

    private static Double max(Histogram h) {
        return h.getTotalCount() == 0 ? null : h.getMaxValue() / 1e3;
    }

    @Override
    public void close() throws IOException {
        try {
            steps.close();
        } finally {
            seconds.close();
        }
    }
}
