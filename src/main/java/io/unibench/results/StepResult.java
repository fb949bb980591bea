package io.unibench.results;

import io.unibench.load.IntervalSample;
import io.unibench.load.LoadProtocol;
import io.unibench.load.ServerCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The measurement of one ramp step: the offered rate, what was sent and answered within the measured
 * window, and the latency histograms (nanoseconds). Rates are per second of measured window.
 *
 * @param step           1-based step number
 * @param offeredRate    scheduled exchanges per second
 * @param measuredNanos  length of the measured window (shorter than planned when the step was cut)
 * @param totals         counts and histograms of the whole step
 * @param saturated      true when the generator did not keep its schedule
 * @param generatorTrouble why the generator, not the server, limited this step, in words (empty when it
 *                       kept up): sent below {@link #MIN_SEND_RATIO} of offered, send-lag p99 above the
 *                       threshold, queries never sent, answers dropped by the generator's own sockets,
 *                       and the limits the engine itself reported
 * @param server         the server's own counters of the step (null when it could not be asked)
 * @param serverCpuNanos CPU time the loaded server consumed during the measured window (QEMU's whole
 *                       process, the container's cgroup, the native process), -1 when unknown (the bench
 *                       does not know which instance it loads)
 */
public record StepResult(int step, double offeredRate, int clients, long measuredNanos, IntervalSample totals,
                         boolean saturated, LoadProtocol protocol, List<String> generatorTrouble,
                         ServerCounts server, long serverCpuNanos) {

    /** The generator counts as saturated below this share of the offered send rate. */
    public static final double MIN_SEND_RATIO = 0.99;
    /**
     * ... or when its send lag p99 exceeds this (the default of {@code --max-send-lag}): a stall that hits
     * 1-2 % of the sends (a descheduled generator thread) must not reach the latency p99 as if the server
     * had caused it.
     */
    public static final long MAX_P99_LAG_NANOS = 10_000_000L;

    public StepResult {
        generatorTrouble = List.copyOf(generatorTrouble);
    }

    /** A step whose server could not be asked for its own counters. */
    public StepResult(int step, double offeredRate, int clients, long measuredNanos, IntervalSample totals,
                      boolean saturated, LoadProtocol protocol, List<String> generatorTrouble) {
        this(step, offeredRate, clients, measuredNanos, totals, saturated, protocol, generatorTrouble, null, -1);
    }

    /**
     * Where this step's lost exchanges were lost (client, path, server), or null when the server could not
     * be asked ({@link ServerCounts}).
     */
    public ServerCounts.LossSplit lossSplit() {
        return server == null ? null : server.split(totals.lost(), totals.clientRxDrops());
    }

    /** The same step with the server's own counters. */
    public StepResult withServer(ServerCounts counts) {
        return new StepResult(step, offeredRate, clients, measuredNanos, totals, saturated, protocol,
                generatorTrouble, counts, serverCpuNanos);
    }

    /** The same step with the server's CPU time over the measured window (-1: unknown). */
    public StepResult withServerCpu(long nanos) {
        return new StepResult(step, offeredRate, clients, measuredNanos, totals, saturated, protocol,
                generatorTrouble, server, nanos < 0 ? -1 : nanos);
    }

    /** Server CPU seconds over the measured window, null when unknown. */
    public Double serverCpuSeconds() {
        return serverCpuNanos < 0 ? null : serverCpuNanos / 1e9;
    }

    /** Server CPU microseconds per completed exchange (query or request), null when unknown or none. */
    public Double cpuMicrosPerQuery() {
        return serverCpuNanos < 0 || totals.completed() <= 0 ? null : serverCpuNanos / 1e3 / totals.completed();
    }

    public static StepResult of(int step, double offeredRate, int clients, long measuredNanos,
                                IntervalSample totals, LoadProtocol protocol) {
        return of(step, offeredRate, clients, measuredNanos, totals, protocol, MAX_P99_LAG_NANOS, List.of());
    }

    public static StepResult of(int step, double offeredRate, int clients, long measuredNanos,
                                IntervalSample totals, LoadProtocol protocol, long maxLagP99Nanos,
                                List<String> limits) {
        StepResult r = new StepResult(step, offeredRate, clients, measuredNanos, totals, false, protocol, List.of());
        List<String> why = new ArrayList<>();
        double achieved = r.attempted() / Math.max(1e-9, r.seconds());
        if (achieved < MIN_SEND_RATIO * offeredRate) {
            why.add(String.format(Locale.ROOT, "sent %.0f/s of %.0f/s offered", achieved, offeredRate));
        }
        if (totals.lag().getTotalCount() > 0 && totals.lag().getValueAtPercentile(99) > maxLagP99Nanos) {
            why.add(String.format(Locale.ROOT, "send lag p99 %.1f ms > %.1f ms (median %.1f ms)",
                    totals.lag().getValueAtPercentile(99) / 1e6, maxLagP99Nanos / 1e6,
                    totals.lag().getValueAtPercentile(50) / 1e6));
        }
        if (totals.recvLag().getTotalCount() > 0 && totals.recvLag().getValueAtPercentile(99) > maxLagP99Nanos) {
            why.add(String.format(Locale.ROOT, "receive lag p99 %.1f ms > %.1f ms (answers waited unread on the "
                    + "generator; median %.1f ms)", totals.recvLag().getValueAtPercentile(99) / 1e6,
                    maxLagP99Nanos / 1e6, totals.recvLag().getValueAtPercentile(50) / 1e6));
        }
        if (totals.unsent() > 0) {
            why.add(totals.unsent() + " never sent");
        }
        if (totals.clientRxDrops() > 0) {
            why.add("its sockets dropped " + totals.clientRxDrops() + " answers unread");
        }
        why.addAll(limits);
        return new StepResult(step, offeredRate, clients, measuredNanos, totals, !why.isEmpty(), protocol, why);
    }

    public double seconds() {
        return measuredNanos / 1e9;
    }

    /**
     * Exchanges the generator handled on schedule: sent, plus those that failed before anything could be
     * written ({@link LoadProtocol#unsentErrors()}, e.g. no connection): the denominator of every
     * percentage.
     */
    public long attempted() {
        long n = totals.sent();
        for (int i : protocol.unsentErrors()) {
            n += totals.errors()[i];
        }
        return n;
    }

    /** Exchanges written per second of measured window. */
    public double achievedSendRate() {
        return seconds() > 0 ? totals.sent() / seconds() : 0;
    }

    public double completedRate() {
        return seconds() > 0 ? totals.completed() / seconds() : 0;
    }

    /** Answers that count as correct (e.g. NOERROR and NXDOMAIN, or HTTP 2xx/3xx) per second. */
    public long successes() {
        long n = 0;
        for (int i : protocol.successes()) {
            n += totals.outcomes()[i];
        }
        return n;
    }

    public double lossPct() {
        return attempted() == 0 ? 0 : 100.0 * totals.lost() / attempted();
    }

    /**
     * Lost exchanges the server can be blamed for, in percent of sent: those not dropped by the
     * generator's own sockets.
     */
    public double serverLossPct() {
        long lost = Math.max(0, totals.lost() - totals.clientRxDrops());
        return attempted() == 0 ? 0 : 100.0 * lost / attempted();
    }

    public double errorPct() {
        return attempted() == 0 ? 0 : 100.0 * totals.errorsTotal() / attempted();
    }

    /** Answers that are not successes (e.g. SERVFAIL, or HTTP 4xx/5xx), in percent of sent. */
    public double unsuccessfulPct() {
        return attempted() == 0 ? 0 : 100.0 * (totals.completed() - successes()) / attempted();
    }

    /**
     * Lost plus errors plus answers that are not successes ({@link LoadProtocol#successes()}), in percent of
     * sent; what the loss stop condition looks at. A server that answers 503 under load is failing even
     * though it answers. Answers the generator's own sockets dropped are not the server's failures.
     */
    public double failurePct() {
        return serverLossPct() + errorPct() + unsuccessfulPct();
    }
}
