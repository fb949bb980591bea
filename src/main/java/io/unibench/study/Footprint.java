package io.unibench.study;

import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.results.FootprintCsv;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The study's "early comparison" and "resource minimisation": per deployed instance, the image size, the
 * memory the guest or container was given, the memory it actually uses while idle and its idle CPU over a
 * quiet window, each as its backend observes it ({@link Deployer#observe}: process RSS and CPU time for
 * QEMU and native processes, the cgroup's for containers). Written by {@link FootprintCsv}.
 */
public final class Footprint {
    private Footprint() {
    }

    /** Watches every instance idle for {@code windowNanos} (all at once) and measures each. */
    public static List<FootprintCsv.Row> measure(List<Instance> instances, ServiceCatalog catalog,
                                                 Function<Backend, Deployer> deployers, long windowNanos)
            throws InterruptedException {
        long[] cpuBefore = new long[instances.size()];
        for (int i = 0; i < instances.size(); i++) {
            Instance inst = instances.get(i);
            cpuBefore[i] = deployers.apply(inst.backend()).observe(inst).cpuNanos();
        }
        long t0 = System.nanoTime();
        Thread.sleep(windowNanos / 1_000_000);
        long wall = System.nanoTime() - t0;
        List<FootprintCsv.Row> rows = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            Instance inst = instances.get(i);
            Deployer d = deployers.apply(inst.backend());
            Deployer.Observation seen = d.observe(inst);
            long cpuAfter = seen.cpuNanos();
            double cpuPct = cpuBefore[i] < 0 || cpuAfter < 0 ? Double.NaN : 100.0 * (cpuAfter - cpuBefore[i]) / wall;
            ServiceSpec spec = catalog.get(inst.service());
            rows.add(new FootprintCsv.Row(inst.service(), inst.backend().id(), inst.id(), d.image(spec).sizeBytes(),
                    d.memoryGivenBytes(spec), seen.memoryBytes(), cpuPct, wall / 1e9));
        }
        return rows;
    }
}
