package io.unibench.bench.boot;

import io.unibench.results.CsvTable;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The files of a boot run: {@code boot-events.csv} (one row per boot), {@code boot-summary.csv} (one row
 * per kind, backend and instance count), {@code host-load.csv} (one row per second) and, per failed
 * boot, the instance's last console lines in {@code failures/}. Rows are flushed as they come, so an
 * interrupted run keeps everything measured.
 */
public final class BootCsv implements Closeable {
    public static final String EVENTS_FILE = "boot-events.csv";
    public static final String SUMMARY_FILE = "boot-summary.csv";
    public static final String HOST_LOAD_FILE = "host-load.csv";
    public static final String FAILURES_DIR = "failures";

    public static final List<String> EVENT_COLUMNS = List.of("kind", "backend", "service", "running_instances",
            "cycle", "instance", "plumbing_ms", "spawn_ms", "start_returned_ms", "console_ready_ms", "answer_ms",
            "outcome");
    public static final List<String> SUMMARY_COLUMNS = List.of("kind", "backend", "service", "running_instances",
            "count", "failures", "min_ms", "p10_ms", "p50_ms", "mean_ms", "p90_ms", "p99_ms", "max_ms", "stddev_ms");
    public static final List<String> HOST_LOAD_COLUMNS = List.of("t_s", "backend", "running_instances", "cpu_pct",
            "mem_used_bytes");

    private final Path dir;
    private final CsvTable events;
    private final CsvTable summary;
    private final CsvTable hostLoad;

    public BootCsv(Path dir) throws IOException {
        this.dir = dir;
        this.events = new CsvTable(dir.resolve(EVENTS_FILE), EVENT_COLUMNS);
        this.summary = new CsvTable(dir.resolve(SUMMARY_FILE), SUMMARY_COLUMNS);
        this.hostLoad = new CsvTable(dir.resolve(HOST_LOAD_FILE), HOST_LOAD_COLUMNS);
    }

    public Path dir() {
        return dir;
    }

    public void event(BootEvent e) throws IOException {
        events.row(Arrays.asList(e.kind().name(), e.backend(), e.service(), e.runningInstances(), e.cycle(),
                e.instance(), e.plumbingMs(), e.spawnMs(), e.startReturnedMs(), e.consoleReadyMs(), e.answerMs(), e.outcome().name()));
    }

    /** The summary row of a group of events (one kind, backend and instance count); nothing for no events. */
    public void summary(List<BootEvent> group) throws IOException {
        if (group.isEmpty()) {
            return;
        }
        BootEvent first = group.get(0);
        List<Double> ready = new ArrayList<>();
        for (BootEvent e : group) {
            if (e.ready()) {
                ready.add(e.answerMs());
            }
        }
        BootStats s = BootStats.of(ready);
        summary.row(Arrays.asList(first.kind().name(), first.backend(), first.service(), first.runningInstances(),
                group.size(), group.size() - ready.size(), s.min(), s.p10(), s.p50(), s.mean(), s.p90(), s.p99(),
                s.max(), s.stddev()));
    }

    public void hostLoad(double tSeconds, String backend, int running, Double cpuPct, Long memUsedBytes)
            throws IOException {
        hostLoad.row(Arrays.asList(tSeconds, backend, running, cpuPct, memUsedBytes));
    }

    /** Saves a failed boot's last console lines next to the CSVs; returns the file, relative to the run folder. */
    public Path failure(BootEvent e, List<String> consoleTail) throws IOException {
        Path d = Files.createDirectories(dir.resolve(FAILURES_DIR));
        String name = String.format("%s-%s-n%d-c%d-%s.console.txt", e.kind(), e.backend(), e.runningInstances(),
                e.cycle(), e.instance().replaceAll("[^A-Za-z0-9._-]", "_"));
        StringBuilder b = new StringBuilder();
        b.append("# ").append(e.outcome()).append(": ").append(e.detail()).append('\n');
        b.append("# last ").append(consoleTail.size()).append(" console lines of ").append(e.instance()).append('\n');
        for (String line : consoleTail) {
            b.append(line).append('\n');
        }
        Path f = d.resolve(name);
        Files.writeString(f, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        return dir.relativize(f);
    }

    @Override
    public void close() throws IOException {
        try {
            events.close();
        } finally {
            try {
                summary.close();
            } finally {
                hostLoad.close();
            }
        }
    }
}
