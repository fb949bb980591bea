package io.unibench.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UnibenchException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {
    private static int freeBase() {
        for (int p = 42000; p < 43000; p += 10) {
            boolean all = true;
            for (int i = 0; i < 10; i++) {
                all &= PortAllocator.isFree(p + i);
            }
            if (all) {
                return p;
            }
        }
        throw new AssertionError("no free block of 10 ports in 42000-43000");
    }

    @Test
    void skipsRecordedPortsAndHandsEachOutOnce() {
        int base = freeBase();
        PortAllocator a = new PortAllocator(base, base + 9, Set.of(base, base + 2));
        assertThat(a.allocate()).isEqualTo(base + 1);
        assertThat(a.allocate()).isEqualTo(base + 3);
        assertThat(a.allocate()).isEqualTo(base + 4);
    }

    @Test
    void skipsAPortSomethingElseHolds() throws Exception {
        int base = freeBase();
        // UDP only: the allocator must bind-test both protocols
        try (DatagramChannel udp = DatagramChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base))) {
            assertThat(PortAllocator.isFree(base)).isFalse();
            assertThat(new PortAllocator(base, base + 9, Set.of()).allocate()).isEqualTo(base + 1);
        }
    }

    @Test
    void anExhaustedRangeSaysHowToWidenIt() {
        int base = freeBase();
        PortAllocator a = new PortAllocator(base, base + 1, Set.of());
        a.allocate();
        a.allocate();
        assertThatThrownBy(a::allocate).isInstanceOf(UnibenchException.class)
                .hasMessageContaining(PortAllocator.RANGE_PROPERTY);
    }
}
