package io.unibench.bench.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unibench.cli.Main;
import java.io.Reader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** `unibench bench dns` end to end against a real knotd on loopback, and against a port that never answers. */
class DnsBenchIT {
    static final List<String> REQUIRED_COLUMNS = List.of("step", "offered_qps", "achieved_send_qps",
            "completed_qps", "sent", "completed", "lost", "loss_pct", "rcode_noerror", "rcode_nxdomain",
            "rcode_servfail", "rcode_refused", "rcode_other", "malformed", "late", "duplicate", "mismatched",
            "latency_min_us", "latency_mean_us", "latency_stddev_us", "latency_p50_us", "latency_p90_us",
            "latency_p99_us", "latency_p99_9_us", "latency_max_us", "service_p50_us", "service_p99_us",
            "generator_saturated", "stop_reason");

    @RegisterExtension
    static final KnotServer.PerClass knotd = new KnotServer.PerClass();

    @TempDir
    Path dir;

    static List<CSVRecord> csv(Path file) throws Exception {
        try (Reader r = Files.newBufferedReader(file)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r).getRecords();
        }
    }

    static long n(CSVRecord r, String column) {
        return Long.parseLong(r.get(column));
    }

    @Test
    void shortRampAgainstKnot() throws Exception {
        Path out = dir.resolve("ramp");
        long before = knotd.server().udpQueries();
        long dropsBefore = knotd.server().kernelDrops();
        int exit = Main.run("bench", "dns", "--target", "127.0.0.1:" + knotd.server().port, "--start-rate", "500",
                "--step", "500", "--max-rate", "1500", "--step-duration", "3s", "--warmup", "0s", "--timeout", "5s",
                // the test checks the accounting, not the server: on a busy CI machine knot may drop a few
                // datagrams (counted below), which must not end the ramp early
                "--max-loss", "50",
                // ...nor a stall of the generator: with 8 builds on 2 cores a sender thread can wait 300 ms
                // for a core, which is rightly flagged by default (10 ms), but not what this test is about
                "--max-send-lag", "1s", "--quiet", "--output", out.toString());
        assertThat(exit).isEqualTo(0);
        List<CSVRecord> steps = csv(out.resolve("steps.csv"));
        assertThat(steps.get(0).getParser().getHeaderNames()).containsAll(REQUIRED_COLUMNS);
        assertThat(steps).hasSize(3);

        long sent = 0;
        long lost = 0;
        for (CSVRecord s : steps) {
            long stepSent = n(s, "sent");
            // the whole schedule, less at most the last 20 ms when the machine is very busy
            long scheduled = Math.round(Double.parseDouble(s.get("offered_qps")) * 3);
            assertThat(stepSent).isBetween(scheduled * 99 / 100, scheduled);
            assertThat(n(s, "completed") + n(s, "lost") + n(s, "malformed")).isEqualTo(stepSent);
            assertThat(n(s, "rcode_noerror") + n(s, "rcode_nxdomain")).isEqualTo(n(s, "completed"));
            assertThat(n(s, "malformed") + n(s, "mismatched") + n(s, "duplicate")).isZero();
            assertThat(s.get("generator_saturated")).isEqualTo("false");
            sent += stepSent;
            lost += n(s, "lost");
        }
        // the generator's warm-up before step 1 loaded knot too, recorded only in run.json
        JsonNode warm = new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("generator_warmup");
        assertThat(warm.path("rate").asDouble()).isEqualTo(500);
        assertThat(warm.path("ended").asText()).isIn("jit quiet", "limit");
        long warmSent = warm.path("sent").asLong();
        long warmLost = warmSent - warm.path("completed").asLong();
        assertThat(warmSent).isPositive();
        // the server saw every query unibench counted as sent, in the warm-up and the steps (datagrams the
        // kernel dropped at the server's socket are the only ones it can miss, and unibench counts those as lost)
        long drops = knotd.server().kernelDrops() - dropsBefore;
        // ...plus the stats.unibench. CH TXT query unibench asks each server once (knot refuses it, so it is
        // not asked again; up to 3 tries when the answer is lost)
        assertThat(knotd.server().udpQueries() - before + drops).isBetween(warmSent + sent + 1, warmSent + sent + 3);
        assertThat(warmLost + lost).isEqualTo(drops);

        CSVRecord first = steps.get(0);
        assertThat(n(first, "lost")).as("loss at 500 qps").isZero();
        // one name in four of the default set does not exist: a quarter NXDOMAIN (exact over whole cycles)
        assertThat(n(first, "rcode_nxdomain") * 4).isCloseTo(n(first, "sent"), org.assertj.core.data.Offset.offset(12L));
        assertThat(Double.parseDouble(first.get("latency_p50_us"))).isPositive();
        assertThat(Double.parseDouble(first.get("service_p50_us")))
                .isLessThanOrEqualTo(Double.parseDouble(first.get("latency_p50_us")) + 1);
        assertThat(steps.get(2).get("stop_reason")).isEqualTo("max-rate");
        assertThat(steps.get(0).get("stop_reason")).isEmpty();

        List<CSVRecord> seconds = csv(out.resolve("seconds.csv"));
        // about one row per second of the 9 s of steps, plus each step's last partial second
        assertThat(seconds.size()).isBetween(8, 30);
        assertThat(seconds.stream().map(r -> r.get("step")).distinct()).containsExactly("1", "2", "3");
        assertThat(seconds.stream().mapToLong(r -> n(r, "sent")).sum()).isEqualTo(sent);

        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.path("stop_reason").asText()).isEqualTo("max-rate");
        assertThat(run.path("target").path("port").asInt()).isEqualTo(knotd.server().port);
        assertThat(run.path("parameters").path("clients").asInt()).isEqualTo(100);
        assertThat(run.path("generator").asText()).contains("100 sockets");
    }

    @Test
    void nxdomainNamesComeBackAsNxdomain() throws Exception {
        Path q = dir.resolve("q.txt");
        Files.writeString(q, "; only names that do not exist\nnope.cetic.be A\nnothing.cetic.be AAAA\n");
        Path out = dir.resolve("nx");
        int exit = Main.run("bench", "dns", "--target", "127.0.0.1:" + knotd.server().port, "--queries", q.toString(),
                "--rate", "400", "--duration", "1s", "--clients", "4", "--threads", "2", "--quiet",
                "--max-send-lag", "1s", "--output", out.toString());
        assertThat(exit).isEqualTo(0);
        CSVRecord s = csv(out.resolve("steps.csv")).get(0);
        assertThat(n(s, "sent")).isBetween(396L, 400L);
        assertThat(n(s, "rcode_nxdomain")).isEqualTo(n(s, "completed"));
        assertThat(n(s, "rcode_noerror")).isZero();
        assertThat(s.get("stop_reason")).isEqualTo("completed");
    }

    @Test
    void tcpTransportPipelinesOverPersistentConnections() throws Exception {
        for (String driver : List.of("unibench", "dnsperf")) {
            Path out = dir.resolve("tcp-" + driver);
            int exit = Main.run("bench", "dns", "--target", "127.0.0.1:" + knotd.server().port, "--transport", "tcp",
                    "--driver", driver, "--rate", "1000", "--duration", "2s", "--warmup", "0s", "--clients", "4",
                    "--quiet", "--output", out.toString());
            assertThat(exit).as(driver).isEqualTo(0);
            CSVRecord s = csv(out.resolve("steps.csv")).get(0);
            long sent = n(s, "sent");
            assertThat(sent).as(driver).isBetween(1500L, 2000L);
            assertThat(n(s, "completed")).as(driver + ": over TCP nothing is lost").isEqualTo(sent);
            assertThat(n(s, "rcode_noerror") + n(s, "rcode_nxdomain")).isEqualTo(sent);
            assertThat(n(s, "mismatched") + n(s, "late") + n(s, "duplicate")).isZero();
            JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
            assertThat(run.path("target").path("transport").asText()).isEqualTo("tcp");
            assertThat(run.path("parameters").path("transport").asText()).isEqualTo("tcp");
            assertThat(run.path("generator").asText()).as(driver).contains("tcp");
        }
    }

    @Test
    void ipv6Target() throws Exception {
        Path out = dir.resolve("v6");
        int exit = Main.run("bench", "dns", "--target", "[::1]:" + knotd.server().port, "--rate", "200",
                "--duration", "1s", "--clients", "2", "--quiet", "--output", out.toString());
        assertThat(exit).isEqualTo(0);
        CSVRecord s = csv(out.resolve("steps.csv")).get(0);
        assertThat(n(s, "sent")).isBetween(198L, 200L);
        assertThat(n(s, "completed")).isEqualTo(n(s, "sent"));
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.path("target").path("address").asText()).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void dnsperfDriverFillsTheSameColumns() throws Exception {
        Path out = dir.resolve("dnsperf");
        // a warm-up longer than --unresponsive: dnsperf's warm-up answers count as heard (it once stopped the
        // run as unresponsive before the measurement began)
        int exit = Main.run("bench", "dns", "--target", "127.0.0.1:" + knotd.server().port, "--driver", "dnsperf",
                "--rate", "1000", "--duration", "2s", "--warmup", "3s", "--unresponsive", "2s", "--clients", "10",
                "--quiet", "--output", out.toString());
        assertThat(exit).isEqualTo(0);
        CSVRecord s = csv(out.resolve("steps.csv")).get(0);
        assertThat(s.get("stop_reason")).isEqualTo("completed");
        long sent = n(s, "sent");
        assertThat(sent).isBetween(1500L, 2100L);
        assertThat(n(s, "completed") + n(s, "lost")).isEqualTo(sent);
        assertThat(n(s, "rcode_noerror") + n(s, "rcode_nxdomain")).isEqualTo(n(s, "completed"));
        assertThat(n(s, "rcode_nxdomain")).isPositive();
        // dnsperf times from its actual send: service time, never labelled as corrected latency
        assertThat(s.get("latency_p99_us")).isEmpty();
        assertThat(s.get("service_p99_us")).isNotEmpty();
        assertThat(s.get("send_lag_p50_us")).isEmpty(); // dnsperf does not report send times
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.path("tools").path("dnsperf").asText()).startsWith("dnsperf 2.");
        assertThat(run.path("parameters").path("latency_corrected").asBoolean(true)).isFalse();
        // the generator warm-up settles unibench's JVM; dnsperf, a process of its own, gets none
        assertThat(run.path("generator_warmup").isMissingNode()).isTrue();
    }

    @Test
    void silentPortEndsUnresponsive() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Path out = dir.resolve("silent");
            long t0 = System.nanoTime();
            int exit = Main.run("bench", "dns", "--target", "127.0.0.1:" + silent.getLocalPort(), "--rate", "200",
                    "--duration", "20s", "--unresponsive", "2s", "--timeout", "1s", "--quiet",
                    "--output", out.toString());
            assertThat(exit).isEqualTo(0);
            assertThat(System.nanoTime() - t0).isLessThan(12_000_000_000L);
            CSVRecord s = csv(out.resolve("steps.csv")).get(0);
            assertThat(s.get("stop_reason")).isEqualTo("unresponsive");
            assertThat(n(s, "completed")).isZero();
            assertThat(n(s, "sent")).isPositive();
            assertThat(n(s, "lost")).isEqualTo(n(s, "sent"));
            assertThat(s.get("loss_pct")).isEqualTo("100");
        }
    }
}
