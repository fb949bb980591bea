package io.unibench.results;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The study's {@code footprint.csv}: per deployed instance, the image size, the memory the guest or
 * container was given, the memory it actually uses while idle and its idle CPU over a quiet window.
 */
public final class FootprintCsv {
    public static final String FILE = "footprint.csv";
    public static final List<String> COLUMNS = List.of("service", "backend", "instance", "image_bytes",
            "guest_memory_bytes", "idle_rss_bytes", "idle_cpu_pct", "idle_window_s");

    /** One measured instance; {@code idleRssBytes} is negative when unknown. */
    public record Row(String service, String backend, String instance, long imageBytes, long guestMemoryBytes,
                      long idleRssBytes, double idleCpuPct, double windowSeconds) {
    }

    private FootprintCsv() {
    }

    public static void write(Path dir, List<Row> rows) throws IOException {
        try (CsvTable t = new CsvTable(dir.resolve(FILE), COLUMNS)) {
            for (Row r : rows) {
                t.row(Arrays.asList(r.service(), r.backend(), r.instance(), r.imageBytes(),
                        r.guestMemoryBytes(), r.idleRssBytes() < 0 ? null : r.idleRssBytes(), r.idleCpuPct(),
                        r.windowSeconds()));
            }
        }
    }
}
