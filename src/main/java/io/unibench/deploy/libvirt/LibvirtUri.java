package io.unibench.deploy.libvirt;

import io.unibench.UsageException;
import io.unibench.deploy.remote.SshTarget;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * A libvirt connection URI for the QEMU driver, checked before anything connects: {@code qemu:///system}
 * (this host) or {@code qemu+TRANSPORT://[user@]host[:port]/system} (a server host; {@code ssh} runs the ssh
 * client, {@code libssh} is libvirt's built-in client that takes {@code keyfile=} and {@code known_hosts=}).
 * A malformed URI or another driver (xen, lxc, vbox...) is a usage error.
 *
 * @param text   the URI as given
 * @param transport null for a local URI, else ssh, libssh, libssh2, tls, tcp
 * @param user   remote user, null when not given
 * @param host   remote host, null when local
 * @param port   remote port, -1 when not given
 */
public record LibvirtUri(String text, String transport, String user, String host, int port) {
    private static final Set<String> TRANSPORTS = Set.of("ssh", "libssh", "libssh2", "tls", "tcp");
    public static final String LOCAL = "qemu:///system";

    public static LibvirtUri parse(String text) {
        String t = text == null ? "" : text.strip();
        URI u;
        try {
            u = new URI(t);
        } catch (URISyntaxException e) {
            throw new UsageException("malformed libvirt URI '" + text + "': " + e.getReason()
                    + " (use qemu:///system or qemu+ssh://user@host/system)");
        }
        String scheme = u.getScheme();
        if (scheme == null) {
            throw new UsageException("malformed libvirt URI '" + text + "': no scheme (use qemu:///system or "
                    + "qemu+ssh://user@host/system)");
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int plus = scheme.indexOf('+');
        String driver = plus < 0 ? scheme : scheme.substring(0, plus);
        String transport = plus < 0 ? null : scheme.substring(plus + 1);
        if (!driver.equals("qemu")) {
            throw new UsageException("unknown libvirt URI scheme '" + u.getScheme() + "' in " + text
                    + ": unibench drives QEMU guests (use qemu:///system or qemu+ssh://user@host/system)");
        }
        if (transport != null && transport.equals("unix")) {
            transport = null;
        }
        if (transport != null && !TRANSPORTS.contains(transport)) {
            throw new UsageException("unknown libvirt transport '" + transport + "' in " + text
                    + " (use ssh, libssh, tls or tcp, e.g. qemu+ssh://user@host/system)");
        }
        String path = u.getPath() == null ? "" : u.getPath();
        if (!path.equals("/system")) {
            throw new UsageException("libvirt URI " + text + " must name the system instance ('/system'), e.g. "
                    + (transport == null ? LOCAL : "qemu+" + transport + "://user@host/system"));
        }
        String host = u.getHost();
        if (transport == null) {
            if (u.getRawAuthority() != null && !u.getRawAuthority().isEmpty()) {
                throw new UsageException("libvirt URI " + text + " names a host but no transport; use qemu+ssh://"
                        + u.getRawAuthority() + "/system");
            }
            return new LibvirtUri(t, null, null, null, -1);
        }
        if (host == null || host.isEmpty()) {
            throw new UsageException("malformed libvirt URI '" + text + "': a remote transport needs a host "
                    + "(qemu+" + transport + "://user@host/system)");
        }
        return new LibvirtUri(t, transport, u.getUserInfo(), host, u.getPort());
    }

    /**
     * The libvirt URI for a server given as {@code ssh://user@host[:port]}: libvirt's ssh transport, or its
     * built-in libssh client when a key or a known-hosts file is given (the ssh command takes neither from a
     * URI for the host key).
     */
    public static LibvirtUri forSsh(SshTarget target, Path key, Path knownHosts) {
        StringBuilder b = new StringBuilder(knownHosts != null ? "qemu+libssh2://" : "qemu+ssh://");
        b.append(target.user()).append('@').append(target.hostForUri());
        if (target.port() > 0) {
            b.append(':').append(target.port());
        }
        b.append("/system");
        String sep = "?";
        if (key != null) {
            b.append(sep).append("keyfile=").append(key.toAbsolutePath());
            sep = "&";
        }
        if (knownHosts != null) {
            b.append(sep).append("known_hosts=").append(knownHosts.toAbsolutePath()).append("&sshauth=privkey");
        }
        return parse(b.toString());
    }

    public boolean remote() {
        return transport != null;
    }

    /** Where endpoints are reached from the client by default: the server's host, 127.0.0.1 locally. */
    public String defaultAdvertiseAddress() {
        return remote() ? host : "127.0.0.1";
    }

    /** The URI without its query (keys, known hosts): what run.json and the state record show. */
    public String display() {
        int q = text.indexOf('?');
        return q < 0 ? text : text.substring(0, q);
    }

    @Override
    public String toString() {
        return display();
    }
}
