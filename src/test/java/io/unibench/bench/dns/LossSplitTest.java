package io.unibench.bench.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.load.IntervalSample;
import io.unibench.load.LoadMeter;
import io.unibench.load.ServerCounts;
import io.unibench.load.StepSchedule;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Located loss: a responder that speaks the stats protocol of the unibench DNS builds and loses queries in
 * two known places, one in ten before it "receives" them (the path) and one in ten after (the server).
 */
class LossSplitTest {

    /** Loses 10 % on the path and 10 % in the server; counts like dnsstats.c; answers stats.unibench. CH TXT. */
    static final class TwoPlaceLosses implements AutoCloseable {
        final DatagramSocket socket;
        final Thread thread;
        long n;
        long received;
        long answered;
        /** While set, the stats question goes unanswered (a server too busy to answer it). */
        volatile boolean statsSilent;

        TwoPlaceLosses() throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::serve, "two-place-losses");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            byte[] buf = new byte[512];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    byte[] q = Arrays.copyOf(p.getData(), p.getLength());
                    if (q[13] == 's' && q[12] == 5) { // stats.unibench
                        if (statsSilent) {
                            continue;
                        }
                        byte[] r = stats(q);
                        socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                        continue;
                    }
                    n++;
                    if (n % 10 == 0) {
                        continue; // lost on the path: never received
                    }
                    received++;
                    if (n % 10 == 5) {
                        continue; // received, not answered
                    }
                    answered++;
                    q[2] = (byte) (q[2] | 0x84);
                    socket.send(new DatagramPacket(q, q.length, p.getSocketAddress()));
                } catch (Exception closed) {
                    return;
                }
            }
        }

        private byte[] stats(byte[] q) {
            String text = "received=" + received + " answered=" + answered + " malformed=0 refused=0 rx_dropped=0";
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(q, 0, q.length);
            byte[] r = b.toByteArray();
            r[2] = (byte) 0x84;
            r[3] = 0;
            r[7] = 1;
            b.reset();
            b.write(r, 0, r.length);
            byte[] t = text.getBytes(StandardCharsets.US_ASCII);
            b.writeBytes(new byte[] {(byte) 0xC0, 12, 0, 16, 0, 3, 0, 0, 0, 0, 0, (byte) (t.length + 1),
                    (byte) t.length});
            b.writeBytes(t);
            return b.toByteArray();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(2000);
        }
    }

    @Test
    void lossIsSplitIntoPathAndServerByTheServersOwnCounters() throws Exception {
        QueryFile qf = QueryFile.parse("t", new StringReader("www.cetic.be A\n"));
        try (TwoPlaceLosses server = new TwoPlaceLosses();
             DnsEngine engine = new DnsEngine((InetSocketAddress) server.socket.getLocalSocketAddress(), qf, 4, 1)) {
            StepSchedule s = new StepSchedule(1, 1000, 4, System.nanoTime() + 20_000_000L, 200_000_000L,
                    1_000_000_000L, 300_000_000L);
            LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
            engine.runStep(s, meter);
            IntervalSample r = meter.sample();
            ServerCounts counts = meter.serverCounts();
            assertThat(counts).as("the responder answers the stats query").isNotNull();
            ServerCounts.LossSplit split = counts.split(r.lost(), r.clientRxDrops());
            assertThat(split.client() + split.path() + split.server()).isEqualTo(r.lost());
            assertThat(split.client()).isZero();
            // 10 % each, give or take the queries in flight when the counters were read
            assertThat(split.path()).isBetween(r.sent() / 10 - 15, r.sent() / 10 + 15);
            assertThat(split.server()).isBetween(r.sent() / 10 - 15, r.sent() / 10 + 15);
        }
    }

    @Test
    void aServerThatMissedTheStatsQuestionOnceIsAskedAgainAtTheNextStep() throws Exception {
        // overloaded, the server drops the stats question with the load; that step has no split, the
        // next ones do (it was once asked never again, and every later step of the ramp lost its split)
        QueryFile qf = QueryFile.parse("t", new StringReader("www.cetic.be A\n"));
        try (TwoPlaceLosses server = new TwoPlaceLosses();
             DnsEngine engine = new DnsEngine((InetSocketAddress) server.socket.getLocalSocketAddress(), qf, 4, 1)) {
            for (int step = 1; step <= 3; step++) {
                server.statsSilent = step == 2;
                StepSchedule s = new StepSchedule(step, 500, 4, System.nanoTime() + 20_000_000L, 100_000_000L,
                        300_000_000L, 300_000_000L);
                LoadMeter meter = new LoadMeter(DnsEngine.PROTOCOL, s.measureStartNanos());
                engine.runStep(s, meter);
                if (step == 2) {
                    assertThat(meter.serverCounts()).as("step 2: no answer to the stats question").isNull();
                } else {
                    assertThat(meter.serverCounts()).as("step " + step).isNotNull();
                }
            }
        }
    }

    @Test
    void aServerThatCannotBeAskedLeavesTheSplitEmpty() {
        byte[] refused = ServerStatsQuery.query();
        refused[2] = (byte) 0x84;
        refused[3] = 5;
        assertThat(ServerStatsQuery.parse(refused, refused.length)).isNull();
        ServerCounts c = new ServerCounts(100, 90, -1);
        assertThat(c.split(30, 5)).isEqualTo(new ServerCounts.LossSplit(5, 15, 10));
        assertThat(c.split(3, 5)).isEqualTo(new ServerCounts.LossSplit(3, 0, 0));
    }
}
