package io.unibench.bench.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WakeHeapTest {
    @Test
    void matchesABruteForceMinimumUnderRandomUpdates() {
        int n = 50;
        WakeHeap heap = new WakeHeap(n);
        long[] model = new long[n];
        java.util.Arrays.fill(model, WakeHeap.NONE);
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            int slot = rnd.nextInt(n);
            long k = rnd.nextInt(10) == 0 ? WakeHeap.NONE : rnd.nextInt(1000);
            heap.set(slot, k);
            model[slot] = k;
            long min = WakeHeap.NONE;
            for (long m : model) {
                min = Math.min(min, m);
            }
            assertThat(heap.peekKey()).isEqualTo(min);
            assertThat(heap.isEmpty()).isEqualTo(min == WakeHeap.NONE);
            if (!heap.isEmpty()) {
                assertThat(model[heap.peek()]).isEqualTo(min);
            }
            assertThat(heap.keyOf(slot)).isEqualTo(k);
        }
    }
}
