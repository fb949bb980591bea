package io.unibench.results;

import io.unibench.UsageException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Creates the folder of one run: {@code <base>/<UTC timestamp>-<benchmark>-<label>/}, or exactly the
 * folder given with {@code --output} when it does not exist yet. Never reuses or overwrites a folder.
 */
public final class ResultsDirectory {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private ResultsDirectory() {
    }

    /** Checks, without writing anything, that a run folder could be created under or at this path. */
    public static void checkWritable(Path base, boolean exact) {
        Path existing = exact ? base.toAbsolutePath().getParent() : base.toAbsolutePath();
        if (exact && Files.exists(base)) {
            throw new UsageException("output folder " + base + " already exists; results are never overwritten");
        }
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new UsageException("cannot write results under " + base + " ("
                    + (existing == null ? "no such path" : existing + " is not a writable folder") + ")");
        }
    }

    /**
     * Creates a new run folder. With {@code exact} the path itself is the run folder; else a timestamped
     * child of it named after the benchmark and label.
     */
    public static Path create(Path base, boolean exact, String benchmark, String label, Instant now)
            throws IOException {
        if (exact) {
            Files.createDirectories(base.toAbsolutePath().getParent());
            Files.createDirectory(base);
            return base;
        }
        Files.createDirectories(base);
        String name = STAMP.format(now) + "-" + safe(benchmark) + (label == null || label.isBlank() ? "" : "-" + safe(label));
        for (int i = 1; ; i++) {
            Path dir = base.resolve(i == 1 ? name : name + "-" + i);
            try {
                Files.createDirectory(dir);
                return dir;
            } catch (FileAlreadyExistsException taken) {
                // two runs in the same second: take the next suffix
            }
        }
    }

    /** Keeps a label usable as part of a folder name. */
    public static String safe(String s) {
        String r = s.replaceAll("[^A-Za-z0-9._-]+", "_");
        return r.length() > 60 ? r.substring(0, 60) : r;
    }
}
