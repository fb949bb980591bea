package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.dig;
import static io.unibench.cli.DeployItSupport.ourContainers;
import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Docker over tcp+TLS ({@code --docker-host tcp://127.0.0.1:PORT --docker-tls DIR}) with mutual TLS: certificates
 * made by the test with openssl (a CA, a server certificate for 127.0.0.1, a client certificate), and a TLS
 * endpoint on 127.0.0.1 that requires the client certificate and passes the bytes on to the real daemon's unix
 * socket (the shared daemon's own --tlsverify cannot be switched on here without reconfiguring it). Proves the
 * client side unibench ships: docker-java's TLS with the PEM files read by BouncyCastle, and a clear failure
 * with a certificate the server does not trust.
 */
class DockerTlsIT {
    private Path state;
    private Path dir;
    private SSLServerSocket server;

    @BeforeAll
    static void images() {
        DeployItSupport.requireTools();
        assertThat(io.unibench.util.Processes.onPath("openssl")).as("openssl makes the test's certificates").isTrue();
        DeployItSupport.buildImages();
    }

    @BeforeEach
    void setUp() throws Exception {
        state = DeployItSupport.freshStateDir();
        dir = Files.createTempDirectory("unibench-tls-it");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=unibench-test-ca",
                "-keyout", "ca-key.pem", "-out", "ca.pem");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        for (String who : List.of("server", "client")) {
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=unibench-test-" + who, "-keyout",
                    who + "-key.pem", "-out", who + ".csr");
            openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                    "-days", "2", "-extfile", who + ".ext", "-out", who + "-cert.pem");
        }
        openssl("pkcs12", "-export", "-in", "server-cert.pem", "-inkey", "server-key.pem", "-passout", "pass:test",
                "-out", "server.p12");
        // the folder --docker-tls reads, as DOCKER_CERT_PATH
        Path client = Files.createDirectories(dir.resolve("client"));
        Files.copy(dir.resolve("ca.pem"), client.resolve("ca.pem"));
        Files.copy(dir.resolve("client-cert.pem"), client.resolve("cert.pem"));
        Files.copy(dir.resolve("client-key.pem"), client.resolve("key.pem"));
        server = tlsToDockerSocket();
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            server.close();
            DeployItSupport.tearDown(state);
        } finally {
            DeployItSupport.deleteTree(dir);
        }
    }

    private void openssl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        DeployItSupport.Proc p = run(List.of("sh", "-c", "cd '" + dir + "' && " + String.join(" ", cmd.stream()
                .map(a -> "'" + a + "'").toList())), 60);
        assertThat(p.exit()).as(p.out()).isZero();
    }

    /** A TLS server on 127.0.0.1 that requires a client certificate of the test's CA, in front of docker.sock. */
    private SSLServerSocket tlsToDockerSocket() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(dir.resolve("server.p12").toFile())) {
            ks.load(in, "test".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "test".toCharArray());
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
            ts.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
        s.setNeedClientAuth(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket c = s.accept();
                    SocketChannel d = SocketChannel.open(StandardProtocolFamily.UNIX);
                    d.connect(UnixDomainSocketAddress.of("/var/run/docker.sock"));
                    pump(c.getInputStream(), d, c);
                    pump(d, c.getOutputStream(), c);
                } catch (IOException e) {
                    // closed, or a handshake refused: next
                }
            }
        }, "tls-it-accept");
        t.setDaemon(true);
        t.start();
        return s;
    }

    private static void pump(InputStream in, SocketChannel out, Socket s) {
        Thread t = new Thread(() -> {
            byte[] b = new byte[65536];
            try {
                for (int n; (n = in.read(b)) > 0; ) {
                    ByteBuffer buf = ByteBuffer.wrap(b, 0, n);
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                }
            } catch (IOException e) {
                // either side closed
            }
            close(s, out);
        });
        t.setDaemon(true);
        t.start();
    }

    private static void pump(SocketChannel in, OutputStream out, Socket s) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(65536);
            try {
                while (in.read(b) > 0) {
                    out.write(b.array(), 0, b.position());
                    out.flush();
                    b.clear();
                }
            } catch (IOException e) {
                // either side closed
            }
            close(s, in);
        });
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s, SocketChannel c) {
        try {
            s.close();
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Test
    void dockerOverMutualTlsDeploysAnswersAndDestroys() {
        String host = "tcp://127.0.0.1:" + server.getLocalPort();
        DeployItSupport.Run d = unibench("deploy", "dns", "--backend", "docker", "--docker-host", host, "--docker-tls",
                dir.resolve("client").toString(), "--advertise-address", "127.0.0.1", "--json");
        assertThat(d.exit()).as(d.err()).isZero();
        JsonNode i = d.json().get("instances").get(0);
        assertThat(i.get("details").get("docker_endpoint").asText()).isEqualTo(host);
        assertThat(dig(i.get("endpoints").get(0).get("address").asText())).isEqualTo("10.0.0.5");
        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(destroy.out()).contains("docker-dns-1", "stopped and removed");
        assertThat(ourContainers(state)).isEmpty();
    }

    @Test
    void aClientCertificateTheServerDoesNotTrustFailsInOneLine() throws IOException {
        Path other = Files.createDirectories(dir.resolve("other"));
        DeployItSupport.Proc p = run(List.of("sh", "-c", "cd '" + other + "' && openssl req -x509 -newkey rsa:2048 "
                + "-nodes -days 2 -subj /CN=stranger -keyout key.pem -out cert.pem"), 60);
        assertThat(p.exit()).as(p.out()).isZero();
        Files.copy(dir.resolve("ca.pem"), other.resolve("ca.pem"));
        DeployItSupport.Run d = unibench("deploy", "dns", "--backend", "docker", "--docker-host",
                "tcp://127.0.0.1:" + server.getLocalPort(), "--docker-tls", other.toString());
        assertThat(d.exit()).as(d.err()).isEqualTo(1);
        assertThat(d.err().strip()).contains("tcp://127.0.0.1:" + server.getLocalPort()).doesNotContain("\n");
        assertThat(ourContainers(state)).isEmpty();
    }
}
