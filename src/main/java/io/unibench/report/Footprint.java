package io.unibench.report;

import java.nio.file.Path;
import java.util.List;

/** Image size and idle resource use per service and backend, read back from {@code footprint.csv}. */
public record Footprint(Path file, String label, List<Row> rows) {

    /** Sizes in bytes, CPU in percent of one core; NaN when not measured. */
    public record Row(String service, String backend, double imageBytes, double guestMemoryBytes,
                      double idleRssBytes, double idleCpuPct) {
    }
}
