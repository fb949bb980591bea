package io.unibench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CPU time used on this host by processes outside the benchmark, as a share of all CPU time, sampled once a
 * second from {@code /proc}: user + nice + system time of the whole host ({@code /proc/stat}) minus that of
 * unibench itself and of the server under test ({@code /proc/PID/stat}, threads included). Interrupt time is
 * left out on both sides: on loopback it is mostly the benchmark's own packets. Above
 * {@link #THRESHOLD_PCT} the host was busy with something else, and the step's figures are suspect.
 * Off Linux every sample is null. Not thread-safe: one sampler thread.
 */
public final class HostNoise {
    /** Host CPU share used by others above which a second (and its step) is marked. */
    public static final double THRESHOLD_PCT = 5.0;

    /** /proc/stat and /proc/PID/stat count in clock ticks of 1/USER_HZ s; USER_HZ is 100 on Linux. */
    static final long NANOS_PER_TICK = 10_000_000L;

    private final Path proc;
    private final Set<Long> excluded;
    private final java.util.function.LongSupplier serverCpuNanos;
    private long lastBusy = -1;
    private long lastTotal = -1;
    private long lastOwn = -1;

    public HostNoise(Set<Long> excludedPids) {
        this(Path.of("/proc"), excludedPids, null);
    }

    HostNoise(Path proc, Set<Long> excludedPids) {
        this(proc, excludedPids, null);
    }

    private HostNoise(Path proc, Set<Long> excludedPids, java.util.function.LongSupplier serverCpuNanos) {
        this.proc = proc;
        Set<Long> e = new HashSet<>(excludedPids);
        e.add(ProcessHandle.current().pid());
        this.excluded = Set.copyOf(e);
        this.serverCpuNanos = serverCpuNanos;
    }

    /**
     * The same sampler, counting the server's CPU time from {@code cpuNanos} as the benchmark's too: a server
     * that owns no socket on this host's loopback (QEMU on a lab tap, a container on a veth) is otherwise
     * taken for noise (a lab unikernel's QEMU showed as 35-42 % "outside the benchmark" in every step).
     */
    public HostNoise withServerCpu(java.util.function.LongSupplier cpuNanos) {
        return new HostNoise(proc, excluded, cpuNanos);
    }

    public Set<Long> excluded() {
        return excluded;
    }

    /**
     * The same sampler excluding {@code pids} as well (a child started meanwhile: dnsperf), keeping its
     * last reading, whose excluded time is recomputed on the new set at the next sample.
     */
    public HostNoise excluding(Set<Long> pids) {
        Set<Long> all = new HashSet<>(excluded);
        all.addAll(pids);
        HostNoise n = new HostNoise(proc, all, serverCpuNanos);
        n.lastBusy = lastBusy;
        n.lastTotal = lastTotal;
        long own = n.serverTicks();
        for (long pid : n.excluded) {
            own += n.processTime(pid);
        }
        n.lastOwn = own;
        return n;
    }

    /**
     * The shortest interval a share is given for, in clock ticks per CPU (0.5 s): the counters tick in 10 ms, so
     * a step's last, short sample (tens of ms after its last full second) read 0, 20 or 100 % from a tick or
     * two, and a step's noise is the highest of its samples.
     */
    static final long MIN_TICKS_PER_CPU = 50;

    /**
     * Percent of all CPU time used outside the benchmark since the previous call; null the first time, and for an
     * interval under {@link #MIN_TICKS_PER_CPU} (too short to tell: not measured, rather than a wrong figure).
     */
    public Double samplePct() {
        long[] host = hostTimes();
        if (host == null) {
            return null;
        }
        long own = serverTicks();
        for (long pid : excluded) {
            own += processTime(pid);
        }
        Double pct = null;
        if (lastTotal >= 0 && host[1] - lastTotal >= MIN_TICKS_PER_CPU * host[2]) {
            long others = (host[0] - lastBusy) - Math.max(0, own - lastOwn);
            pct = Math.max(0, 100.0 * others / (host[1] - lastTotal));
        }
        lastBusy = host[0];
        lastTotal = host[1];
        lastOwn = own;
        return pct;
    }

    /** The server's CPU time in clock ticks (0 when not known or not readable). */
    private long serverTicks() {
        if (serverCpuNanos == null) {
            return 0;
        }
        try {
            long ns = serverCpuNanos.getAsLong();
            return ns < 0 ? 0 : ns / NANOS_PER_TICK;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** {user + nice + system, all} jiffies of the host and its CPU count, or null. */
    private long[] hostTimes() {
        long busy = -1;
        long all = 0;
        int cpus = 0;
        try {
            for (String line : Files.readAllLines(proc.resolve("stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long total = 0;
                    for (int i = 1; i < f.length; i++) {
                        total += Long.parseLong(f[i]);
                    }
                    busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]);
                    all = total;
                } else if (line.startsWith("cpu")) {
                    cpus++;
                }
            }
            if (busy >= 0) {
                return new long[] {busy, all, Math.max(1, cpus)};
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** utime + stime of a process (all its threads), or 0 when it is gone. */
    private long processTime(long pid) {
        try {
            String s = Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat(5)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * The processes holding a UDP or TCP socket bound to {@code target}'s port on this host (the server under
     * test when it runs here: knotd, QEMU's or docker-proxy's forwarding socket), found by socket inode in
     * {@code /proc/net} and {@code /proc/PID/fd}. Empty for a remote target.
     */
    public static Set<Long> socketOwners(InetSocketAddress target) {
        Set<Long> pids = new HashSet<>();
        if (!target.getAddress().isLoopbackAddress()) {
            return pids;
        }
        Set<String> inodes = new HashSet<>();
        for (String file : List.of("udp", "udp6", "tcp", "tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of("/proc/net", file));
                for (int i = 1; i < lines.size(); i++) {
                    String[] f = lines.get(i).trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(String.format(":%04X", target.getPort()))) {
                        inodes.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // no such table here
            }
        }
        inodes.remove("socket:[0]");
        if (inodes.isEmpty()) {
            return pids;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                            pids.add(Long.parseLong(p.getFileName().toString()));
                            break;
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException ignored) {
            // no /proc
        }
        pids.remove(ProcessHandle.current().pid());
        return pids;
    }
}
