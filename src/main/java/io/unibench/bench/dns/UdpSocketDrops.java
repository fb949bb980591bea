package io.unibench.bench.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Datagrams the kernel dropped on given UDP sockets because their receive buffer was full (the per-socket
 * {@code drops} column of {@code /proc/net/udp} and {@code /proc/net/udp6}, the counter behind
 * {@code SO_RXQ_OVFL}). Sockets are told apart by local port and connected peer, both unique for the
 * generator's connected sockets. On a system without these files every count is 0 and {@link #available}
 * says so.
 */
final class UdpSocketDrops {
    private final Path udp;
    private final Path udp6;

    UdpSocketDrops() {
        this(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));
    }

    UdpSocketDrops(Path udp, Path udp6) {
        this.udp = udp;
        this.udp6 = udp6;
    }

    boolean available() {
        return Files.isReadable(udp);
    }

    /**
     * Sum of the drops of the sockets bound to {@code localPorts} and connected to {@code peer}. Both files
     * are read: Java opens dual-stack IPv6 sockets, which show in udp6 even when they talk IPv4.
     */
    long drops(Set<Integer> localPorts, InetSocketAddress peer) {
        return drops(udp, localPorts, peer) + drops(udp6, localPorts, peer);
    }

    private static long drops(Path file, Set<Integer> localPorts, InetSocketAddress peer) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        long sum = 0;
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 13) {
                continue;
            }
            int local = port(f[1]);
            int remote = port(f[2]);
            if (remote == peer.getPort() && localPorts.contains(local)) {
                try {
                    sum += Long.parseLong(f[f.length - 1]);
                } catch (NumberFormatException ignored) {
                    // not the layout we know: count nothing rather than guess
                }
            }
        }
        return sum;
    }

    private static int port(String hexAddress) {
        int colon = hexAddress.lastIndexOf(':');
        try {
            return colon < 0 ? -1 : Integer.parseInt(hexAddress.substring(colon + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
