package io.unibench.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Encodes an HTTP/1.1 request without a body once, so a load generator can send the same bytes over and
 * over. Adds {@code Host} (unless given) and a {@code User-Agent} (unless given); keep-alive is the
 * HTTP/1.1 default, so no {@code Connection} header is added.
 */
public final class HttpRequestEncoder {

    /** Methods whose requests have no body and are safe to repeat. */
    public static final Set<String> METHODS = Set.of("GET", "HEAD");

    private HttpRequestEncoder() {
    }

    /**
     * @param method    {@code GET} or {@code HEAD}
     * @param authority value of the Host header, e.g. {@code example.org:8080} or {@code [::1]:8080}
     * @param target    origin-form request target, starting with {@code /} (path and query)
     * @param headers   extra header fields; a {@code Host} or {@code User-Agent} among them replaces the default
     */
    public static byte[] encode(String method, String authority, String target, List<HttpHeader> headers) {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("unsupported method " + method + " (use one of " + METHODS + ")");
        }
        if (target.isEmpty() || target.charAt(0) != '/') {
            throw new IllegalArgumentException("request target must start with '/': " + target);
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("request target must be encoded ASCII without spaces: " + target);
            }
        }
        StringBuilder sb = new StringBuilder(128);
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean host = false;
        boolean agent = false;
        for (HttpHeader h : headers) {
            host |= h.is("Host");
            agent |= h.is("User-Agent");
        }
        if (!host) {
            new HttpHeader("Host", authority); // validates the authority as a field value
            sb.append("Host: ").append(authority).append("\r\n");
        }
        if (!agent) {
            sb.append("User-Agent: unibench\r\n");
        }
        for (HttpHeader h : headers) {
            sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
