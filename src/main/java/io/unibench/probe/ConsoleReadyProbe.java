package io.unibench.probe;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * Readiness of a service that answers nothing itself (a router or firewall: it forwards): its ready line on the
 * console or in the container log. Whether it forwards is asked of the whole chain (the topology's readiness:
 * DNS and the page through it), not of the forwarder alone.
 */
public final class ConsoleReadyProbe implements ReadinessProbe {
    private final LongSupplier consoleReadyNanos;
    private final String service;

    /** {@code consoleReadyNanos}: System.nanoTime of the ready line, negative while not seen. */
    public ConsoleReadyProbe(LongSupplier consoleReadyNanos, String service) {
        this.consoleReadyNanos = consoleReadyNanos;
        this.service = service;
    }

    @Override
    public Attempt attempt(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (consoleReadyNanos.getAsLong() >= 0) {
                return Attempt.ok("ready line of " + service);
            }
            if (System.nanoTime() - end >= 0) {
                return Attempt.silent("no ready line yet");
            }
            LockSupport.parkNanos(200_000);
        }
    }

    @Override
    public Duration initialTimeout() {
        return Duration.ofMillis(5);
    }

    @Override
    public Duration maxTimeout() {
        return Duration.ofMillis(50);
    }

    @Override
    public String describe() {
        return "the ready line of " + service + " (console / container log)";
    }

    @Override
    public void close() {
    }
}
