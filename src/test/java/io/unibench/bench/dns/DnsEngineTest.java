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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import io.unibench.util.WakeupNoise;
import org.junit.jupiter.api.Test;

/**
 * The engine against a deliberately misbehaving responder on loopback: every way an answer can go
 * wrong must land in its own column, and sent = completed + lost + errors must hold exactly.
 */
class DnsEngineTest {
    private DatagramSocket server;
    private Thread serverThread;
    private final ScheduledExecutorService delayed = Executors.newSingleThreadScheduledExecutor();
    private final java.util.concurrent.atomic.AtomicInteger lossyCount = new java.util.concurrent.atomic.AtomicInteger();

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
                case "lossy" -> {
                    if (lossyCount.incrementAndGet() % 5 != 0) {
                        send(r, from); // every 5th dropped: 20 % loss
                    }
                }
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

    @Test
    void fewSocketsAgainstALossyServerKeepTheScheduleInsteadOfCollapsing() throws Exception {
        // 2 sockets with 512 IDs each, 1 s timeout, 20 % lost: each lost query holds its ID for the timeout
        // (~200 per socket at any time). IDs tied to a sequence number blocked every socket behind the first
        // held one once the IDs wrapped (every 0.5 s here; the 275k -> 9.9k/s collapse); a free-ID pool
        // keeps sending.
        QueryFile qf = QueryFile.parse("t", new StringReader("lossy.test A\n"));
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        try (DnsEngine engine = new DnsEngine(target, qf, 2, 1, 512)) {
            StepSchedule s = new StepSchedule(1, 2000, 2, System.nanoTime() + 20_000_000L, 0, 2_000_000_000L,
                    1_000_000_000L);
            LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
            engine.runStep(s, meter);
            IntervalSample r = meter.sample();
            assertThat(r.sent() + r.unsent()).isEqualTo(4000);
            assertThat(r.sent()).isGreaterThan(3960); // the schedule was kept (busy machines may miss a few)
            assertThat(r.sent()).isEqualTo(r.completed() + r.lost() + r.errorsTotal());
            assertThat((double) r.lost() / r.sent()).isBetween(0.17, 0.23);
            assertThat(meter.limits()).isEmpty();
        }
    }

    @Test
    void whenEveryIdIsHeldTheGeneratorCountsUnsentAndSaysWhy() throws Exception {
        // nothing answered, 256 IDs per socket held for a 1 s timeout: ~256 queries per socket and second can
        // go out; the rest of the schedule is counted unsent (not silently skipped) with the reason
        QueryFile qf = QueryFile.parse("t", new StringReader("drop.test A\n"));
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        try (DnsEngine engine = new DnsEngine(target, qf, 2, 1, 256)) {
            StepSchedule s = new StepSchedule(1, 2000, 2, System.nanoTime() + 20_000_000L, 0, 1_500_000_000L,
                    1_000_000_000L);
            LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
            engine.runStep(s, meter);
            IntervalSample r = meter.sample();
            assertThat(r.sent() + r.unsent()).isEqualTo(3000);
            assertThat(r.sent()).isBetween(2 * 256L, 4 * 256L); // one round of IDs, part of a second
            assertThat(r.lost()).isEqualTo(r.sent());
            assertThat(meter.limits()).singleElement().asString()
                    .startsWith("in-flight limit of 256 queries per socket reached on 2 of 2 sockets");
        }
    }

    @Test
    void answersToWarmupQueriesAreNotCountedInTheStep() throws Exception {
        // warm-up queries are answered 450 ms late, inside the measured window: they belong to the warm-up
        QueryFile qf = QueryFile.parse("t", new StringReader("late.test A\n"));
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        try (DnsEngine engine = new DnsEngine(target, qf, 2, 1)) {
            StepSchedule s = new StepSchedule(1, 50, 2, System.nanoTime() + 20_000_000L, 600_000_000L,
                    200_000_000L, 100_000_000L);
            LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
            engine.runStep(s, meter);
            IntervalSample r = meter.sample();
            assertThat(r.sent()).as("unsent %d lost %d took %d ms", r.unsent(), r.lost(),
                    (System.nanoTime() - s.startNanos()) / 1_000_000).isEqualTo(10);
            assertThat(r.lost()).isEqualTo(10);
            assertThat(r.extras()).containsExactly(0, 0, 0);
            assertThat(meter.lastHeardNanos()).as("the late answers were heard, though").isPositive();
        }
    }

    @Test
    void sendsOnTimeAndStampsRepliesWhenTheyCome() throws Exception {
        // at 2k qps the sender sleeps between queries: it must wake on time (no 50 us naps with the default
        // timer slack) and read each reply when it comes, not after its nap
        QueryFile qf = QueryFile.parse("t", new StringReader("ok.test A\n"));
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        // best of five tries, each judged as a whole against the host's noise during that try: a loaded host (8
        // builds on 2 cores) delays some wake-ups, and the noise that hit one try says nothing about another (the
        // best lag and the best excess used to come from any tries, against the noise of all of them so far).
        // The noise is sampled with the generator's own 1 ns timer slack: with the default slack every sample
        // carried ~50 us of it, the defect's size, so the allowance (~57 us on a quiet host) let the defect pass.
        // Sends on time: the old 50 us naps with the default timer slack added >= 50 us to every send, so even the
        // fastest tenth of the sends was late (send lag p10 >= 50 us). Host noise delays many sends but leaves
        // most of the rest on time: with 12 busy loops on 2 cores the lag p50 was 200-2000 us in most tries while
        // its p10 stayed 0 us (and a parked thread, the noise sampler, saw 6-8 us), so the bound is on the p10.
        WakeupNoise noise = WakeupNoise.startLowSlack();
        List<String> tries = new ArrayList<>();
        boolean passed = false;
        for (int attempt = 0; attempt < 5 && !passed; attempt++) {
            int from = noise.samples();
            long reference = pingPongP50(target);
            try (DnsEngine engine = new DnsEngine(target, qf, 10, 1)) {
                StepSchedule s = new StepSchedule(1, 2000, 10, System.nanoTime() + 20_000_000L, 200_000_000L,
                        1_000_000_000L, 1_000_000_000L);
                LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
                engine.runStep(s, meter);
                IntervalSample r = meter.sample();
                if (r.completed() < 1980) {
                    // the responder thread itself starved (load 20 on 2 cores happens here): no precision to judge
                    System.out.printf("2k qps: only %d of 2000 answered, try again%n", r.completed());
                    tries.add("only " + r.completed() + " of 2000 answered");
                    continue;
                }
                long lagP10 = r.lag().getValueAtPercentile(10);
                long lagP50 = r.lag().getValueAtPercentile(50);
                long serviceP50 = r.service().getValueAtPercentile(50);
                long excess = serviceP50 - reference * 3 / 2;
                // what the host added to any short wait during this try (a CI runner may add more than the 50 us
                // this test is about): the bounds are the defect's size on top of it
                long allowance = (long) (noise.quantileMs(0.5, from) * 1e6);
                String t = String.format("send lag p10 %d us (bound %d; p50 %d us), service p50 %d us - 1.5 x"
                                + " blocking ping-pong p50 %d us = %d us (bound %d), host wake-up lateness p50 %.1f us",
                        lagP10 / 1000, (50_000L + allowance) / 1000, lagP50 / 1000, serviceP50 / 1000,
                        reference / 1000, excess / 1000, (25_000L + allowance) / 1000, allowance / 1e3);
                System.out.println("2k qps: " + t);
                tries.add(t);
                // lag p50 idle: 0-17 us; at load 10-20 on 2 cores 34-64 us, with 12 busy loops up to ms; p10 0 us
                passed = lagP10 < 50_000L + allowance && excess < 25_000L + allowance;
            }
        }
        noise.close();
        assertThat(passed).as("a try at 2k qps within its bounds (send lag p10 < 50 us, service p50 < 1.5 x a"
                + " blocking client's round trip + 25 us, each plus that try's host noise); tries: %s", tries).isTrue();
    }

    /** Median round trip of a blocking client to the responder: the best a generator can stamp. */
    private static long pingPongP50(InetSocketAddress target) throws Exception {
        byte[] q = DnsWire.encodeQuery(7, "ok.test", DnsWire.TYPE_A);
        long[] rtt = new long[400];
        try (DatagramSocket c = new DatagramSocket()) {
            c.connect(target);
            c.setSoTimeout(1000);
            byte[] buf = new byte[512];
            for (int i = 0; i < rtt.length; i++) {
                long t0 = System.nanoTime();
                c.send(new DatagramPacket(q, q.length));
                c.receive(new DatagramPacket(buf, buf.length));
                rtt[i] = System.nanoTime() - t0;
                Thread.sleep(0, 500_000);
            }
        }
        Arrays.sort(rtt);
        return rtt[rtt.length / 2];
    }

    @Test
    void socketDropsAreReadPerSocketFromTheKernel() throws Exception {
        UdpSocketDrops drops = new UdpSocketDrops();
        assertThat(drops.available()).as("/proc/net/udp").isTrue();
        try (java.nio.channels.DatagramChannel rx = java.nio.channels.DatagramChannel.open();
             java.nio.channels.DatagramChannel tx = java.nio.channels.DatagramChannel.open()) {
            rx.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
            rx.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            tx.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            rx.connect(tx.getLocalAddress());
            tx.connect(rx.getLocalAddress());
            int port = ((InetSocketAddress) rx.getLocalAddress()).getPort();
            InetSocketAddress peer = (InetSocketAddress) tx.getLocalAddress();
            assertThat(drops.drops(java.util.Set.of(port), peer)).isZero();
            ByteBuffer b = ByteBuffer.allocate(200);
            for (int i = 0; i < 500; i++) { // never read: the 4 KiB buffer holds a handful
                b.clear();
                tx.write(b);
            }
            assertThat(drops.drops(java.util.Set.of(port), peer)).isGreaterThan(400);
            assertThat(drops.drops(java.util.Set.of(port + 1), peer)).isZero();
        }
    }

    @Test
    void aSenderBehindCatchesUpAtTwiceItsRateAndNeverRunsAhead() throws Exception {
        // the step started 200 ms ago: 200 queries are overdue. The backlog goes out at twice the rate, then
        // the schedule is kept; the sender must not run ahead of it (it once did: 2x pace for the whole step)
        QueryFile qf = QueryFile.parse("t", new StringReader("ok.test A\n"));
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        try (DnsEngine engine = new DnsEngine(target, qf, 4, 1)) {
            StepSchedule s = new StepSchedule(1, 1000, 4, System.nanoTime() - 200_000_000L, 0, 1_200_000_000L,
                    1_000_000_000L);
            LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
            engine.runStep(s, meter);
            // the last query is due 1 ms before the end (and may leave 50 us early); running ahead ended ~0.5 s early
            assertThat(System.nanoTime()).as("returned before the schedule ended").isGreaterThan(s.endNanos() - 5_000_000L);
            IntervalSample r = meter.sample();
            assertThat(r.sent() + r.unsent()).isEqualTo(1200);
            assertThat(r.lag().getMaxValue()).isGreaterThan(100_000_000L); // the backlog was late...
            // ...the rest on time (a loaded host adds ~10 ms; running ahead or bursting gave 150 ms)
            assertThat(r.lag().getValueAtPercentile(50)).isLessThan(50_000_000L);
        }
    }

    @Test
    void autoThreadsFollowTheHost() {
        assertThat(DnsEngine.autoThreads(100, 2)).isEqualTo(2); // one thread saturated near 200k here
        assertThat(DnsEngine.autoThreads(1, 2)).isEqualTo(1);
        assertThat(DnsEngine.autoThreads(100, 4)).isEqualTo(2);
        assertThat(DnsEngine.autoThreads(100, 16)).isEqualTo(8);
    }
}
