package io.unibench.bench.dns;

import io.unibench.protocol.DnsWire;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Asks a DNS server for its own counters with {@code stats.unibench. CH TXT} (answered by the unibench
 * DNS builds, unikernel and container alike: "received=N answered=N malformed=N refused=N
 * rx_dropped=N|unknown"). A server that does not answer it (a foreign target refuses CHAOS queries, or
 * stays silent) yields null, and the loss-split columns stay empty.
 */
final class ServerStatsQuery {
    static final int TYPE_TXT = 16;
    static final int CLASS_CH = 3;
    private static final int TRIES = 3;
    private static final int WAIT_MILLIS = 300;

    private final InetSocketAddress target;

    ServerStatsQuery(InetSocketAddress target) {
        this.target = target;
    }

    /** The server's counters, or null when it cannot be asked. */
    Map<String, Long> ask() {
        byte[] q = query();
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(target);
            s.setSoTimeout(WAIT_MILLIS);
            byte[] buf = new byte[1500];
            for (int i = 0; i < TRIES; i++) {
                s.send(new DatagramPacket(q, q.length));
                try {
                    while (true) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        s.receive(p);
                        if (p.getLength() >= 12 && (buf[0] & 0xFF) == 0x5e && (buf[1] & 0xFF) == 0xed) {
                            return parse(buf, p.getLength());
                        }
                    }
                } catch (SocketTimeoutException retry) {
                    // lost under load: ask again
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** {@code stats.unibench. CH TXT}, ID 0x5eed. */
    static byte[] query() {
        byte[] q = DnsWire.encodeQuery(0x5eed, "stats.unibench", TYPE_TXT);
        q[q.length - 1] = (byte) CLASS_CH; // the question's class is its last two bytes
        return q;
    }

    /** The key=value pairs of the answer's TXT text, or null when it is not our stats answer. */
    static Map<String, Long> parse(byte[] r, int len) {
        if ((r[3] & 0x0F) != 0) {
            return null; // REFUSED, NOTIMP...: a server without our counters
        }
        String text = new String(r, 0, len, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("received=");
        if (at < 0) {
            return null;
        }
        Map<String, Long> m = new HashMap<>();
        for (String kv : text.substring(at).split(" ")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String v = kv.substring(eq + 1).replaceAll("[^0-9a-z].*$", "");
            try {
                m.put(kv.substring(0, eq), Long.parseLong(v));
            } catch (NumberFormatException unknown) {
                m.put(kv.substring(0, eq), -1L); // "unknown": the server cannot see such drops
            }
        }
        return m.containsKey("received") && m.containsKey("answered") ? m : null;
    }
}
