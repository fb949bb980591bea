package io.unibench.deploy.remote;

import io.unibench.UsageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A server host reached over SSH, written {@code ssh://user@host[:port]} ({@code --host}, {@code --docker-host}).
 * The user defaults to {@code root} (libvirt's system instance and the Docker socket need it); port -1 means 22.
 */
public record SshTarget(String user, String host, int port) {

    public static SshTarget parse(String text) {
        String t = text == null ? "" : text.strip();
        URI u;
        try {
            u = new URI(t);
        } catch (URISyntaxException e) {
            throw new UsageException("malformed host '" + text + "': " + e.getReason() + " (use ssh://user@host)");
        }
        if (u.getScheme() == null || !u.getScheme().toLowerCase(Locale.ROOT).equals("ssh")) {
            throw new UsageException("host '" + text + "' must be written ssh://user@host[:port]");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new UsageException("malformed host '" + text + "': no host name (use ssh://user@host[:port])");
        }
        if (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/")) {
            throw new UsageException("host '" + text + "' must not have a path (use ssh://user@host[:port])");
        }
        return new SshTarget(u.getUserInfo() == null ? "root" : u.getUserInfo(), u.getHost(), u.getPort());
    }

    /** The host without IPv6 brackets, for sockets. */
    public String hostName() {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    public String hostForUri() {
        return host;
    }

    public int portOrDefault() {
        return port > 0 ? port : 22;
    }

    @Override
    public String toString() {
        return "ssh://" + user + "@" + host + (port > 0 ? ":" + port : "");
    }
}
