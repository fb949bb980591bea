package io.unibench.util;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Ctrl-C (SIGINT/SIGTERM) during one piece of work: a JVM shutdown hook that runs {@code onInterrupt} once
 * (stop the work, tear down what it started) and then keeps the JVM alive until the work reports that it
 * is over ({@link #close}), at most {@code grace}, so its results and run.json are written before the
 * process exits. Use it around the work with try-with-resources; {@link #close} also removes the hook, so a
 * guard costs nothing after its work. Deploy, the ramps, the boot benchmark and the study all use this one.
 */
public final class InterruptGuard implements AutoCloseable {
    private final Runnable onInterrupt;
    private final Supplier<Duration> grace;
    private final CountDownLatch over = new CountDownLatch(1);
    private final AtomicBoolean fired = new AtomicBoolean();
    private final Thread hook;

    private InterruptGuard(String name, Runnable onInterrupt, Supplier<Duration> grace) {
        this.onInterrupt = onInterrupt;
        this.grace = grace;
        this.hook = new Thread(this::fire, name);
    }

    /**
     * Installs the hook.
     *
     * @param name        the hook thread's name (shown in thread dumps)
     * @param onInterrupt what to do first; runs on the hook thread while the work's thread still runs
     * @param grace       how long to wait for {@link #close} after it, asked at interrupt time (zero: no wait)
     */
    public static InterruptGuard install(String name, Runnable onInterrupt, Supplier<Duration> grace) {
        InterruptGuard g = new InterruptGuard(name, onInterrupt, grace);
        Runtime.getRuntime().addShutdownHook(g.hook);
        return g;
    }

    /** {@link #install} with a fixed grace. */
    public static InterruptGuard install(String name, Runnable onInterrupt, Duration grace) {
        return install(name, onInterrupt, () -> grace);
    }

    /** Whether the interrupt came (the hook ran or is running). */
    public boolean interrupted() {
        return fired.get();
    }

    /** The hook's body: package-private so tests can run it without signalling the JVM. */
    void fire() {
        if (!fired.compareAndSet(false, true)) {
            return;
        }
        onInterrupt.run();
        Duration wait = grace.get();
        if (wait.isZero() || wait.isNegative()) {
            return;
        }
        try {
            over.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The work is over (its results written): lets a running hook finish and removes the hook. */
    @Override
    public void close() {
        over.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting (Ctrl-C): the hook runs and has just been released
        }
    }
}
