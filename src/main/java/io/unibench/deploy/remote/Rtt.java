package io.unibench.deploy.remote;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;

/**
 * The client-to-server round trip, measured before a run against a server so a reader can subtract it from
 * boot times seen from the client: the median of several TCP connects to a port that listens there (a connect
 * is one SYN / SYN-ACK round trip), in milliseconds.
 */
public final class Rtt {
    private Rtt() {
    }

    /** Median connect time over {@code tries} to {@code host:port}, or -1 when none succeeded. */
    public static double tcpConnectMillis(String host, int port, int tries) {
        double[] ms = new double[tries];
        int ok = 0;
        for (int i = 0; i < tries; i++) {
            try (Socket s = new Socket()) {
                long t0 = System.nanoTime();
                s.connect(new InetSocketAddress(host, port), 2000);
                ms[ok++] = (System.nanoTime() - t0) / 1e6;
            } catch (IOException e) {
                // counted as missing
            }
        }
        return median(Arrays.copyOf(ms, ok));
    }

    /** Median of {@code tries} timed calls of {@code call} (an API round trip), in ms; -1 when all failed. */
    public static double callMillis(Runnable call, int tries) {
        double[] ms = new double[tries];
        int ok = 0;
        for (int i = 0; i < tries; i++) {
            try {
                long t0 = System.nanoTime();
                call.run();
                ms[ok++] = (System.nanoTime() - t0) / 1e6;
            } catch (RuntimeException e) {
                // counted as missing
            }
        }
        return median(Arrays.copyOf(ms, ok));
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return -1;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    public static String describe(double ms) {
        return ms < 0 ? "not measured" : String.format(Locale.ROOT, "%.3f", ms);
    }
}
