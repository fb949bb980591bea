package io.unibench.bench;

import io.unibench.deploy.Deployer;
import io.unibench.deploy.Instance;
import java.util.function.LongSupplier;

/**
 * The CPU time of the instance a benchmark loads, as its backend observes it (QEMU's whole process with
 * its vCPU and I/O threads, the container's cgroup, the native process): what {@link RampRunner} samples
 * around each step's measured window for the cost per query.
 */
public final class ServerCpu {

    private ServerCpu() {
    }

    /** Cumulative CPU nanoseconds of {@code instance}; negative when it cannot be read (gone, no source). */
    public static LongSupplier of(Deployer deployer, Instance instance) {
        LongSupplier clock;
        try {
            clock = deployer.cpuClock(instance);
        } catch (RuntimeException e) {
            return () -> -1;
        }
        return () -> {
            try {
                return clock.getAsLong();
            } catch (RuntimeException e) {
                return -1;
            }
        };
    }
}
