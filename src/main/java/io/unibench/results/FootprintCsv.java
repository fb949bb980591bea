package io.unibench.results;

import static io.unibench.results.CsvLayout.added;
import static io.unibench.results.CsvLayout.column;

import io.unibench.results.CsvLayout.Column;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The study's {@code footprint.csv}: per deployed instance, the image size, the memory the guest or
 * container was given, the memory it actually uses while idle and its idle CPU over a quiet window.
 */
public final class FootprintCsv {

    /** One measured instance; {@code idleRssBytes} is negative when unknown. */
    public record Row(String service, String backend, String instance, long imageBytes, long guestMemoryBytes,
                      long idleRssBytes, double idleCpuPct, double windowSeconds) {
    }

    public static final Column<Row> SERVICE = column("service", Row::service);
    public static final Column<Row> BACKEND = column("backend", Row::backend);
    public static final Column<Row> INSTANCE = added("instance", Row::instance);
    public static final Column<Row> IMAGE_BYTES = column("image_bytes", Row::imageBytes);
    public static final Column<Row> GUEST_MEMORY_BYTES = column("guest_memory_bytes",
            r -> r.guestMemoryBytes() < 0 ? null : r.guestMemoryBytes());
    public static final Column<Row> IDLE_RSS_BYTES = column("idle_rss_bytes",
            r -> r.idleRssBytes() < 0 ? null : r.idleRssBytes());
    public static final Column<Row> IDLE_CPU_PCT = column("idle_cpu_pct", Row::idleCpuPct);
    public static final Column<Row> IDLE_WINDOW_S = added("idle_window_s", Row::windowSeconds);
    public static final CsvLayout<Row> LAYOUT = CsvLayout.of("footprint.csv", SERVICE, BACKEND, INSTANCE, IMAGE_BYTES,
            GUEST_MEMORY_BYTES, IDLE_RSS_BYTES, IDLE_CPU_PCT, IDLE_WINDOW_S);

    private FootprintCsv() {
    }

    public static void write(Path dir, List<Row> rows) throws IOException {
        try (CsvLayout.Writer<Row> w = LAYOUT.create(dir)) {
            for (Row r : rows) {
                w.row(r);
            }
        }
    }
}
