package io.unibench.bench.dns;

import io.unibench.UnibenchException;
import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.LoadProtocol;
import io.unibench.load.StepSchedule;
import io.unibench.util.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Cross-check driver: each step runs the real dnsperf ({@code -Q RATE -l SECONDS -c CLIENTS -T THREADS
 * -t TIMEOUT -v}) against the same target and feeds what it prints into the same meter, so its numbers
 * land in the same CSV columns as unibench's own engine. The per-query lines of {@code -v} give the
 * latency histogram (dnsperf measures from its actual send, so latency and service time are the same
 * figure, not corrected for coordinated omission); the summary gives the exact sent, completed and lost
 * counts. dnsperf does not report send times, so the send-lag columns stay empty. A warm-up is a
 * separate dnsperf run whose output is discarded.
 */
public final class DnsperfEngine implements LoadEngine {
    private final InetSocketAddress target;
    private final QueryFile queries;
    private final int clients;
    private final int threads;
    private final Path datafile;
    private final String version;

    public DnsperfEngine(InetSocketAddress target, QueryFile queries, int clients, int threads) {
        this.target = target;
        this.queries = queries;
        this.clients = clients;
        this.threads = threads;
        this.version = version();
        if (version == null) {
            throw new UnibenchException("dnsperf is not installed or does not run (apt-get install dnsperf)");
        }
        try {
            datafile = Files.createTempFile("unibench-dnsperf-", ".txt");
            Files.writeString(datafile, queries.toDatafile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UnibenchException("cannot write the dnsperf datafile: " + e.getMessage(), e);
        }
    }

    /** dnsperf's version line ("DNS Performance Testing Tool Version 2.10.0"), or null when it does not run. */
    public static String version() {
        Processes.Result r = Processes.run(List.of("dnsperf", "-h"), null, 10_000);
        for (String line : r.output().split("\n")) {
            if (line.startsWith("Version ")) {
                return "dnsperf " + line.substring("Version ".length()).strip();
            }
        }
        return null;
    }

    public String versionLine() {
        return version;
    }

    @Override
    public LoadProtocol protocol() {
        return DnsEngine.PROTOCOL;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%s: -c %d -T %d, %d queries from %s", version, clients, threads,
                queries.size(), queries.source());
    }

    /** The dnsperf command line for one run. */
    List<String> command(double rate, double seconds, double timeoutSeconds) {
        // outstanding cap high enough that dnsperf stays open-loop while the target keeps up
        long maxOutstanding = Math.max(100, Math.min(1_000_000, (long) Math.ceil(rate * timeoutSeconds)));
        String host = target.getAddress().getHostAddress();
        List<String> cmd = new ArrayList<>(List.of("dnsperf",
                "-f", target.getAddress() instanceof Inet6Address ? "inet6" : "inet",
                "-s", host, "-p", Integer.toString(target.getPort()), "-d", datafile.toString(),
                "-Q", Long.toString(Math.round(rate)), "-l", num(seconds), "-c", Integer.toString(clients),
                "-T", Integer.toString(threads), "-t", num(timeoutSeconds), "-q", Long.toString(maxOutstanding),
                "-v"));
        return cmd;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    @Override
    public void runStep(StepSchedule schedule, LoadMeter meter) throws InterruptedException {
        long wait = schedule.startNanos() - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        double timeout = schedule.timeoutNanos() / 1e9;
        if (schedule.warmupNanos() > 0) {
            run(command(schedule.rate(), schedule.warmupNanos() / 1e9, timeout), meter, null, schedule);
        }
        if (meter.stopRequested()) {
            return;
        }
        run(command(schedule.rate(), schedule.measureNanos() / 1e9, timeout), meter, meter.newWorker(), schedule);
    }

    /** Runs dnsperf once; records into {@code w} unless it is null (warm-up). */
    private void run(List<String> cmd, LoadMeter meter, LoadMeter.Worker w, StepSchedule schedule)
            throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UnibenchException("cannot start dnsperf: " + e.getMessage(), e);
        }
        StringBuilder other = new StringBuilder();
        long[] lines = new long[2]; // completed, lost
        long measureStart = schedule.measureStartNanos();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8), 1 << 16)) {
                String line;
                while ((line = in.readLine()) != null) {
                    DnsperfOutput.QueryLine q = DnsperfOutput.parseQueryLine(line);
                    if (q == null) {
                        other.append(line).append('\n');
                        continue;
                    }
                    if (w == null) {
                        continue;
                    }
                    long now = System.nanoTime();
                    if (q.timedOut()) {
                        long due = Math.max(measureStart, now - schedule.timeoutNanos());
                        w.sentUntimed(due);
                        w.lost(due);
                        lines[1]++;
                    } else {
                        long sent = Math.max(measureStart, now - (long) (q.latencySeconds() * 1e9));
                        w.sentUntimed(sent);
                        w.completed(sent, sent, sent + (long) (q.latencySeconds() * 1e9), outcome(q.rcode()));
                        lines[0]++;
                    }
                }
            } catch (IOException e) {
                other.append("(reading dnsperf output failed: ").append(e.getMessage()).append(")\n");
            }
        }, "unibench-dnsperf-reader");
        reader.setDaemon(true);
        reader.start();
        boolean signalled = false;
        try {
            while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
                if (meter.stopRequested() && !signalled) {
                    // SIGINT: dnsperf stops sending and still prints its statistics
                    Processes.run("kill", "-INT", Long.toString(p.pid()));
                    signalled = true;
                }
            }
        } catch (InterruptedException e) {
            p.destroy();
            throw e;
        }
        reader.join(10_000);
        if (w == null) {
            return;
        }
        DnsperfOutput.Summary s = DnsperfOutput.parseSummary(other.toString());
        if (!s.complete()) {
            String out = other.toString().strip();
            throw new UnibenchException("dnsperf exited " + p.exitValue() + " without statistics: "
                    + (out.length() > 400 ? out.substring(out.length() - 400) : out).replace('\n', ' '));
        }
        // dnsperf's own totals are the truth; account for queries its -v lines did not report
        // (outstanding when the time limit hit count as lost)
        long missing = s.sent().getAsLong() - lines[0] - lines[1];
        long at = Math.max(measureStart, System.nanoTime() - 1);
        for (long i = 0; i < missing; i++) {
            w.sentUntimed(at);
            w.lost(at);
        }
    }

    static int outcome(String rcode) {
        return switch (rcode) {
            case "NOERROR" -> DnsEngine.OUT_NOERROR;
            case "NXDOMAIN" -> DnsEngine.OUT_NXDOMAIN;
            case "SERVFAIL" -> DnsEngine.OUT_SERVFAIL;
            case "REFUSED" -> DnsEngine.OUT_REFUSED;
            default -> DnsEngine.OUT_OTHER;
        };
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(datafile);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
