package io.unibench.bench.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Host CPU use and memory in use, from {@code /proc/stat} (busy share of all CPU time since the previous
 * sample) and {@code /proc/meminfo} (MemTotal minus MemAvailable). Not thread-safe: one sampler thread.
 */
final class HostLoad {
    private final Path stat;
    private final Path meminfo;
    private long lastBusy = -1;
    private long lastTotal = -1;

    HostLoad() {
        this(Path.of("/proc/stat"), Path.of("/proc/meminfo"));
    }

    HostLoad(Path stat, Path meminfo) {
        this.stat = stat;
        this.meminfo = meminfo;
    }

    /** CPU busy percent since the previous call (null on the first call or off Linux). */
    Double cpuPct() {
        long[] t = cpuTimes();
        if (t == null) {
            return null;
        }
        Double pct = null;
        if (lastTotal >= 0 && t[1] > lastTotal) {
            pct = 100.0 * (t[0] - lastBusy) / (t[1] - lastTotal);
        }
        lastBusy = t[0];
        lastTotal = t[1];
        return pct;
    }

    /** {busy, total} jiffies of the aggregate "cpu" line; idle and iowait count as not busy. */
    private long[] cpuTimes() {
        try {
            for (String line : Files.readAllLines(stat)) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long total = 0;
                    long idle = 0;
                    // user nice system idle iowait irq softirq steal (guest time is already in user/nice)
                    for (int i = 1; i < f.length && i <= 8; i++) {
                        long v = Long.parseLong(f[i]);
                        total += v;
                        if (i == 4 || i == 5) {
                            idle += v;
                        }
                    }
                    return new long[] {total - idle, total};
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return null;
    }

    /** Bytes in use (MemTotal - MemAvailable), null when unknown. */
    Long memUsedBytes() {
        long total = -1;
        long available = -1;
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    total = kb(line);
                } else if (line.startsWith("MemAvailable:")) {
                    available = kb(line);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return total < 0 || available < 0 ? null : (total - available) * 1024;
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
