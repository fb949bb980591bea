package io.unibench.bench.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.load.IntervalSample;
import io.unibench.load.LoadMeter;
import io.unibench.load.StepSchedule;
import io.unibench.protocol.DnsWire;
import java.io.StringReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine against a deliberately misbehaving responder on loopback: every way an answer can go
 * wrong must land in its own column, and sent = completed + lost + errors must hold exactly.
 */
class DnsEngineTest {
    private DatagramSocket server;
    private Thread serverThread;
    private final ScheduledExecutorService delayed = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void startResponder() throws Exception {
        server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        serverThread = new Thread(this::serve, "misbehaving-dns");
        serverThread.setDaemon(true);
        serverThread.start();
    }

    @AfterEach
    void stopResponder() throws Exception {
        server.close();
        serverThread.join(2000);
        delayed.shutdownNow();
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!server.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                server.receive(p);
            } catch (Exception closed) {
                return;
            }
            byte[] q = Arrays.copyOf(p.getData(), p.getLength());
            InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
            String label = new String(q, 13, q[12], java.nio.charset.StandardCharsets.US_ASCII);
            byte[] r = q.clone();
            r[2] = (byte) (r[2] | 0x84); // QR, AA
            switch (label) {
                case "ok" -> send(r, from);
                case "nx" -> {
                    r[3] = DnsWire.RCODE_NXDOMAIN;
                    send(r, from);
                }
                case "dup" -> {
                    send(r, from);
                    send(r, from);
                }
                case "bad" -> {
                    r[7] = 1; // claims an answer record that is not there
                    send(r, from);
                }
                case "swap" -> {
                    r[13 + 3] = 'q'; // same ID, another question
                    send(r, from);
                }
                case "late" -> delayed.schedule(() -> send(r, from), 450, TimeUnit.MILLISECONDS);
                default -> {
                    // "drop": never answered
                }
            }
        }
    }

    private void send(byte[] r, InetSocketAddress to) {
        try {
            server.send(new DatagramPacket(r, r.length, to));
        } catch (Exception e) {
            if (!(e instanceof SocketException) || !server.isClosed()) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void everyKindOfAnswerIsCountedInItsOwnColumn() throws Exception {
        QueryFile qf = QueryFile.parse("t", new StringReader(
                "ok.test A\nnx.test A\ndup.test A\nbad.test A\nswap.test A\ndrop.test A\nlate.test A\n"));
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        try (DnsEngine engine = new DnsEngine(target, qf, 2, 1)) {
            StepSchedule s = new StepSchedule(1, 70, 2, System.nanoTime() + 20_000_000L, 0, 1_000_000_000L,
                    300_000_000L);
            LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
            engine.runStep(s, meter);
            IntervalSample r = meter.sample();
            assertThat(r.sent()).isEqualTo(70); // the last one is due 14 ms before the end
            assertThat(r.sent()).isEqualTo(r.completed() + r.lost() + r.errorsTotal());
            assertThat(r.completed()).isEqualTo(30);
            assertThat(r.outcomes()).containsExactly(20, 10, 0, 0, 0); // ok + dup, nx
            assertThat(r.errors()).containsExactly(10); // bad
            assertThat(r.lost()).isEqualTo(30); // swap, drop, late
            long late = r.extras()[DnsEngine.X_LATE];
            assertThat(r.extras()[DnsEngine.X_DUPLICATE]).isEqualTo(10);
            assertThat(r.extras()[DnsEngine.X_MISMATCHED]).isEqualTo(10);
            // late answers that come after the step has drained are not seen; most come before
            assertThat(late).isBetween(3L, 10L);
            assertThat(r.latency().getTotalCount()).isEqualTo(30);
            // answered queries were answered within the timeout, which runs from the actual send
            assertThat(r.service().getMaxValue()).isLessThan(300_000_000L);
        }
    }

    @Test
    void sendsExactlyTheScheduleAndReusesSocketsAcrossSteps() throws Exception {
        QueryFile qf = QueryFile.parse("t", new StringReader("ok.test A\nnx.test AAAA\n"));
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        try (DnsEngine engine = new DnsEngine(target, qf, 4, 2)) {
            for (int step = 1; step <= 2; step++) {
                StepSchedule s = new StepSchedule(step, 2000, 4, System.nanoTime() + 20_000_000L, 200_000_000L,
                        500_000_000L, 1_000_000_000L);
                LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
                engine.runStep(s, meter);
                IntervalSample r = meter.sample();
                // warm-up not recorded; the last queries may miss the step's end on a very busy machine
                assertThat(r.sent()).as("step %d", step).isBetween(990L, 1000L);
                assertThat(r.completed()).isEqualTo(r.sent());
                assertThat(r.outcomes()[0] - r.outcomes()[1]).isBetween(0L, 1L);
                assertThat(r.extras()).containsExactly(0, 0, 0);
                assertThat(r.lag().getValueAtPercentile(50)).isLessThan(5_000_000L);
            }
        }
    }

    @Test
    void stopRequestEndsSendingAndDrains() throws Exception {
        QueryFile qf = QueryFile.parse("t", new StringReader("drop.test A\n"));
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        try (DnsEngine engine = new DnsEngine(target, qf, 3, 1)) {
            StepSchedule s = new StepSchedule(1, 100, 3, System.nanoTime() + 20_000_000L, 0, 30_000_000_000L,
                    200_000_000L);
            LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
            delayed.schedule(meter::requestStop, 500, TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            engine.runStep(s, meter);
            assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
            IntervalSample r = meter.sample();
            assertThat(r.sent()).isBetween(30L, 200L); // ~50 at 100 qps for 0.5 s; generous for busy machines
            assertThat(r.lost()).isEqualTo(r.sent());
        }
    }

    @Test
    void csvColumnsCarryTheDnsNamesAndUnits() {
        var columns = io.unibench.results.RampCsvSink.steps(DnsEngine.PROTOCOL).names();
        assertThat(columns).containsSubsequence("step", "offered_qps", "achieved_send_qps", "completed_qps", "sent",
                "completed", "lost", "loss_pct", "rcode_noerror", "rcode_nxdomain", "rcode_servfail", "rcode_refused",
                "rcode_other", "malformed", "late", "duplicate", "mismatched", "latency_min_us", "latency_mean_us",
                "latency_stddev_us", "latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_p99_9_us",
                "latency_max_us", "service_p50_us", "service_p99_us", "generator_saturated", "stop_reason");
        assertThat(io.unibench.results.RampCsvSink.seconds(DnsEngine.PROTOCOL).names())
                .contains("run_second", "offered_qps", "sent", "lost", "latency_p99_us");
    }

    @Test
    void hotPathHelpersAgreeWithTheEncodedQueries() {
        byte[] q = DnsWire.encodeQuery(1, "ok.test", DnsWire.TYPE_A);
        ByteBuffer b = ByteBuffer.wrap(q);
        assertThat(DnsWire.wellFormed(b)).isTrue();
        assertThat(DnsWire.questionMatches(b, DnsWire.questionEnd(b), q, DnsWire.questionEnd(q))).isTrue();
    }
}
