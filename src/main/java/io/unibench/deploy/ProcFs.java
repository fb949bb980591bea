package io.unibench.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What Linux's {@code /proc} says about a host process, for backends that run one (the QEMU VMM, a native
 * service): resident memory, CPU time, start time and command line (together with the pid, the identity
 * that tells our process from another that got the same pid or runs the same binary), zombie or gone.
 */
public final class ProcFs {
    /** Linux USER_HZ; 100 on every mainstream distribution kernel. */
    public static final long CLOCK_TICKS = 100;

    private ProcFs() {
    }

    /** Resident memory of a process in bytes, -1 when unknown. */
    public static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return -1;
    }

    /** utime + stime of a process (all its threads), in ns; -1 when it cannot be read. */
    public static long cpuNanos(long pid) {
        String[] f = statFields(pid);
        return f == null ? -1 : cpuNanos(f);
    }

    /**
     * The CPU time of process {@code pid} (a backend has checked once that it is its own), for sampling every
     * second: each read is one {@code /proc/PID/stat} read, giving the CPU time only while the start time in it
     * is still the one seen now (a pid reused by another process, a zombie or no process read as -1).
     */
    public static LongSupplier cpuClock(long pid) {
        long started = startTicks(pid);
        if (started < 0) {
            return () -> -1;
        }
        return () -> {
            String[] f = statFields(pid);
            return f == null || gone(f) || startTicks(f) != started ? -1 : cpuNanos(f);
        };
    }

    private static long cpuNanos(String[] f) {
        try {
            // fields after the command name in parentheses: state is field 3, utime and stime fields 14 and 15
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / CLOCK_TICKS);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The process's start time in clock ticks since boot (field 22), -1 when gone. */
    public static long startTicks(long pid) {
        String[] f = statFields(pid);
        return f == null ? -1 : startTicks(f);
    }

    private static long startTicks(String[] f) {
        try {
            return Long.parseLong(f[19]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The arguments of a process ({@code /proc/PID/cmdline}), empty when gone. */
    public static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            if (raw.length == 0) {
                return List.of();
            }
            String s = new String(raw, StandardCharsets.UTF_8);
            if (s.endsWith("\0")) {
                s = s.substring(0, s.length() - 1);
            }
            return List.of(s.split("\0", -1));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** True when no process has this pid, or it is a zombie (exited, not yet reaped). */
    public static boolean isGone(long pid) {
        String[] f = statFields(pid);
        return f == null || gone(f);
    }

    private static boolean gone(String[] f) {
        return f.length == 0 || f[0].equals("Z") || f[0].equals("X");
    }

    /** The fields of /proc/PID/stat after the command name (field 3 on), null when gone. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length()) {
                return null;
            }
            return stat.substring(close + 2).strip().split(" ");
        } catch (IOException e) {
            return null;
        }
    }
}
