package io.unibench.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpRequestEncoderTest {

    private static String encode(String method, String target, List<HttpHeader> headers) {
        return new String(HttpRequestEncoder.encode(method, "127.0.0.1:8080", target, headers),
                StandardCharsets.ISO_8859_1);
    }

    @Test
    void defaultHeaders() {
        assertThat(encode("GET", "/index.html?a=1", List.of()))
                .isEqualTo("GET /index.html?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: unibench\r\n\r\n");
    }

    @Test
    void userHeadersReplaceDefaults() {
        String r = encode("HEAD", "/", List.of(HttpHeader.parse("host: example.org"), HttpHeader.parse("X-A:  b c ")));
        assertThat(r).isEqualTo("HEAD / HTTP/1.1\r\nUser-Agent: unibench\r\nhost: example.org\r\nX-A: b c\r\n\r\n");
    }

    @Test
    void rejectsWhatWouldBreakFraming() {
        assertThatThrownBy(() -> encode("POST", "/", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode("GET", "/a b", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode("GET", "a", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpHeader.parse("novalue")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpHeader.parse("Bad Name: x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpHeader("X", "a\r\nInjected: 1")).isInstanceOf(IllegalArgumentException.class);
    }
}
