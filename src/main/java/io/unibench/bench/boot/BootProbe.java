package io.unibench.bench.boot;

import io.unibench.probe.ReadinessProbe;
import java.time.Duration;

/**
 * A readiness probe with a fixed per-try timeout, for timing boots. {@link io.unibench.probe.ReadinessWait}
 * lets the timeout grow while a guest stays silent, which is right for deploying but would make a boot
 * that comes up during a long try look up to that long slower. DNS tries wait 0.5 ms (a late reply to an
 * earlier query still counts, so a slow first answer is not lost), so with the waiter's 0.5 ms gap a new
 * query goes out about every millisecond; an HTTP try is one connection and must see the whole response, so it waits 20 ms (the slirp
 * round trip under nested KVM is ~6 ms).
 */
final class BootProbe implements ReadinessProbe {
    static final Duration DNS_TRY = Duration.ofNanos(500_000);
    static final Duration HTTP_TRY = Duration.ofMillis(20);

    private final ReadinessProbe probe;
    private final Duration perTry;

    BootProbe(ReadinessProbe probe, Duration perTry) {
        this.probe = probe;
        this.perTry = perTry;
    }

    /** The per-try timeout for a manifest probe type ({@code dns}, {@code http}). */
    static Duration perTry(String probeType) {
        return "dns".equals(probeType) ? DNS_TRY : HTTP_TRY;
    }

    @Override
    public Attempt attempt(Duration timeout) {
        return probe.attempt(timeout);
    }

    @Override
    public Duration initialTimeout() {
        return perTry;
    }

    @Override
    public Duration maxTimeout() {
        return perTry;
    }

    @Override
    public String describe() {
        return probe.describe() + ", " + perTry.toMillis() + " ms per try";
    }

    @Override
    public void close() {
        probe.close();
    }
}
