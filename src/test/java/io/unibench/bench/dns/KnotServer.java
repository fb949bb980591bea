package io.unibench.bench.dns;

import io.unibench.protocol.DnsMessage;
import io.unibench.protocol.DnsWire;
import io.unibench.util.Processes;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real authoritative server for tests: Debian's knotd on 127.0.0.1 and a free high port, serving the
 * 2018 study's zone (cetic.be, www, internship -> 10.0.0.5), with mod-stats so the test can read how
 * many queries the server itself received. Fails with a clear message when knot is not installed.
 */
final class KnotServer implements AutoCloseable {
    static final String ZONE = """
            $ORIGIN cetic.be.
            $TTL 300
            @          IN SOA ns1.cetic.be. hostmaster.cetic.be. 1 3600 600 86400 300
            @          IN NS  ns1.cetic.be.
            @          IN A   10.0.0.5
            ns1        IN A   10.0.0.100
            www        IN A   10.0.0.5
            internship IN A   10.0.0.5
            """;

    private final Path dir;
    private final Process process;
    final int port;

    private KnotServer(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    static KnotServer start(Path dir) throws Exception {
        if (!Processes.onPath("knotd") || !Processes.onPath("knotc")) {
            throw new AssertionError("knotd/knotc not found on PATH: install Debian's 'knot' package "
                    + "(scripts/test.sh does)");
        }
        Files.writeString(dir.resolve("cetic.be.zone"), ZONE);
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freeUdpPort();
            Files.writeString(dir.resolve("knot.conf"), """
                    server:
                        listen: [ 127.0.0.1@%d, ::1@%d ]
                        rundir: %s
                        tcp-workers: 1
                        background-workers: 1
                    log:
                      - target: stderr
                        any: warning
                    template:
                      - id: default
                        storage: %s
                        global-module: mod-stats
                    zone:
                      - domain: cetic.be
                        file: cetic.be.zone
                    """.formatted(port, port, dir, dir));
            Process p = new ProcessBuilder("knotd", "-c", dir.resolve("knot.conf").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("knotd.log").toFile()).start();
            KnotServer k = new KnotServer(dir, p, port);
            try {
                k.awaitReady();
                return k;
            } catch (Exception e) {
                last = e;
                k.close();
            }
        }
        throw new AssertionError("knotd did not start; log: " + Files.readString(dir.resolve("knotd.log")), last);
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Ready means answering: an A query for www.cetic.be gets 10.0.0.5. */
    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(100);
            byte[] buf = new byte[512];
            for (int id = 1; System.nanoTime() < deadline; id++) {
                if (!process.isAlive()) {
                    throw new IOException("knotd exited " + process.exitValue());
                }
                byte[] q = DnsWire.encodeQuery(id, "www.cetic.be", DnsWire.TYPE_A);
                s.send(new DatagramPacket(q, q.length, address()));
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    DnsMessage m = DnsWire.decode(buf, 0, p.getLength());
                    if (m.id() == id && m.answerAddresses().contains(InetAddress.getByName("10.0.0.5"))) {
                        return;
                    }
                } catch (SocketTimeoutException notYet) {
                    // retry
                }
            }
        }
        throw new IOException("knotd on port " + port + " did not answer within 15 s");
    }

    /** UDP queries knot received, from its mod-stats counters. */
    long udpQueries() {
        Processes.Result r = Processes.run(List.of("knotc", "-s", dir.resolve("knot.sock").toString(), "stats"),
                null, 10_000);
        if (!r.ok()) {
            throw new AssertionError("knotc stats failed: " + r.output());
        }
        long n = 0;
        for (String line : r.output().split("\n")) {
            if (line.startsWith("mod-stats.request-protocol[udp")) {
                n += Long.parseLong(line.substring(line.indexOf('=') + 1).strip());
            }
        }
        return n;
    }

    /** Datagrams the kernel dropped on knot's UDP socket (receive buffer full), from /proc/net/udp. */
    long kernelDrops() throws IOException {
        String hexPort = String.format(":%04X", port);
        long drops = 0;
        for (String line : Files.readAllLines(Path.of("/proc/net/udp"), StandardCharsets.US_ASCII)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 12 && f[1].endsWith(hexPort)) {
                drops += Long.parseLong(f[f.length - 1]);
            }
        }
        return drops;
    }

    /**
     * One knotd for a whole test class, as a JUnit extension
     * ({@code @RegisterExtension static final KnotServer.PerClass knot = new KnotServer.PerClass()}): started
     * in a fresh temporary folder before the class's first test, stopped and its folder removed after the last.
     */
    static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private Path dir;
        private KnotServer server;

        /** The running server (between the class's first and last test). */
        KnotServer server() {
            return server;
        }

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            dir = Files.createTempDirectory("unibench-knot");
            server = start(dir);
        }

        @Override
        public void afterAll(ExtensionContext context) throws IOException {
            try {
                if (server != null) {
                    server.close();
                }
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
