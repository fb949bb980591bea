package io.unibench.study;

import io.unibench.Units;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.docker.DockerDeployer;
import io.unibench.results.FootprintCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The study's "early comparison" and "resource minimisation": per deployed instance, the image size, the
 * memory the guest or container was given, the memory it actually uses while idle (QEMU process RSS;
 * container memory from Docker's stats) and its idle CPU (process tree CPU time for QEMU, the container's
 * cgroup CPU time for Docker) over a quiet window. Written by {@link FootprintCsv}.
 */
public final class Footprint {
    private Footprint() {
    }

    /** Watches every instance idle for {@code windowNanos} (all at once) and measures each. */
    public static List<FootprintCsv.Row> measure(List<Instance> instances, ServiceCatalog catalog,
                                    Function<Backend, Deployer> deployers, long windowNanos) throws InterruptedException {
        long[] cpuBefore = new long[instances.size()];
        for (int i = 0; i < instances.size(); i++) {
            cpuBefore[i] = cpuNanos(instances.get(i));
        }
        long t0 = System.nanoTime();
        Thread.sleep(windowNanos / 1_000_000);
        long wall = System.nanoTime() - t0;
        List<FootprintCsv.Row> rows = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            Instance inst = instances.get(i);
            long cpuAfter = cpuNanos(inst);
            double cpuPct = cpuBefore[i] < 0 || cpuAfter < 0 ? Double.NaN : 100.0 * (cpuAfter - cpuBefore[i]) / wall;
            ServiceSpec spec = catalog.get(inst.service());
            Deployer.Observation seen = deployers.apply(inst.backend()).observe(inst);
            long image;
            long given;
            if (inst.backend() == Backend.qemu) {
                image = size(catalog.unikernelImage(spec));
                given = Units.parseSize(spec.unikernel().memory());
            } else {
                image = DockerDeployer.imageSize(spec.container().imageRef());
                given = Units.parseSize(spec.container().memory());
            }
            rows.add(new FootprintCsv.Row(inst.service(), inst.backend().name(), inst.id(), image, given, seen.memoryBytes(), cpuPct,
                    wall / 1e9));
        }
        return rows;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** CPU time used so far by the instance, in ns; -1 when it cannot be read. */
    static long cpuNanos(Instance inst) {
        if (inst.backend() == Backend.qemu) {
            return inst.pid() == null ? -1 : processCpuNanos(inst.pid());
        }
        return inst.containerId() == null ? -1 : cgroupCpuNanos(inst.containerId());
    }

    /** utime + stime of a process (all its threads), from /proc/PID/stat, in ns. */
    static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name in parentheses; utime and stime are fields 14 and 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * (1_000_000_000L / CLOCK_TICKS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Linux USER_HZ; 100 on every mainstream distribution kernel. */
    static final long CLOCK_TICKS = 100;

    /** CPU time of a container's cgroup (v1 cpuacct or v2 cpu.stat), in ns. */
    static long cgroupCpuNanos(String containerId) {
        for (Path p : List.of(Path.of("/sys/fs/cgroup/cpuacct/docker", containerId, "cpuacct.usage"),
                Path.of("/sys/fs/cgroup/cpu,cpuacct/docker", containerId, "cpuacct.usage"))) {
            try {
                return Long.parseLong(Files.readString(p).strip());
            } catch (IOException | NumberFormatException e) {
                // try the next layout
            }
        }
        for (Path p : List.of(Path.of("/sys/fs/cgroup/system.slice", "docker-" + containerId + ".scope", "cpu.stat"),
                Path.of("/sys/fs/cgroup/docker", containerId, "cpu.stat"))) {
            try {
                for (String line : Files.readAllLines(p)) {
                    if (line.startsWith("usage_usec ")) {
                        return Long.parseLong(line.substring(11).strip()) * 1000;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // try the next layout
            }
        }
        return -1;
    }
}
