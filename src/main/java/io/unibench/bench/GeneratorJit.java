package io.unibench.bench;

import io.unibench.util.Affinity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps this JVM's JIT compiler threads out of the generator's way while a ramp measures: each step moves them to
 * {@link Affinity#SCHED_IDLE}, so they compile in the generator cores' idle time instead of preempting the senders,
 * and {@link #close()} gives them back their policy. Measured against knot on 127.0.0.1 with the generator on one
 * core: the C2 compiler thread ran 2.1 s across a 45 s ramp after the warm-up (118 C2 compiles after 15 s: the
 * sender loop at new rates, CSV formatting between steps) in 4 ms slices, and the senders' longest runqueue waits,
 * 10-12 ms, were the windows where it ran; a send-lag p99 over 10 ms then ends the ramp as generator-saturated.
 * Compiler threads appear while the JVM runs (HotSpot adds them on demand), so every step looks again.
 * Recorded in run.json as {@value #RUN_JSON_KEY}. Not thread-safe: the ramp's thread only.
 */
final class GeneratorJit implements AutoCloseable {
    static final String RUN_JSON_KEY = "generator_jit";
    /** HotSpot's compiler threads, as /proc shows their names (15 characters at most). */
    private static final String[] NAMES = {"C1 CompilerThre", "C2 CompilerThre", "JVMCI CompilerT"};

    private final Path tasks;
    private final Set<Long> idled = new TreeSet<>();
    private String problem;

    GeneratorJit() {
        this(Path.of("/proc/self/task"));
    }

    GeneratorJit(Path tasks) {
        this.tasks = tasks;
    }

    /** Moves every compiler thread not yet moved to SCHED_IDLE. */
    void idle() {
        for (Map.Entry<Long, String> t : compilerThreads().entrySet()) {
            if (idled.contains(t.getKey())) {
                continue;
            }
            String f = Affinity.setPolicy(t.getKey(), Affinity.SCHED_IDLE);
            if (f == null) {
                idled.add(t.getKey());
            } else if (problem == null && Files.isDirectory(tasks.resolve(t.getKey().toString()))) {
                problem = t.getValue() + ": " + f;
            }
        }
    }

    /** For run.json: the policy, how many compiler threads had it, and what failed (if anything). */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("compiler_threads_policy", "SCHED_IDLE during the ramp (after the generator's warm-up)");
        m.put("compiler_threads", idled.size());
        if (problem != null) {
            m.put("problem", problem);
        }
        return m;
    }

    /** The compiler threads set idle so far. */
    Set<Long> idled() {
        return Set.copyOf(idled);
    }

    /** Gives the compiler threads back the default policy (a study, or a test, goes on in this JVM). */
    @Override
    public void close() {
        for (long tid : idled) {
            Affinity.setPolicy(tid, Affinity.SCHED_OTHER);
        }
    }

    /** tid to name of this JVM's compiler threads. */
    Map<Long, String> compilerThreads() {
        Map<Long, String> m = new LinkedHashMap<>();
        try (var dirs = Files.list(tasks)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String tid = d.getFileName().toString();
                if (!tid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String name = Files.readString(d.resolve("comm")).strip();
                    for (String n : NAMES) {
                        if (name.startsWith(n)) {
                            m.put(Long.parseLong(tid), name);
                        }
                    }
                } catch (IOException e) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to move
        }
        return m;
    }
}
