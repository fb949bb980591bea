package io.unibench.protocol;

import java.util.Locale;

/**
 * One request header field, validated so it cannot break the request framing: the name is an RFC 9110
 * token, the value has no CR, LF or other control characters.
 */
public record HttpHeader(String name, String value) {

    public HttpHeader {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!tokenChar(name.charAt(i))) {
                throw new IllegalArgumentException("invalid character in header name '" + name + "'");
            }
        }
        value = value == null ? "" : value.strip();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("invalid character in the value of header " + name);
            }
        }
    }

    /** Parses {@code Name: value} (the form {@code --header} takes). */
    public static HttpHeader parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("header '" + spec + "' is not of the form Name:value");
        }
        return new HttpHeader(spec.substring(0, colon).strip(), spec.substring(colon + 1));
    }

    public boolean is(String otherName) {
        return name.toLowerCase(Locale.ROOT).equals(otherName.toLowerCase(Locale.ROOT));
    }

    private static boolean tokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
