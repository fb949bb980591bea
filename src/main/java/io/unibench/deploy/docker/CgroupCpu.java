package io.unibench.deploy.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A local container's CPU time from its cgroup, the file found once: cgroup v1 {@code cpuacct.usage} (ns) under
 * the {@code cpuacct} or {@code cpu,cpuacct} hierarchy, or cgroup v2 {@code cpu.stat}'s {@code usage_usec}; each
 * under Docker's cgroupfs driver ({@code docker/<id>}) or its systemd driver ({@code system.slice/docker-<id>.scope}).
 * {@link #nanos} then reads only that file: the benchmark's sampler calls it every second on the generator's core,
 * where trying four layouts each time cost as many failed opens.
 */
public final class CgroupCpu {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final String USAGE_USEC = "usage_usec ";

    private final Path file;
    private final boolean v2;

    private CgroupCpu(Path file, boolean v2) {
        this.file = file;
        this.v2 = v2;
    }

    /** The CPU file of container {@code containerId} under /sys/fs/cgroup; empty when none is readable here. */
    public static Optional<CgroupCpu> of(String containerId) {
        return of(ROOT, containerId);
    }

    /** The same under another cgroup root (tests). */
    static Optional<CgroupCpu> of(Path root, String containerId) {
        for (String hierarchy : List.of("cpuacct", "cpu,cpuacct")) {
            for (Path dir : groups(root.resolve(hierarchy), containerId)) {
                CgroupCpu c = new CgroupCpu(dir.resolve("cpuacct.usage"), false);
                if (c.nanos() >= 0) {
                    return Optional.of(c);
                }
            }
        }
        for (Path dir : groups(root, containerId)) {
            CgroupCpu c = new CgroupCpu(dir.resolve("cpu.stat"), true);
            if (c.nanos() >= 0) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** A container's group under {@code base}: Docker's cgroupfs driver, then its systemd driver. */
    private static List<Path> groups(Path base, String containerId) {
        return List.of(base.resolve("docker").resolve(containerId),
                base.resolve("system.slice").resolve("docker-" + containerId + ".scope"));
    }

    /** The file this reads. */
    public Path file() {
        return file;
    }

    /** The container's cumulative CPU time in ns; -1 when the file is gone (the container exited) or unreadable. */
    public long nanos() {
        try {
            if (!v2) {
                return Long.parseLong(Files.readString(file).strip());
            }
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(USAGE_USEC)) {
                    return Long.parseLong(line.substring(USAGE_USEC.length()).strip()) * 1000;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone or not a number
        }
        return -1;
    }
}
