package io.unibench.deploy.remote;

import com.jcraft.jsch.ChannelDirectStreamLocal;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.unibench.UnibenchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A unix socket on this host that leads, over one SSH session, to a unix socket on a server (OpenSSH's
 * {@code direct-streamlocal} channel, as {@code ssh -L local.sock:/var/run/docker.sock} does): docker-java
 * has no SSH transport, so it talks HTTP to the local end. Public-key authentication only; the server's
 * host key must be in the known-hosts file (never accepted blindly). The local socket sits in a private
 * (0700) directory and is removed on {@link #close()} or at exit.
 */
public final class SshTunnel implements AutoCloseable {
    private final SshTarget target;
    private final Session session;
    private final ServerSocketChannel server;
    private final Path dir;
    private final Path socket;
    private final Thread acceptor;
    private volatile boolean closed;

    private SshTunnel(SshTarget target, Session session, ServerSocketChannel server, Path dir, Path socket,
                      String remoteSocket) {
        this.target = target;
        this.session = session;
        this.server = server;
        this.dir = dir;
        this.socket = socket;
        this.acceptor = new Thread(() -> accept(remoteSocket), "unibench-ssh-tunnel-" + target.hostName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Connects to {@code target} (key: {@code key}, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa; host keys:
     * {@code knownHosts}, else ~/.ssh/known_hosts) and listens on a local socket for {@code remoteSocket}.
     */
    public static SshTunnel open(SshTarget target, Path key, Path knownHosts, String remoteSocket) {
        Session s = connect(target, key, knownHosts);
        try {
            Path dir = Files.createTempDirectory("unibench-ssh-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path sock = dir.resolve("docker.sock");
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(sock));
            SshTunnel t = new SshTunnel(target, s, server, dir, sock, remoteSocket);
            Runtime.getRuntime().addShutdownHook(new Thread(t::close, "unibench-ssh-tunnel-close"));
            return t;
        } catch (IOException e) {
            s.disconnect();
            throw new UnibenchException("cannot open a local socket for the SSH tunnel to " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /** An authenticated SSH session, or a one-line failure that says what to try. */
    public static Session connect(SshTarget target, Path key, Path knownHosts) {
        JSch jsch = new JSch();
        Path home = Path.of(System.getProperty("user.home"), ".ssh");
        try {
            List<Path> keys = new ArrayList<>();
            if (key != null) {
                if (!Files.isReadable(key)) {
                    throw new UnibenchException("SSH key " + key + " is not readable");
                }
                keys.add(key);
            } else {
                for (String n : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                    if (Files.isReadable(home.resolve(n))) {
                        keys.add(home.resolve(n));
                    }
                }
            }
            if (keys.isEmpty()) {
                throw new UnibenchException("no SSH key for " + target + ": give --ssh-key FILE (or create "
                        + "~/.ssh/id_ed25519 and add its .pub to the server's authorized_keys)");
            }
            for (Path k : keys) {
                jsch.addIdentity(k.toString());
            }
            Path kh = knownHosts != null ? knownHosts : home.resolve("known_hosts");
            if (Files.isReadable(kh)) {
                jsch.setKnownHosts(kh.toString());
            }
            Session s = jsch.getSession(target.user(), target.hostName(), target.portOrDefault());
            s.setConfig("StrictHostKeyChecking", "yes");
            s.setConfig("PreferredAuthentications", "publickey");
            s.setServerAliveInterval(15_000);
            s.connect(10_000);
            return s;
        } catch (JSchException e) {
            throw new UnibenchException(failure(target, knownHosts, e.getMessage()), e);
        }
    }

    /** One line: which host, what failed, what to try. */
    static String failure(SshTarget target, Path knownHosts, String why) {
        String w = why == null ? "" : why.toLowerCase(Locale.ROOT);
        String hint;
        if (w.contains("auth fail") || w.contains("auth cancel") || w.contains("publickey")) {
            hint = "the server refused the key: add its .pub to " + target.user() + "'s authorized_keys on "
                    + target.hostName() + ", or give the right one with --ssh-key";
        } else if (w.contains("unknownhostkey") || w.contains("reject hostkey") || w.contains("hostkey")) {
            hint = "the server's host key is not in " + (knownHosts != null ? knownHosts : "~/.ssh/known_hosts")
                    + ": check it and add it (ssh-keyscan -p " + target.portOrDefault() + " " + target.hostName()
                    + "), or give --ssh-known-hosts";
        } else if (w.contains("refused") || w.contains("timeout") || w.contains("timed out") || w.contains("no route")
                || w.contains("unknownhost") || w.contains("unreachable")) {
            hint = "check that " + target.hostName() + " is up and sshd listens on port " + target.portOrDefault();
        } else {
            hint = "check the host, user and key";
        }
        return "SSH to " + target + " failed: " + why + "; " + hint;
    }

    private void accept(String remoteSocket) {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                ChannelDirectStreamLocal ch = (ChannelDirectStreamLocal) session.openChannel(
                        "direct-streamlocal@openssh.com");
                ch.setSocketPath(remoteSocket);
                InputStream in = input(c);
                OutputStream out = output(c);
                ch.setInputStream(in);
                ch.setOutputStream(out);
                ch.connect(10_000);
            } catch (JSchException e) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /*
     * Streams over the socket that read and write independently: the JDK's Channels.newInputStream/OutputStream
     * share the channel's blocking lock, so a read waiting for the daemon's answer would block the request.
     */
    private static InputStream input(SocketChannel c) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                try {
                    return c.read(ByteBuffer.wrap(b, off, len));
                } catch (IOException e) {
                    return -1; // closed under us: end of stream
                }
            }

            @Override
            public void close() throws IOException {
                c.close();
            }
        };
    }

    private static OutputStream output(SocketChannel c) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
            }

            @Override
            public void close() throws IOException {
                c.close();
            }
        };
    }

    /** The local end, e.g. {@code unix:///tmp/unibench-ssh-123/docker.sock}. */
    public String localUri() {
        return "unix://" + socket;
    }

    public SshTarget target() {
        return target;
    }

    public boolean connected() {
        return session.isConnected();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        session.disconnect();
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp file left behind
        }
    }
}
