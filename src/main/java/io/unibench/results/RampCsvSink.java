package io.unibench.results;

import static io.unibench.results.CsvLayout.added;
import static io.unibench.results.CsvLayout.column;

import io.unibench.load.IntervalSample;
import io.unibench.load.LoadProtocol;
import io.unibench.results.CsvLayout.Column;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /**
     * What one {@code steps.csv} row is made of; {@code stopReason} is non-null on the last step only;
     * {@code backend} and {@code label} are the run's (null when it has none), on every row, so many runs'
     * tables concatenate without a join.
     */
    public record StepRow(StepResult result, StopReason stopReason, String stopDetail, String backend, String label) {
        IntervalSample totals() {
            return result.totals();
        }
    }

    /** What one {@code seconds.csv} row is made of; {@code at}: when the second's sample was taken (UTC). */
    public record SecondRow(int runSecond, int step, double offeredRate, IntervalSample sample, java.time.Instant at) {
    }

    // ---- steps.csv: one row per step. Names with a rate carry the protocol's unit (offered_qps, offered_rps).
    public static final String STEPS_FILE = "steps.csv";
    public static final Column<StepRow> STEP = column("step", r -> r.result().step());
    public static final Column<StepRow> CLIENTS = column("clients", r -> r.result().clients());
    public static final Column<StepRow> DURATION_S = column("duration_s", r -> r.result().seconds());
    public static final Column<StepRow> COMPLETED = column("completed", r -> r.totals().completed());
    public static final Column<StepRow> LOSS_PCT = column("loss_pct", r -> r.result().lossPct());
    public static final Column<StepRow> ERRORS = column("errors", r -> r.totals().errorsTotal());
    public static final Column<StepRow> ERROR_PCT = column("error_pct", r -> r.result().errorPct());
    /** Due in the step, never sent by the generator (it fell behind, or had no free query ID). */
    public static final Column<StepRow> UNSENT = added("unsent", r -> r.totals().unsent());
    /** Answers the generator's own sockets dropped unread (receive buffer full); they are in the lost count. */
    public static final Column<StepRow> CLIENT_RX_DROPS = added("client_rx_drops", r -> r.totals().clientRxDrops());
    public static final Column<StepRow> LATENCY_MIN_US = column("latency_min_us", r -> any(r.totals().latency())
            ? r.totals().latency().getMinValue() / 1e3 : null);
    public static final Column<StepRow> LATENCY_MEAN_US = column("latency_mean_us", r -> any(r.totals().latency())
            ? r.totals().latency().getMean() / 1e3 : null);
    public static final Column<StepRow> LATENCY_STDDEV_US = column("latency_stddev_us",
            r -> any(r.totals().latency()) ? r.totals().latency().getStdDeviation() / 1e3 : null);
    public static final Column<StepRow> LATENCY_P50_US = column("latency_p50_us", r -> us(r.totals().latency(), 50));
    public static final Column<StepRow> LATENCY_P90_US = column("latency_p90_us", r -> us(r.totals().latency(), 90));
    public static final Column<StepRow> LATENCY_P99_US = column("latency_p99_us", r -> us(r.totals().latency(), 99));
    public static final Column<StepRow> LATENCY_P99_9_US = column("latency_p99_9_us",
            r -> us(r.totals().latency(), 99.9));
    public static final Column<StepRow> LATENCY_MAX_US = column("latency_max_us", r -> max(r.totals().latency()));
    public static final Column<StepRow> SERVICE_P50_US = column("service_p50_us", r -> us(r.totals().service(), 50));
    public static final Column<StepRow> SERVICE_P99_US = column("service_p99_us", r -> us(r.totals().service(), 99));
    public static final Column<StepRow> SEND_LAG_P50_US = column("send_lag_p50_us", r -> us(r.totals().lag(), 50));
    public static final Column<StepRow> SEND_LAG_P99_US = column("send_lag_p99_us", r -> us(r.totals().lag(), 99));
    public static final Column<StepRow> SEND_LAG_MAX_US = column("send_lag_max_us", r -> max(r.totals().lag()));
    /**
     * How long answers may have waited unread on the generator's side (its read loop busy): the part of the
     * latency that is the generator's; empty for engines that do not stamp it (DNS: see client_rx_drops).
     */
    public static final Column<StepRow> RECV_LAG_P50_US = added("recv_lag_p50_us", r -> us(r.totals().recvLag(), 50));
    public static final Column<StepRow> RECV_LAG_P99_US = added("recv_lag_p99_us", r -> us(r.totals().recvLag(), 99));
    public static final Column<StepRow> GENERATOR_SATURATED = column("generator_saturated",
            r -> r.result().saturated());
    /** Lost queries the generator's own sockets dropped; empty when the server could not be asked. */
    public static final Column<StepRow> LOSS_CLIENT = added("loss_client",
            r -> r.result().lossSplit() == null ? null : r.result().lossSplit().client());
    /** Lost between generator and server (never received, or answered and never delivered). */
    public static final Column<StepRow> LOSS_PATH = added("loss_path",
            r -> r.result().lossSplit() == null ? null : r.result().lossSplit().path());
    /** Lost in the server (received, not answered; or dropped at its full receive buffer). */
    public static final Column<StepRow> LOSS_SERVER = added("loss_server",
            r -> r.result().lossSplit() == null ? null : r.result().lossSplit().server());
    /**
     * Highest share of host CPU used by processes outside the benchmark in any second of the step (above 5 %
     * the step's figures are suspect); empty off Linux.
     */
    public static final Column<StepRow> HOST_NOISE_MAX_PCT = added("host_noise_max_pct",
            r -> Double.isNaN(r.totals().hostNoisePct()) ? null : r.totals().hostNoisePct());
    /** Why the generator limited the step, in words; empty when it kept up. */
    public static final Column<StepRow> GENERATOR_DETAIL = added("generator_detail",
            r -> r.result().saturated() ? String.join("; ", r.result().generatorTrouble()) : null);
    public static final Column<StepRow> STOP_REASON = column("stop_reason",
            r -> r.stopReason() == null ? null : r.stopReason().label());
    public static final Column<StepRow> STOP_DETAIL = column("stop_detail", StepRow::stopDetail);
    public static final Column<StepRow> BACKEND = CsvLayout.added("backend", StepRow::backend);
    public static final Column<StepRow> LABEL = CsvLayout.added("label", StepRow::label);
    /** The loaded server's CPU time over the measured window (QEMU process incl. vCPU and I/O threads,
     * container cgroup, native process); empty when the bench does not know the instance. */
    public static final Column<StepRow> SERVER_CPU_S = added("server_cpu_s", r -> r.result().serverCpuSeconds());
    /** Server CPU per completed query / request in microseconds (= CPU seconds per million). */
    public static final Column<StepRow> CPU_US_PER_QUERY = added("cpu_us_per_query",
            r -> r.result().cpuMicrosPerQuery());

    /** Position of the protocol's sent and lost counts in the steps layout (their names differ per protocol). */
    static final int SENT_AT = 6;
    static final int LOST_AT = 8;

    /** {@code offered_<unit>}: scheduled exchanges per second. */
    public static String offered(String unit) {
        return "offered_" + unit;
    }

    /** {@code achieved_send_<unit>}: what the generator really sent per second of the measured window. */
    public static String achievedSend(String unit) {
        return "achieved_send_" + unit;
    }

    /** {@code completed_<unit>}: answers per second. */
    public static String completed(String unit) {
        return "completed_" + unit;
    }

    /** The steps.csv layout of a protocol. */
    public static CsvLayout<StepRow> steps(LoadProtocol p) {
        String u = p.rateUnit();
        List<Column<StepRow>> c = new ArrayList<>(List.of(STEP,
                column(offered(u), r -> r.result().offeredRate()),
                column(achievedSend(u), r -> r.result().achievedSendRate()),
                column(completed(u), r -> r.result().completedRate()),
                CLIENTS, DURATION_S,
                column(p.sentName(), r -> r.totals().sent()),
                COMPLETED,
                column(p.lostName(), r -> r.totals().lost()),
                LOSS_PCT, ERRORS, ERROR_PCT, UNSENT, CLIENT_RX_DROPS, LOSS_CLIENT, LOSS_PATH, LOSS_SERVER));
        for (int i = 0; i < p.outcomes().size(); i++) {
            int k = i;
            c.add(column(p.outcomes().get(i), r -> r.totals().outcomes()[k]));
        }
        for (int i = 0; i < p.errors().size(); i++) {
            int k = i;
            c.add(column(p.errors().get(i), r -> r.totals().errors()[k]));
        }
        for (int i = 0; i < p.extras().size(); i++) {
            int k = i;
            c.add(column(p.extras().get(i), r -> r.totals().extras()[k]));
        }
        c.addAll(List.of(LATENCY_MIN_US, LATENCY_MEAN_US, LATENCY_STDDEV_US, LATENCY_P50_US, LATENCY_P90_US,
                LATENCY_P99_US, LATENCY_P99_9_US, LATENCY_MAX_US, SERVICE_P50_US, SERVICE_P99_US, SEND_LAG_P50_US,
                SEND_LAG_P99_US, SEND_LAG_MAX_US, RECV_LAG_P50_US, RECV_LAG_P99_US, GENERATOR_SATURATED, GENERATOR_DETAIL, HOST_NOISE_MAX_PCT, STOP_REASON,
                STOP_DETAIL, SERVER_CPU_S, CPU_US_PER_QUERY, BACKEND, LABEL));
        return new CsvLayout<>(STEPS_FILE, c);
    }

    /**
     * How a steps.csv names its protocol-dependent columns, read back from its header (for readers that do
     * not know the protocol): the rate unit and the names of the sent and lost counts.
     *
     * @return null when the header names no offered rate; sent and lost are null when the header does not
     *         follow this layout (a hand-made table)
     */
    public static StepsHeader stepsHeader(List<String> header) {
        if (header.size() <= LOST_AT + 1 || !header.get(1).startsWith("offered_")) {
            return null;
        }
        String unit = header.get(1).substring("offered_".length());
        List<String> expected = steps(new LoadProtocol("", unit, "?sent", "?lost", List.of(), List.of(), List.of(), List.of()))
                .names();
        for (int i = 0; i <= LOST_AT + 1; i++) {
            if (i != SENT_AT && i != LOST_AT && !expected.get(i).equals(header.get(i))) {
                return new StepsHeader(unit, null, null);
            }
        }
        return new StepsHeader(unit, header.get(SENT_AT), header.get(LOST_AT));
    }

    /** The protocol-dependent names of a steps.csv or seconds.csv. */
    public record StepsHeader(String rateUnit, String sent, String lost) {
    }

    // ---- seconds.csv: one row per second of the run, for time series
    public static final String SECONDS_FILE = "seconds.csv";
    public static final Column<SecondRow> RUN_SECOND = column("run_second", SecondRow::runSecond);
    public static final Column<SecondRow> SECOND_STEP = column("step", SecondRow::step);
    public static final Column<SecondRow> SECOND_COMPLETED = column("completed", r -> r.sample().completed());
    public static final Column<SecondRow> SECOND_ERRORS = column("errors", r -> r.sample().errorsTotal());
    /** Due in that second, never sent by the generator. */
    public static final Column<SecondRow> SECOND_UNSENT = added("unsent", r -> r.sample().unsent());
    public static final Column<SecondRow> SECOND_LATENCY_P50_US = column("latency_p50_us",
            r -> us(r.sample().latency(), 50));
    public static final Column<SecondRow> SECOND_LATENCY_P99_US = column("latency_p99_us",
            r -> us(r.sample().latency(), 99));
    public static final Column<SecondRow> SECOND_LATENCY_MAX_US = column("latency_max_us",
            r -> max(r.sample().latency()));
    public static final Column<SecondRow> SECOND_SEND_LAG_P99_US = column("send_lag_p99_us",
            r -> us(r.sample().lag(), 99));
    /** Share of host CPU used by processes outside the benchmark in that second; empty off Linux. */
    public static final Column<SecondRow> SECOND_HOST_NOISE_PCT = added("host_noise_pct",
            r -> Double.isNaN(r.sample().hostNoisePct()) ? null : r.sample().hostNoisePct());
    /** Position of the protocol's sent and lost counts in the seconds layout. */
    static final int SECOND_SENT_AT = 3;
    static final int SECOND_LOST_AT = 5;

    public static CsvLayout<SecondRow> seconds(LoadProtocol p) {
        return CsvLayout.of(SECONDS_FILE, RUN_SECOND, SECOND_STEP,
                column(offered(p.rateUnit()), SecondRow::offeredRate),
                column(p.sentName(), r -> r.sample().sent()),
                SECOND_COMPLETED,
                column(p.lostName(), r -> r.sample().lost()),
                SECOND_ERRORS, SECOND_UNSENT, SECOND_LATENCY_P50_US, SECOND_LATENCY_P99_US, SECOND_LATENCY_MAX_US,
                SECOND_SEND_LAG_P99_US, SECOND_HOST_NOISE_PCT, T_UTC);
    }

    /**
     * The protocol-dependent names of a seconds.csv, read back from its header like {@link #stepsHeader}.
     *
     * @return null when the header does not follow this layout
     */
    public static StepsHeader secondsHeader(List<String> header) {
        if (header.size() <= SECOND_LOST_AT + 1 || !header.get(2).startsWith("offered_")) {
            return null;
        }
        String unit = header.get(2).substring("offered_".length());
        List<String> expected = seconds(new LoadProtocol("", unit, "?sent", "?lost", List.of(), List.of(), List.of(),
                List.of())).names();
        for (int i = 0; i <= SECOND_LOST_AT + 1; i++) {
            if (i != SECOND_SENT_AT && i != SECOND_LOST_AT && !expected.get(i).equals(header.get(i))) {
                return null;
            }
        }
        return new StepsHeader(unit, header.get(SECOND_SENT_AT), header.get(SECOND_LOST_AT));
    }

    /** Absolute time of each second (ISO-8601 UTC, millisecond precision), so runs line up on one time axis. */
    public static final Column<SecondRow> T_UTC = CsvLayout.added("t_utc",
            r -> r.at().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());

    private final Path dir;
    private final CsvLayout.Writer<StepRow> steps;
    private final CsvLayout.Writer<SecondRow> seconds;
    private final String backend;
    private final String label;

    public RampCsvSink(Path dir, LoadProtocol protocol) throws IOException {
        this(dir, protocol, null, null);
    }

    public RampCsvSink(Path dir, LoadProtocol protocol, String backend, String label) throws IOException {
        this.dir = dir;
        this.backend = backend;
        this.label = label;
        this.steps = steps(protocol).create(dir);
        this.seconds = seconds(protocol).create(dir);
    }

    @Override
    public void second(int runSecond, int step, double offeredRate, IntervalSample s) throws IOException {
        seconds.row(new SecondRow(runSecond, step, offeredRate, s, java.time.Instant.now()));
    }

    @Override
    public void step(StepResult r, StopReason stopReason, String stopDetail) throws IOException {
        steps.row(new StepRow(r, stopReason, stopDetail, backend, label));
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

    private static boolean any(Histogram h) {
        return h.getTotalCount() > 0;
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
