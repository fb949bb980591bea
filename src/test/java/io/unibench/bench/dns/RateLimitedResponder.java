package io.unibench.bench.dns;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A DNS responder on loopback with a hard capacity: a token bucket of {@code qps} tokens per second (burst
 * of 50 ms worth, so a responder thread that waits a little for a core still answers) answers each query it has a token for (NOERROR, the question echoed) and drops the rest,
 * like a server that cannot do more. Its break point is known exactly, which is what a ramp with
 * {@code --max-rate auto} must find.
 */
final class RateLimitedResponder implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final double qps;
    private final double burst;
    volatile long answered;
    volatile long dropped;

    RateLimitedResponder(double qps) throws Exception {
        this.qps = qps;
        this.burst = Math.max(5, qps * 0.05);
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setReceiveBufferSize(1 << 20);
        this.thread = new Thread(this::serve, "rate-limited-dns");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buf = new byte[512];
        double tokens = burst;
        long last = System.nanoTime();
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (Exception closed) {
                return;
            }
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) * qps / 1e9);
            last = now;
            if (tokens < 1) {
                dropped++;
                continue;
            }
            tokens -= 1;
            byte[] r = java.util.Arrays.copyOf(p.getData(), p.getLength());
            r[2] = (byte) (r[2] | 0x84); // QR, AA; rcode NOERROR
            try {
                socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                answered++;
            } catch (Exception e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
