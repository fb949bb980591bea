package io.unibench.load;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes a selector at a given {@link System#nanoTime()} instant (shared by the HTTP and DNS engines). {@link Selector#select(long)} only
 * takes milliseconds, which would send requests up to a millisecond late; parking the selector thread
 * instead would leave responses unread while it sleeps. So the selector thread blocks in select (and
 * wakes at once for any response), and this helper thread wakes it when the next request is due.
 */
public final class Waker implements Runnable {
    private final Selector selector;
    private final AtomicLong deadline = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean selecting;
    private final Thread thread;

    public Waker(Selector selector, String name) {
        this.selector = selector;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Wakes the selector at {@code nanos} if it is then blocked in select (see {@link #selecting}). The
     * helper thread is only unparked when the new deadline is earlier than the one it sleeps toward.
     */
    public void arm(long nanos) {
        long old = deadline.getAndSet(nanos);
        if (old == 0 || nanos < old) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * The selector thread says it is about to block in select (true) or has returned (false). A deadline
     * that passes while the selector is busy costs no wakeup: its next pass sees the due work anyway.
     */
    public void selecting(boolean blocked) {
        selecting = blocked;
    }

    public void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join();
    }

    @Override
    public void run() {
        reduceTimerSlack();
        while (running) {
            long d = deadline.get();
            if (d == 0) {
                LockSupport.park(this);
                continue;
            }
            long wait = d - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            if (deadline.compareAndSet(d, 0) && selecting) {
                selector.wakeup();
            }
        }
    }

    /**
     * Linux lets a sleeping thread overshoot by its timer slack, 50 us by default, which would show up as
     * send lag (and, corrected, as latency) on every request. Set the calling thread's slack to 1 ns through
     * /proc (allowed for one's own threads); best effort, elsewhere the default slack stays.
     */
    public static void reduceTimerSlack() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            Files.writeString(Path.of("/proc", self.getFileName().toString(), "timerslack_ns"), "1");
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or /proc not writable: keep the default slack
        }
    }
}
