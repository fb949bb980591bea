package io.unibench.bench.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class HttpTargetTest {
    /** Resolves only literals and "web.test"; never asks a DNS server. */
    private static InetAddress resolve(String host) throws UnknownHostException {
        if (host.equals("web.test")) {
            return InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1});
        }
        if (Character.isDigit(host.charAt(0)) || host.contains(":")) {
            return InetAddress.getByName(host);
        }
        throw new UnknownHostException(host);
    }

    @Test
    void pathQueryHostAndPort() {
        HttpTarget t = HttpTarget.parse("http://web.test:8080/a/b.html?x=1&y=%20", HttpTargetTest::resolve);
        assertThat(t.port()).isEqualTo(8080);
        assertThat(t.authority()).isEqualTo("web.test:8080");
        assertThat(t.path()).isEqualTo("/a/b.html?x=1&y=%20");
        assertThat(t.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void defaultsAndIpv6() {
        HttpTarget t = HttpTarget.parse("HTTP://web.test", HttpTargetTest::resolve);
        assertThat(t.port()).isEqualTo(80);
        assertThat(t.authority()).isEqualTo("web.test");
        assertThat(t.path()).isEqualTo("/");
        HttpTarget v6 = HttpTarget.parse("http://[::1]:9000/", HttpTargetTest::resolve);
        assertThat(v6.authority()).isEqualTo("[::1]:9000");
        assertThat(v6.address().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void badInputIsAUsageError() {
        assertThatThrownBy(() -> HttpTarget.parse("https://web.test/", HttpTargetTest::resolve))
                .isInstanceOf(UsageException.class).hasMessageContaining("https is not supported yet");
        assertThatThrownBy(() -> HttpTarget.parse("ftp://web.test/", HttpTargetTest::resolve))
                .isInstanceOf(UsageException.class).hasMessageContaining("http://");
        assertThatThrownBy(() -> HttpTarget.parse("http://web .test/", HttpTargetTest::resolve))
                .isInstanceOf(UsageException.class).hasMessageContaining("not a valid URL");
        assertThatThrownBy(() -> HttpTarget.parse("web.test:80", HttpTargetTest::resolve))
                .isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> HttpTarget.parse("http:///path", HttpTargetTest::resolve))
                .isInstanceOf(UsageException.class).hasMessageContaining("no valid host");
        assertThatThrownBy(() -> HttpTarget.parse("http://web.test:70000/", HttpTargetTest::resolve))
                .isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> HttpTarget.parse("http://nowhere.test/", HttpTargetTest::resolve))
                .isInstanceOf(UsageException.class).hasMessageContaining("unknown host 'nowhere.test'");
    }
}
