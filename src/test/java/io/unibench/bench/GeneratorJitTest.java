package io.unibench.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.util.Affinity;
import org.junit.jupiter.api.Test;

class GeneratorJitTest {
    @Test
    void compilerThreadsRunIdleDuringTheRampAndGetTheirPolicyBack() {
        GeneratorJit jit = new GeneratorJit();
        assertThat(jit.compilerThreads()).as("this JVM has JIT compiler threads").isNotEmpty();
        try {
            jit.idle();
            assertThat(jit.idled()).isNotEmpty();
            for (long tid : jit.idled()) {
                assertThat(Affinity.policy(tid)).as("policy of compiler thread %d", tid).isEqualTo(Affinity.SCHED_IDLE);
            }
            assertThat(jit.describe()).containsEntry("compiler_threads", jit.idled().size())
                    .doesNotContainKey("problem");
            // a second look moves only threads it has not moved yet, and breaks nothing
            jit.idle();
        } finally {
            jit.close();
        }
        for (long tid : jit.idled()) {
            int p = Affinity.policy(tid);
            assertThat(p).as("policy of compiler thread %d after close", tid).isIn(Affinity.SCHED_OTHER, -1);
        }
        // the ramp's own threads are never touched
        assertThat(Affinity.policy(0)).isEqualTo(Affinity.SCHED_OTHER);
    }
}
