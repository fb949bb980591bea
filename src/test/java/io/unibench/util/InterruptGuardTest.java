package io.unibench.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InterruptGuardTest {

    @Test
    void theHookStopsTheWorkOnceThenWaitsUntilTheWorkIsOver() throws Exception {
        AtomicInteger stops = new AtomicInteger();
        InterruptGuard g = InterruptGuard.install("test-guard", stops::incrementAndGet, Duration.ofMinutes(1));
        Thread hook = new Thread(g::fire);
        hook.start();
        hook.join(300);
        assertThat(hook.isAlive()).as("waits for the work to write its results").isTrue();
        assertThat(g.interrupted()).isTrue();
        g.fire(); // a second signal does not stop twice
        g.close();
        hook.join(10_000);
        assertThat(hook.isAlive()).isFalse();
        assertThat(stops).hasValue(1);
    }

    @Test
    void withoutGraceTheHookReturnsAtOnceAndCloseIsHarmlessAfterwards() throws Exception {
        InterruptGuard g = InterruptGuard.install("test-guard", () -> { }, Duration.ZERO);
        long t0 = System.nanoTime();
        g.fire();
        assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
        g.close();
        g.close();
        assertThat(g.interrupted()).isTrue();
    }
}
