package io.unibench.util;

import io.unibench.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * A set of CPU numbers, written the kernel's way ({@code 0-3,6}: the format of
 * {@code /sys/devices/system/cpu/online}, {@code Cpus_allowed_list}, {@code taskset -c} and Docker's
 * {@code --cpuset-cpus}), and the affinity mask {@code sched_setaffinity(2)} takes. Immutable.
 */
public final class CpuSet {
    /** Where the kernel lists the online CPUs. */
    public static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");
    /** Highest CPU number accepted (the kernel's default CONFIG_NR_CPUS range). */
    static final int MAX_CPU = 8191;

    private final BitSet bits;

    private CpuSet(BitSet bits) {
        this.bits = (BitSet) bits.clone();
    }

    public static CpuSet of(int... cpus) {
        BitSet b = new BitSet();
        for (int c : cpus) {
            if (c < 0 || c > MAX_CPU) {
                throw new IllegalArgumentException("CPU " + c + " out of range 0-" + MAX_CPU);
            }
            b.set(c);
        }
        return new CpuSet(b);
    }

    /**
     * Parses a CPU list such as {@code 0-3,6} (blanks around items allowed, an empty text is the empty set).
     *
     * @throws UsageException when the text is not a CPU list
     */
    public static CpuSet parse(String list) {
        BitSet b = new BitSet();
        String t = list == null ? "" : list.strip();
        if (t.isEmpty()) {
            return new CpuSet(b);
        }
        for (String item : t.split(",", -1)) {
            String s = item.strip();
            int dash = s.indexOf('-');
            try {
                int lo = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).strip());
                int hi = dash < 0 ? lo : Integer.parseInt(s.substring(dash + 1).strip());
                if (lo < 0 || hi < lo || hi > MAX_CPU) {
                    throw new NumberFormatException();
                }
                b.set(lo, hi + 1);
            } catch (NumberFormatException e) {
                throw new UsageException("'" + list + "' is not a CPU list (e.g. 0-3,6): bad item '" + s + "'");
            }
        }
        return new CpuSet(b);
    }

    /** The CPUs the kernel has online ({@code /sys/devices/system/cpu/online}); all available ones if unreadable. */
    public static CpuSet online() {
        try {
            return parse(Files.readString(ONLINE));
        } catch (IOException | UsageException e) {
            BitSet b = new BitSet();
            b.set(0, Runtime.getRuntime().availableProcessors());
            return new CpuSet(b);
        }
    }

    /** From a {@code sched_getaffinity} mask, 64 CPUs per word, CPU 0 the lowest bit of word 0. */
    public static CpuSet fromMask(long[] words) {
        return new CpuSet(BitSet.valueOf(words));
    }

    /** The mask {@code sched_setaffinity} takes: 64 CPUs per word, at least one word. */
    public long[] mask() {
        long[] w = bits.toLongArray();
        return w.length == 0 ? new long[1] : w;
    }

    public int size() {
        return bits.cardinality();
    }

    public boolean isEmpty() {
        return bits.isEmpty();
    }

    public boolean contains(int cpu) {
        return cpu >= 0 && bits.get(cpu);
    }

    /** True when no CPU is in both sets. */
    public boolean disjoint(CpuSet o) {
        return !bits.intersects(o.bits);
    }

    public CpuSet minus(CpuSet o) {
        BitSet b = (BitSet) bits.clone();
        b.andNot(o.bits);
        return new CpuSet(b);
    }

    /** The first {@code n} CPUs of this set, in number order. */
    public CpuSet first(int n) {
        BitSet b = new BitSet();
        for (int c = bits.nextSetBit(0), k = 0; c >= 0 && k < n; c = bits.nextSetBit(c + 1), k++) {
            b.set(c);
        }
        return new CpuSet(b);
    }

    /** The canonical list, ranges folded: {@code 0-3,6}; empty for the empty set. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        int c = bits.nextSetBit(0);
        while (c >= 0) {
            int end = bits.nextClearBit(c) - 1;
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(c);
            if (end > c) {
                s.append('-').append(end);
            }
            c = bits.nextSetBit(end + 1);
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet c && c.bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }
}
