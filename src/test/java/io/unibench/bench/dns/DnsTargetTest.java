package io.unibench.bench.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class DnsTargetTest {
    /** No test may ask a real resolver (it is not on loopback): names resolve only through this. */
    static final DnsTarget.Resolver LOCAL = host -> {
        if (host.equals("ns.test")) {
            return InetAddress.getByAddress("ns.test", new byte[] {127, 0, 0, 9});
        }
        if (host.contains(":") || host.matches("[0-9.]+")) {
            return InetAddress.getByName(host); // literal: no lookup
        }
        throw new UnknownHostException(host);
    };

    @Test
    void formsOfHostAndPort() throws Exception {
        assertThat(DnsTarget.parse("127.0.0.1", LOCAL)).isEqualTo(new InetSocketAddress("127.0.0.1", 53));
        assertThat(DnsTarget.parse("127.0.0.1:5353", LOCAL)).isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(DnsTarget.parse("ns.test:53", LOCAL).getAddress().getHostAddress()).isEqualTo("127.0.0.9");
        assertThat(DnsTarget.parse("::1", LOCAL)).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 53));
        assertThat(DnsTarget.parse("[::1]:5300", LOCAL)).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 5300));
        assertThat(DnsTarget.parse("[::1]", LOCAL).getPort()).isEqualTo(53);
    }

    @Test
    void badPortsAndHosts() {
        assertThatThrownBy(() -> DnsTarget.parse("127.0.0.1:0", LOCAL)).isInstanceOf(UsageException.class)
                .hasMessageContaining("port must be 1-65535");
        assertThatThrownBy(() -> DnsTarget.parse("127.0.0.1:65536", LOCAL)).hasMessageContaining("1-65535");
        assertThatThrownBy(() -> DnsTarget.parse("127.0.0.1:x", LOCAL)).hasMessageContaining("1-65535");
        assertThatThrownBy(() -> DnsTarget.parse("127.0.0.1:", LOCAL)).hasMessageContaining("1-65535");
        assertThatThrownBy(() -> DnsTarget.parse(":53", LOCAL)).hasMessageContaining("no host");
        assertThatThrownBy(() -> DnsTarget.parse("[::1", LOCAL)).hasMessageContaining("']'");
        assertThatThrownBy(() -> DnsTarget.parse("[::1]53", LOCAL)).hasMessageContaining("':PORT'");
        assertThatThrownBy(() -> DnsTarget.parse("nowhere.test", LOCAL)).isInstanceOf(UsageException.class)
                .hasMessageContaining("cannot resolve host 'nowhere.test'");
        // never handed to a resolver at all
        assertThatThrownBy(() -> DnsTarget.parse("bad..host", h -> {
            throw new AssertionError("resolver called for " + h);
        })).hasMessageContaining("cannot resolve host 'bad..host'");
    }
}
