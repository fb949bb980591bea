package io.unibench.study;

import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.results.CsvTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The study's "early comparison" and "resource minimisation": per deployed instance, the image size, the
 * memory the guest or container was given, the memory it actually uses while idle and its idle CPU over a
 * quiet window, each as its backend observes it ({@link Deployer#observe}: process RSS and CPU time for
 * QEMU and native processes, the cgroup's for containers). Written as {@code footprint.csv}.
 */
public final class Footprint {
    public static final String FILE = "footprint.csv";
    public static final List<String> COLUMNS = List.of("service", "backend", "instance", "image_bytes",
            "guest_memory_bytes", "idle_rss_bytes", "idle_cpu_pct", "idle_window_s");

    /** One measured instance. */
    public record Row(String service, Backend backend, String instance, long imageBytes, long guestMemoryBytes,
                      long idleRssBytes, double idleCpuPct, double windowSeconds) {
    }

    private Footprint() {
    }

    /** Watches every instance idle for {@code windowNanos} (all at once) and measures each. */
    public static List<Row> measure(List<Instance> instances, ServiceCatalog catalog,
                                    Function<Backend, Deployer> deployers, long windowNanos) throws InterruptedException {
        long[] cpuBefore = new long[instances.size()];
        for (int i = 0; i < instances.size(); i++) {
            Instance inst = instances.get(i);
            cpuBefore[i] = deployers.apply(inst.backend()).observe(inst).cpuNanos();
        }
        long t0 = System.nanoTime();
        Thread.sleep(windowNanos / 1_000_000);
        long wall = System.nanoTime() - t0;
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            Instance inst = instances.get(i);
            Deployer d = deployers.apply(inst.backend());
            Deployer.Observation seen = d.observe(inst);
            long cpuAfter = seen.cpuNanos();
            double cpuPct = cpuBefore[i] < 0 || cpuAfter < 0 ? Double.NaN : 100.0 * (cpuAfter - cpuBefore[i]) / wall;
            ServiceSpec spec = catalog.get(inst.service());
            rows.add(new Row(inst.service(), inst.backend(), inst.id(), d.image(spec).sizeBytes(),
                    d.memoryGivenBytes(spec), seen.memoryBytes(), cpuPct, wall / 1e9));
        }
        return rows;
    }

    public static void write(Path dir, List<Row> rows) throws IOException {
        try (CsvTable t = new CsvTable(dir.resolve(FILE), COLUMNS)) {
            for (Row r : rows) {
                t.row(Arrays.asList(r.service(), r.backend().id(), r.instance(), r.imageBytes(),
                        r.guestMemoryBytes() < 0 ? null : r.guestMemoryBytes(), r.idleRssBytes() < 0 ? null : r.idleRssBytes(), r.idleCpuPct(),
                        r.windowSeconds()));
            }
        }
    }
}
