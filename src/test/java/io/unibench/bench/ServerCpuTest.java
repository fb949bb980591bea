package io.unibench.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.deploy.Deployer;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class ServerCpuTest {

    /** A deployer whose only answer is {@code cpuClock}; any other call fails the test. */
    private static Deployer deployerWith(java.util.function.Supplier<LongSupplier> cpuClock) {
        return (Deployer) Proxy.newProxyInstance(Deployer.class.getClassLoader(), new Class<?>[] {Deployer.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("cpuClock")) {
                        return cpuClock.get();
                    }
                    throw new AssertionError("unexpected call " + method.getName());
                });
    }

    @Test
    void readsTheBackendsClockEachTime() {
        AtomicLong nanos = new AtomicLong(1_000);
        LongSupplier cpu = ServerCpu.of(deployerWith(() -> nanos::get), null);
        assertThat(cpu.getAsLong()).isEqualTo(1_000);
        nanos.set(2_500);
        assertThat(cpu.getAsLong()).isEqualTo(2_500);
    }

    @Test
    void aClockThatThrowsReadsAsUnknownNotACrash() {
        AtomicLong calls = new AtomicLong();
        LongSupplier cpu = ServerCpu.of(deployerWith(() -> () -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("cgroup gone");
            }
            return 7;
        }), null);
        assertThat(cpu.getAsLong()).isEqualTo(7);
        assertThat(cpu.getAsLong()).isEqualTo(-1);
        assertThat(cpu.getAsLong()).as("the next sample reads again").isEqualTo(7);
    }

    @Test
    void aBackendThatCannotMakeAClockReadsAsUnknown() {
        LongSupplier cpu = ServerCpu.of(deployerWith(() -> {
            throw new IllegalStateException("engine not answering");
        }), null);
        assertThat(cpu.getAsLong()).isEqualTo(-1);
    }
}
