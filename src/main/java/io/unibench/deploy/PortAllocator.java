package io.unibench.deploy;

import io.unibench.UnibenchException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.HashSet;
import java.util.Set;

/**
 * The one source of host ports on 127.0.0.1 for instances. A port is handed out when nothing on this host
 * holds it (a bind test on 127.0.0.1 for both TCP and UDP), no recorded instance uses it, and it was not
 * handed out before by this allocator. Use it under {@link StateStore#locked} and record the ports in the
 * state before releasing the lock: then parallel deploys, in one or several processes, never collide.
 * <p>
 * Ports come from {@code [base, base + count)}, by default 20000..29999: below Linux's ephemeral range
 * (32768+), so a client socket cannot grab a port between the test and the bind. Override with
 * {@code -Dunibench.ports=BASE-LAST}.
 */
public final class PortAllocator {
    public static final String RANGE_PROPERTY = "unibench.ports";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final int first;
    private final int last;
    private final Set<Integer> taken = new HashSet<>();
    private int next;

    public PortAllocator(int first, int last, Set<Integer> recorded) {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("bad port range " + first + "-" + last);
        }
        this.first = first;
        this.last = last;
        this.next = first;
        taken.addAll(recorded);
    }

    /** An allocator over the configured range that skips the ports of every instance in {@code state}. */
    public static PortAllocator forState(StateStore state) {
        Set<Integer> used = new HashSet<>();
        for (Instance i : state.list()) {
            for (Endpoint e : i.endpoints()) {
                used.add(e.port());
            }
        }
        int[] range = configuredRange();
        return new PortAllocator(range[0], range[1], used);
    }

    static int[] configuredRange() {
        String p = System.getProperty(RANGE_PROPERTY);
        if (p == null || p.isBlank()) {
            return new int[] {20000, 29999};
        }
        String[] parts = p.trim().split("-");
        try {
            int a = Integer.parseInt(parts[0].trim());
            int b = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : Math.min(65535, a + 9999);
            return new int[] {a, b};
        } catch (NumberFormatException e) {
            throw new UnibenchException("-D" + RANGE_PROPERTY + "=" + p + " is not BASE-LAST");
        }
    }

    /** The next free port; a runtime failure when the whole range is in use. */
    public synchronized int allocate() {
        for (int tries = 0; tries <= last - first; tries++) {
            int port = next;
            next = next == last ? first : next + 1;
            if (taken.contains(port)) {
                continue;
            }
            if (isFree(port)) {
                taken.add(port);
                return port;
            }
        }
        throw new UnibenchException("no free port on 127.0.0.1 in " + first + "-" + last
                + " (set -D" + RANGE_PROPERTY + "=BASE-LAST)");
    }

    /** Marks a port as not to be handed out (e.g. it turned out taken when the instance bound it). */
    public synchronized void exclude(int port) {
        taken.add(port);
    }

    /** True when both a TCP listener and a UDP socket can bind 127.0.0.1:port right now. */
    public static boolean isFree(int port) {
        InetSocketAddress a = new InetSocketAddress(LOOPBACK, port);
        try (ServerSocketChannel tcp = ServerSocketChannel.open(); DatagramChannel udp = DatagramChannel.open()) {
            tcp.bind(a);
            udp.bind(a);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
