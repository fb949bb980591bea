package io.unibench.deploy.docker;

import io.unibench.UsageException;
import io.unibench.deploy.remote.SshTarget;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which Docker engine to talk to: the local one ({@code unix:///var/run/docker.sock}, or {@code DOCKER_HOST}),
 * {@code tcp://host:port} (with TLS when a certificate folder is given: {@code ca.pem}, {@code cert.pem},
 * {@code key.pem}, as {@code DOCKER_CERT_PATH}), or {@code ssh://user@host[:port]} (the remote unix socket
 * through an SSH tunnel).
 *
 * @param host       as written; null for the default (DOCKER_HOST or the local socket)
 * @param tlsDir     certificates for tcp+TLS, null for plain TCP
 * @param sshKey     private key for ssh://, null for ~/.ssh defaults
 * @param knownHosts known-hosts file for ssh://, null for ~/.ssh/known_hosts
 */
public record DockerEndpoint(String host, Path tlsDir, Path sshKey, Path knownHosts) {
    public static final String REMOTE_SOCKET = "/var/run/docker.sock";

    public static DockerEndpoint local() {
        return new DockerEndpoint(null, null, null, null);
    }

    /** Checks the form now (usage errors, exit 2); connecting is for later. */
    public static DockerEndpoint parse(String host, Path tlsDir, Path sshKey, Path knownHosts) {
        if (host == null || host.isBlank()) {
            return new DockerEndpoint(null, tlsDir, null, null);
        }
        String h = host.strip();
        URI u;
        try {
            u = new URI(h);
        } catch (URISyntaxException e) {
            throw new UsageException("malformed --docker-host '" + host + "': " + e.getReason()
                    + " (use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host)");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "unix" -> {
                if (u.getPath() == null || u.getPath().isEmpty()) {
                    throw new UsageException("malformed --docker-host '" + host + "': no socket path");
                }
            }
            case "tcp" -> {
                if (u.getHost() == null || u.getPort() < 1) {
                    throw new UsageException("malformed --docker-host '" + host + "': write tcp://host:port");
                }
                if (u.getPort() == 2376 && tlsDir == null) {
                    throw new UsageException("--docker-host " + host + " is Docker's TLS port: give --docker-tls DIR "
                            + "(ca.pem, cert.pem, key.pem)");
                }
                if (tlsDir != null) {
                    for (String f : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
                        if (!Files.isReadable(tlsDir.resolve(f))) {
                            throw new UsageException("--docker-tls " + tlsDir + " lacks " + f
                                    + " (needs ca.pem, cert.pem, key.pem)");
                        }
                    }
                }
            }
            case "ssh" -> SshTarget.parse(h);
            default -> throw new UsageException("unknown --docker-host scheme in '" + host
                    + "' (use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host)");
        }
        return new DockerEndpoint(h, scheme.equals("tcp") ? tlsDir : null, scheme.equals("ssh") ? sshKey : null,
                scheme.equals("ssh") ? knownHosts : null);
    }

    public boolean ssh() {
        return host != null && host.startsWith("ssh://");
    }

    public boolean tls() {
        return host != null && host.startsWith("tcp://") && tlsDir != null;
    }

    /** True for an engine on another host (not the local socket). */
    public boolean remote() {
        return host != null && !host.startsWith("unix://");
    }

    /** The server's host name ({@code ssh://}, {@code tcp://}); null when local. */
    public String serverHost() {
        if (!remote()) {
            return null;
        }
        return ssh() ? SshTarget.parse(host).hostName() : URI.create(host).getHost();
    }

    /** Cache key: one client per distinct endpoint. */
    String key() {
        return host + "|" + tlsDir + "|" + sshKey + "|" + knownHosts;
    }

    @Override
    public String toString() {
        return host == null ? "the local Docker engine" : host;
    }
}
