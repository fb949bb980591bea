package io.unibench.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.unibench.results.BootCsv;
import io.unibench.bench.dns.DnsEngine;
import io.unibench.results.CsvTable;
import io.unibench.results.RampCsvSink;
import io.unibench.results.RunMetadata;
import io.unibench.results.FootprintCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Writes run folders with known distributions, in the layouts the benchmarks write (the writers' own
 * column lists), so compare is tested on data whose true difference is known.
 */
public final class FixtureRuns {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FixtureRuns() {
    }

    public static void runJson(Path dir, String benchmark, String backend) throws IOException {
        Files.createDirectories(dir);
        ObjectNode n = JSON.createObjectNode();
        n.put("benchmark", benchmark);
        n.put("status", "complete");
        if (backend != null) {
            n.put("backend", backend);
        }
        ObjectNode p = n.putObject("parameters");
        p.put("stop_max_loss_pct", 1.0);
        p.put("stop_max_p99_s", 1.0);
        JSON.writeValue(dir.resolve(RunMetadata.FILE).toFile(), n);
    }

    /** A boot run: {@code n} cold boots per backend, normal around {@code meanMs[i]} with sd {@code sdMs}. */
    public static Path boot(Path dir, long seed, int n, double sdMs, String[] backends, double[] meanMs)
            throws IOException {
        runJson(dir, "boot", null);
        Random r = new Random(seed);
        try (CsvTable t = new CsvTable(dir.resolve(BootCsv.EVENTS.file()), BootCsv.EVENTS.names())) {
            for (int b = 0; b < backends.length; b++) {
                for (int i = 1; i <= n; i++) {
                    double ms = Math.max(1, meanMs[b] + sdMs * r.nextGaussian());
                    t.row(Arrays.asList("cold", backends[b], "dns", 0, i, backends[b] + "-cold-" + i, 1.0, ms / 3,
                            ms * 0.8, ms, "ready", null, null, null, null, null));
                }
                // a failed boot is not a boot time
                t.row(Arrays.asList("cold", backends[b], "dns", 0, n + 1, backends[b] + "-cold-x", 1.0, null, null,
                        null, "timeout", null, null, null, null, null));
            }
        }
        return dir;
    }

    /**
     * A DNS ramp whose server holds up to {@code breakQps} (0 % loss below, 5 % at and above it), with
     * per-second p99 around {@code p99Us}; {@code seconds} per step, steps of 1000 qps.
     */
    public static Path dnsRamp(Path dir, String backend, long seed, int steps, int seconds, double breakQps,
                               double p99Us) throws IOException {
        runJson(dir, "dns", backend);
        Random r = new Random(seed);
        List<String> cols = RampCsvSink.seconds(DnsEngine.PROTOCOL).names();
        try (CsvTable t = new CsvTable(dir.resolve(RampCsvSink.SECONDS_FILE), cols)) {
            int sec = 0;
            for (int s = 1; s <= steps; s++) {
                double rate = 1000.0 * s;
                for (int i = 0; i < seconds; i++) {
                    long sent = (long) rate;
                    long lost = rate >= breakQps ? sent / 20 : r.nextInt(2);
                    double p99 = p99Us * (1 + 0.05 * r.nextGaussian());
                    List<Object> row = new ArrayList<>(Arrays.asList(sec++, s, rate, sent, sent - lost, lost, 0, 0,
                            p99 / 3, p99, p99 * 2, 50.0, 1.0, "2026-12-01T10:00:" + String.format("%02d", sec % 60) + "Z"));
                    t.row(row);
                }
                if (rate >= breakQps) {
                    break;
                }
            }
        }
        return dir;
    }

    public static void footprint(Path dir, long dnsQemuImage, long rss) throws IOException {
        Files.createDirectories(dir);
        try (CsvTable t = new CsvTable(dir.resolve(FootprintCsv.LAYOUT.file()), FootprintCsv.LAYOUT.names())) {
            t.row(Arrays.asList("dns", "qemu", "qemu-dns-1", dnsQemuImage, 8 << 20, rss, 0.3, 3));
            t.row(Arrays.asList("dns", "docker", "docker-dns-1", 942080, 128 << 20, 1466368, 0.0, 3));
        }
    }
}
