package io.unibench.util;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures, while a timing test runs, how late this host wakes a thread that parks for 0.5 ms (the pause the
 * readiness and boot probes use). A timing bound that must hold on a quiet host can then be widened by what the
 * host is demonstrably doing to every waiting thread, instead of by a guess: on a loaded CI runner a 0.5 ms park
 * has been seen to last several milliseconds. Sampling costs one short wake-up every ~2 ms.
 */
public final class WakeupNoise implements AutoCloseable {
    private static final long PARK_NANOS = 500_000;

    private final List<Long> lateness = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private final boolean lowSlack;
    private volatile boolean running = true;

    private WakeupNoise(boolean lowSlack) {
        this.lowSlack = lowSlack;
        thread = new Thread(this::sample, "wakeup-noise");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts sampling now, with the default timer slack (as the probes park: 50 us of it is in every sample). */
    public static WakeupNoise start() {
        return new WakeupNoise(false);
    }

    /**
     * Starts sampling now from a thread whose timer slack is 1 ns, as the load generators' threads
     * ({@link io.unibench.load.Waker#reduceTimerSlack}): the default 50 us slack, which is the size of the defects
     * some timing tests are about, is then not counted as noise (with it, a quiet host read ~57 us, without ~6 us).
     * Note that a parked thread sees little of what a busy one suffers: with 12 busy loops on 2 cores, a sampler
     * like this one (parking 0.5 ms back to back) read 6-8 us while a 2k qps sender's lag p50 was 200-2000 us.
     */
    public static WakeupNoise startLowSlack() {
        return new WakeupNoise(true);
    }

    private void sample() {
        if (lowSlack) {
            io.unibench.load.Waker.reduceTimerSlack();
        }
        while (running) {
            long before = System.nanoTime();
            LockSupport.parkNanos(PARK_NANOS);
            lateness.add(Math.max(0, System.nanoTime() - before - PARK_NANOS));
            LockSupport.parkNanos(1_500_000);
        }
    }

    /** The given quantile (0..1) of the wake-up lateness seen so far, in milliseconds (0 if nothing sampled). */
    public double quantileMs(double q) {
        return quantileMs(q, 0);
    }

    /**
     * The given quantile (0..1) of the wake-up lateness from sample {@code from} on ({@link #samples} taken when a
     * measurement began: the noise during that measurement alone), in milliseconds (0 if nothing sampled).
     */
    public double quantileMs(double q, int from) {
        List<Long> copy;
        synchronized (lateness) {
            copy = new ArrayList<>(lateness.subList(Math.min(from, lateness.size()), lateness.size()));
        }
        if (copy.isEmpty()) {
            return 0;
        }
        Collections.sort(copy);
        int i = (int) Math.min(copy.size() - 1, Math.floor(q * copy.size()));
        return copy.get(i) / 1e6;
    }

    public int samples() {
        return lateness.size();
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
