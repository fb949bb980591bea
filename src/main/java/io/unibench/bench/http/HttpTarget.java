package io.unibench.bench.http;

import io.unibench.UsageException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where HTTP load goes, from a {@code --target} URL: the address to connect to, the Host header and the
 * request target (path and query). Only plain {@code http://} for now.
 *
 * @param url        the URL as given
 * @param host       host as written in the URL (brackets kept for IPv6 literals)
 * @param port       TCP port (80 unless given)
 * @param authority  value of the Host header: host, plus {@code :port} when the URL names a port
 * @param path       origin-form request target, {@code /} when the URL has no path
 * @param address    resolved socket address
 */
public record HttpTarget(String url, String host, int port, String authority, String path,
                         InetSocketAddress address) {

    /** Name resolution, replaceable in tests (which must not send DNS queries off the host). */
    public interface Resolver {
        InetAddress resolve(String host) throws UnknownHostException;
    }

    /** Parses and resolves {@code url}; any problem is a one-line usage error. */
    public static HttpTarget parse(String url) {
        return parse(url, InetAddress::getByName);
    }

    static HttpTarget parse(String url, Resolver resolver) {
        if (!url.contains("://")) {
            throw new UsageException("--target '" + url + "' must be an http:// URL, e.g. http://127.0.0.1:8080/");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new UsageException("--target '" + url + "' is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if ("https".equals(scheme)) {
            throw new UsageException("--target " + url + ": https is not supported yet (use http://)");
        }
        if (!"http".equals(scheme)) {
            throw new UsageException("--target '" + url + "' must be an http:// URL, e.g. http://127.0.0.1:8080/");
        }
        if (uri.getRawUserInfo() != null) {
            throw new UsageException("--target " + url + ": user info in the URL is not supported");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new UsageException("--target '" + url + "' has no valid host");
        }
        int port = uri.getPort();
        if (port == 0 || port > 65535) {
            throw new UsageException("--target " + url + ": port out of range");
        }
        String authority = port < 0 ? host : host + ":" + port;
        if (port < 0) {
            port = 80;
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        if (!path.startsWith("/")) {
            throw new UsageException("--target '" + url + "' has no absolute path");
        }
        String lookup = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress ip;
        try {
            ip = resolver.resolve(lookup);
        } catch (UnknownHostException e) {
            throw new UsageException("--target " + url + ": unknown host '" + lookup + "'");
        }
        return new HttpTarget(url, host, port, authority, path, new InetSocketAddress(ip, port));
    }
}
