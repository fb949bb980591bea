package io.unibench.bench.dns;

import io.unibench.UnibenchException;
import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.LoadProtocol;
import io.unibench.load.StepSchedule;
import io.unibench.util.Processes;
import java.io.IOException;
import java.io.InputStream;
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
 * service-time histogram (dnsperf measures from its actual send: not corrected for coordinated omission,
 * so the corrected-latency columns stay empty rather than carry a figure labelled as what it is not); the summary gives the exact sent, completed and lost
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
    private final boolean tcp;
    /** The dnsperf processes running now (one per step or warm-up), for {@link #processes()}. */
    private final java.util.Set<Long> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public DnsperfEngine(InetSocketAddress target, QueryFile queries, int clients, int threads) {
        this(target, queries, clients, threads, false);
    }

    /** With {@code tcp}, dnsperf runs with {@code -m tcp} (clients = its TCP connections). */
    public DnsperfEngine(InetSocketAddress target, QueryFile queries, int clients, int threads, boolean tcp) {
        this.tcp = tcp;
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
    public java.util.Set<Long> processes() {
        return java.util.Set.copyOf(running);
    }

    @Override
    public InetSocketAddress targetAddress() {
        return target;
    }

    @Override
    public LoadProtocol protocol() {
        return DnsEngine.PROTOCOL;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%s: %s-c %d -T %d -q max(100, 20 ms of queries) -v, %d queries from %s",
                version, tcp ? "-m tcp " : "", clients, threads, queries.size(), queries.source());
    }

    /** The dnsperf command line for one run. */
    List<String> command(double rate, double seconds, double timeoutSeconds) {
        // outstanding cap: 20 ms of queries (dnsperf's default of 100 at 5k qps), so dnsperf stays open
        // loop while the target answers within 20 ms; far larger caps slow dnsperf's own receive path
        // (at -q 250000 it could not keep 50k qps here, and its latencies grew)
        long maxOutstanding = maxOutstanding(rate);
        String host = target.getAddress().getHostAddress();
        List<String> cmd = new ArrayList<>(List.of("dnsperf",
                "-f", target.getAddress() instanceof Inet6Address ? "inet6" : "inet",
                "-s", host, "-p", Integer.toString(target.getPort()), "-d", datafile.toString(),
                "-Q", Long.toString(Math.round(rate)), "-l", num(seconds), "-c", Integer.toString(clients),
                "-T", Integer.toString(threads), "-t", num(timeoutSeconds), "-q", Long.toString(maxOutstanding),
                "-v"));
        if (tcp) {
            cmd.addAll(List.of("-m", "tcp"));
        }
        return cmd;
    }

    static long maxOutstanding(double rate) {
        return Math.max(100, Math.min(65_536, (long) Math.ceil(rate * 0.02)));
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
            run(command(schedule.rate(), schedule.warmupNanos() / 1e9, timeout), meter, meter.newWorker(), schedule,
                    true);
        }
        if (meter.stopRequested()) {
            return;
        }
        run(command(schedule.rate(), schedule.measureNanos() / 1e9, timeout), meter, meter.newWorker(), schedule,
                false);
    }

    /**
     * Runs dnsperf once and records into {@code w}; a warm-up run records nothing but that the target was
     * heard (so a warm-up longer than --unresponsive does not stop an answering target).
     */
    private void run(List<String> cmd, LoadMeter meter, LoadMeter.Worker w, StepSchedule schedule, boolean warmup)
            throws InterruptedException {
        // dnsperf writes to a file, never to a pipe: a reader that falls behind (two busy cores) must not
        // block dnsperf's writes and so slow its sending; the file is followed while it grows (~30 bytes
        // per query) and deleted after the run
        Path output;
        Process p = null;
        try {
            output = Files.createTempFile("unibench-dnsperf-", ".out");
        } catch (IOException e) {
            throw new UnibenchException("cannot create a file for dnsperf's output: " + e.getMessage(), e);
        }
        try {
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new UnibenchException("cannot start dnsperf: " + e.getMessage(), e);
            }
            running.add(p.pid());
            OutputFollower follower = new OutputFollower(output, p, warmup ? null : w, w, schedule);
            Thread reader = new Thread(follower, "unibench-dnsperf-reader");
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
            reader.join();
            if (warmup) {
                return;
            }
            String other = follower.other.toString();
            DnsperfOutput.Summary s = DnsperfOutput.parseSummary(other);
            if (!s.complete()) {
                String out = other.strip();
                throw new UnibenchException("dnsperf exited " + p.exitValue() + " without statistics: "
                        + (out.length() > 400 ? out.substring(out.length() - 400) : out).replace('\n', ' '));
            }
            // dnsperf's own totals are the truth; account for queries its -v lines did not report
            // (outstanding when the time limit hit count as lost)
            long missing = s.sent().getAsLong() - follower.completed - follower.lost;
            long at = Math.max(schedule.measureStartNanos(), System.nanoTime() - 1);
            for (long i = 0; i < missing; i++) {
                w.sentUntimed(at);
                w.lost(at);
            }
            // what dnsperf did not send is counted, and said why when its outstanding cap was the reason:
            // lost queries hold their -q slots until the timeout, so a lossy server throttles dnsperf
            // (server loss, not the generator's capacity)
            long window = meter.stopRequested()
                    ? Math.min(schedule.measureNanos(), meter.stopRequestedNanos() - schedule.measureStartNanos())
                    : schedule.measureNanos();
            long scheduled = Math.round(schedule.rate() * Math.max(0, window) / 1e9);
            long unsent = scheduled - s.sent().getAsLong();
            if (unsent > scheduled / 100) {
                for (long i = 0; i < unsent; i++) {
                    w.unsent(at);
                }
                long lost = follower.lost + missing;
                if (lost > 0) {
                    meter.limit("dnsperf-q", String.format(Locale.ROOT,
                            "dnsperf's cap of %d outstanding queries (-q) was held by %d lost queries until their "
                                    + "timeout: it sent less because the server lost queries",
                            maxOutstanding(schedule.rate()), lost));
                }
            }
        } finally {
            if (p != null) {
                running.remove(p.pid());
            }
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    /** Follows dnsperf's output file while it grows, recording each {@code -v} line as it is read. */
    private static final class OutputFollower implements Runnable {
        private final Path file;
        private final Process process;
        private final LoadMeter.Worker worker;
        private final LoadMeter.Worker heard;
        private final StepSchedule schedule;
        final StringBuilder other = new StringBuilder();
        long completed;
        long lost;

        OutputFollower(Path file, Process process, LoadMeter.Worker worker, LoadMeter.Worker heard,
                       StepSchedule schedule) {
            this.file = file;
            this.process = process;
            this.worker = worker;
            this.heard = heard;
            this.schedule = schedule;
        }

        @Override
        public void run() {
            byte[] buf = new byte[1 << 16];
            byte[] line = new byte[4096];
            int len = 0;
            boolean exited = false;
            try (InputStream in = Files.newInputStream(file)) {
                while (true) {
                    int n = in.read(buf);
                    if (n > 0) {
                        for (int i = 0; i < n; i++) {
                            byte b = buf[i];
                            if (b == '\n') {
                                line(new String(line, 0, len, StandardCharsets.ISO_8859_1));
                                len = 0;
                            } else if (len < line.length) {
                                line[len++] = b;
                            }
                        }
                    } else if (exited) {
                        break; // end of file after dnsperf exited: all read
                    } else if (!process.isAlive()) {
                        exited = true; // read once more: what it wrote last
                    } else {
                        Thread.sleep(5);
                    }
                }
            } catch (IOException e) {
                other.append("(reading dnsperf output failed: ").append(e.getMessage()).append(")\n");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (len > 0) {
                line(new String(line, 0, len, StandardCharsets.ISO_8859_1));
            }
        }

        private void line(String text) {
            DnsperfOutput.QueryLine q = DnsperfOutput.parseQueryLine(text);
            if (q == null) {
                other.append(text).append('\n');
                return;
            }
            long now = System.nanoTime();
            if (!q.timedOut()) {
                heard.heard(now);
            }
            if (worker == null) {
                return; // warm-up run
            }
            long measureStart = schedule.measureStartNanos();
            if (q.timedOut()) {
                long due = Math.max(measureStart, now - schedule.timeoutNanos());
                worker.sentUntimed(due);
                worker.lost(due);
                lost++;
            } else {
                long latency = (long) (q.latencySeconds() * 1e9);
                long sent = Math.max(measureStart, now - latency);
                worker.sentUntimed(sent);
                // dnsperf times from its actual send: service time only, the corrected columns stay empty
                worker.completedUncorrected(sent, sent + latency, outcome(q.rcode()));
                completed++;
            }
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
