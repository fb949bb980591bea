package io.unibench.bench.dns;

import io.unibench.UsageException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses {@code HOST[:PORT]} targets: {@code 127.0.0.1}, {@code ns.example:5353}, {@code ::1}, {@code [::1]:53}. */
public final class DnsTarget {
    public static final int DEFAULT_PORT = 53;

    private DnsTarget() {
    }

    /** Name resolution, replaceable in tests (a real lookup would leave the machine). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress resolve(String host) throws UnknownHostException;
    }

    /** A host name made of letters, digits, '-', '_' and dots, or an IPv4/IPv6 literal. */
    private static final java.util.regex.Pattern HOST_SYNTAX =
            java.util.regex.Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%A-Za-z]*");

    /** The resolved target; a usage error for a bad port or a host that does not resolve. */
    public static InetSocketAddress parse(String text) {
        return parse(text, InetAddress::getByName);
    }

    public static InetSocketAddress parse(String text, Resolver resolver) {
        String s = text == null ? "" : text.strip();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new UsageException("--target '" + text + "': missing ']' after the IPv6 address");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new UsageException("--target '" + text + "': expected ':PORT' after ']'");
                }
                port = rest.substring(1);
            }
        } else if (s.indexOf(':') != s.lastIndexOf(':')) {
            host = s; // a bare IPv6 address; use [ADDR]:PORT to give a port
        } else {
            int colon = s.indexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new UsageException("--target '" + text + "': no host (expected HOST[:PORT], e.g. 127.0.0.1:5353)");
        }
        int p = DEFAULT_PORT;
        if (port != null) {
            if (!port.matches("\\d{1,6}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new UsageException("--target '" + text + "': port must be 1-65535 (got '" + port + "')");
            }
            p = Integer.parseInt(port);
        }
        if (!HOST_SYNTAX.matcher(host).matches()) {
            // not a name any resolver could know; fail without asking one
            throw new UsageException("--target '" + text + "': cannot resolve host '" + host + "' (not a valid host name)");
        }
        try {
            return new InetSocketAddress(resolver.resolve(host), p);
        } catch (UnknownHostException e) {
            throw new UsageException("--target '" + text + "': cannot resolve host '" + host + "'");
        }
    }
}
