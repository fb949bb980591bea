package io.unibench.util;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU affinity (and scheduling policy) of host threads: {@code sched_setaffinity(2)} through JNA (on the class path for libvirt's
 * bindings) on every thread of a process, and the read-back from {@code /proc/PID/task/TID/status}
 * ({@code Cpus_allowed_list}), which is what a run records: a pin is verified, never assumed. Threads a
 * pinned thread creates later inherit its mask, so pinning every thread of a process once pins the
 * threads it starts afterwards too (QEMU's workers, the generator's senders).
 */
public final class Affinity {
    private Affinity() {
    }

    private interface CLib extends Library {
        int sched_setaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

        int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

        int sched_getscheduler(int pid) throws LastErrorException;
    }

    /** {@code sched_setscheduler(2)} policies: the default time-sharing one, and the one below nice 19. */
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_IDLE = 5;

    private static volatile CLib libc;

    private static CLib libc() {
        CLib l = libc;
        if (l == null) {
            l = Native.load("c", CLib.class);
            libc = l;
        }
        return l;
    }

    /**
     * Confines one thread (a tid, or a pid for its main thread) to {@code cpus}.
     *
     * @return null when done, else why not (errno in words)
     */
    public static String setThread(long tid, CpuSet cpus) {
        if (cpus.isEmpty()) {
            return "no CPUs to pin to";
        }
        long[] mask = cpus.mask();
        try {
            libc().sched_setaffinity((int) tid, mask.length * 8L, mask);
            return null;
        } catch (LastErrorException e) {
            return "sched_setaffinity(" + tid + ", " + cpus + "): errno " + e.getErrorCode()
                    + (e.getErrorCode() == 3 ? " (no such thread)" : e.getErrorCode() == 1 ? " (not permitted)"
                    : e.getErrorCode() == 22 ? " (no allowed CPU in the set: cgroup cpuset?)" : "");
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return "cannot call sched_setaffinity: " + e.getMessage();
        }
    }

    /**
     * Sets one thread's scheduling policy to {@link #SCHED_IDLE} (it runs only when nothing else on its CPUs
     * wants to) or back to {@link #SCHED_OTHER}. Lowering a thread's own priority needs no privilege.
     *
     * @return null when done, else why not (errno in words)
     */
    public static String setPolicy(long tid, int policy) {
        try {
            libc().sched_setscheduler((int) tid, policy, new int[] {0});
            return null;
        } catch (LastErrorException e) {
            return "sched_setscheduler(" + tid + ", " + policy + "): errno " + e.getErrorCode()
                    + (e.getErrorCode() == 3 ? " (no such thread)" : e.getErrorCode() == 1 ? " (not permitted)" : "");
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return "cannot call sched_setscheduler: " + e.getMessage();
        }
    }

    /** A thread's scheduling policy ({@code sched_getscheduler(2)}), or -1 when it cannot be read. */
    public static int policy(long tid) {
        try {
            return libc().sched_getscheduler((int) tid);
        } catch (LastErrorException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            return -1;
        }
    }

    /**
     * Pins every thread of process {@code pid} to {@code cpus} (twice over the thread list, so threads started
     * during the first pass are caught) and reads the result back.
     */
    public static Pinning pinProcess(long pid, CpuSet cpus, String how) {
        List<String> failures = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            List<Long> tids = tasks(pid);
            if (tids.isEmpty()) {
                return new Pinning(cpus, how, Map.of(), "process " + pid + " has no threads (gone?)");
            }
            for (long tid : tids) {
                String f = setThread(tid, cpus);
                if (f != null && Files.isDirectory(task(pid, tid))) { // a thread that ended meanwhile is no failure
                    failures.add(f);
                }
            }
        }
        return new Pinning(cpus, how, readBack(pid), failures.isEmpty() ? null : String.join("; ",
                failures.stream().distinct().limit(3).toList()));
    }

    /** {@code Cpus_allowed_list} of every thread of {@code pid}, keyed {@code "TID (name)"}, in tid order. */
    public static Map<String, CpuSet> readBack(long pid) {
        Map<String, CpuSet> m = new LinkedHashMap<>();
        for (long tid : tasks(pid)) {
            Path t = task(pid, tid);
            try {
                String name = Files.readString(t.resolve("comm")).strip();
                for (String line : Files.readAllLines(t.resolve("status"))) {
                    if (line.startsWith("Cpus_allowed_list:")) {
                        m.put(tid + " (" + name + ")", CpuSet.parse(line.substring(line.indexOf(':') + 1)));
                    }
                }
            } catch (IOException e) {
                // the thread ended between the listing and the read
            }
        }
        return m;
    }

    /** The threads of a process ({@code /proc/PID/task}), empty when it is gone. */
    public static List<Long> tasks(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Path task(long pid, long tid) {
        return Path.of("/proc", Long.toString(pid), "task", Long.toString(tid));
    }

    /**
     * What a placement did: the CPUs asked for, how (in words, for run.json), the read-back per thread, and
     * why it failed (null when every call succeeded). {@link #verified()} only when every thread read back
     * exactly the CPUs asked for.
     */
    public record Pinning(CpuSet requested, String how, Map<String, CpuSet> threads, String failure) {
        public Pinning {
            threads = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(threads));
        }

        /** A placement the backend cannot make. */
        public static Pinning unsupported(CpuSet requested, String why) {
            return new Pinning(requested, null, Map.of(), why);
        }

        public boolean verified() {
            return failure == null && !threads.isEmpty()
                    && threads.values().stream().allMatch(requested::equals);
        }

        /** What went wrong, in one phrase, or null when verified. */
        public String problem() {
            if (verified()) {
                return null;
            }
            if (failure != null) {
                return failure;
            }
            if (threads.isEmpty()) {
                return "no thread to read back";
            }
            return "read back " + threads.entrySet().stream().filter(e -> !e.getValue().equals(requested))
                    .limit(3).map(e -> e.getKey() + " on " + e.getValue()).toList() + " instead of " + requested;
        }

        /** For run.json: cpus, how, verified, and the distinct read-back lists with their thread counts. */
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cpus", requested.toString());
            if (how != null) {
                m.put("how", how);
            }
            m.put("verified", verified());
            Map<String, Integer> seen = new java.util.TreeMap<>();
            threads.values().forEach(c -> seen.merge(c.toString(), 1, Integer::sum));
            if (!seen.isEmpty()) {
                m.put("read_back_cpus_allowed_list", seen.entrySet().stream().map(e -> e.getKey() + " ("
                        + e.getValue() + " thread" + (e.getValue() == 1 ? "" : "s") + ")").toList());
            }
            if (problem() != null) {
                m.put("problem", problem());
            }
            return m;
        }
    }
}
