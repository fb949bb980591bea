package io.unibench.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the generator's warm-up before step 1 did (see {@link RampRunner}): load at {@code rate} for
 * {@code seconds}, while this JVM's JIT compiler spent {@code jitCompileMillis}; recorded nowhere but here
 * (run.json's {@code generator_warmup}).
 *
 * @param ended     why it ended: {@link #JIT_QUIET}, {@link #TARGET_SILENT}, {@link #LIMIT} or {@link #INTERRUPTED}
 * @param sent      exchanges sent (the server saw these too: its own counters include them)
 * @param completed exchanges answered
 */
public record GeneratorWarmup(double rate, double seconds, long jitCompileMillis, String ended, long sent,
                              long completed) {

    /** The compiler spent under {@link RampRunner#QUIET_COMPILE_MILLIS} in each of two consecutive looks. */
    public static final String JIT_QUIET = "jit quiet";
    /** Nothing came back from the target for min(2 s, --unresponsive): step 1 will say what it makes of that. */
    public static final String TARGET_SILENT = "target silent";
    /** The plan's --generator-warmup ran out before the compiler was quiet. */
    public static final String LIMIT = "limit";
    /** Ctrl-C during the warm-up (step 1 then ends at once, and the run as interrupted). */
    public static final String INTERRUPTED = "interrupted";

    /** The run.json object. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rate", rate);
        m.put("seconds", seconds);
        m.put("jit_compile_ms", jitCompileMillis);
        m.put("ended", ended);
        m.put("sent", sent);
        m.put("completed", completed);
        return m;
    }
}
