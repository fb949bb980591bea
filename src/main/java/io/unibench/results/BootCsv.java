package io.unibench.results;

import static io.unibench.results.CsvLayout.column;

import io.unibench.results.CsvLayout.Column;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a boot run: {@code boot-events.csv} (one row per boot), {@code boot-summary.csv} (one row
 * per kind, backend and instance count), {@code host-load.csv} (one row per second) and, per failed
 * boot, the instance's last console lines in {@code failures/}. Rows are flushed as they come, so an
 * interrupted run keeps everything measured.
 */
public final class BootCsv implements Closeable {
    public static final String FAILURES_DIR = "failures";

    /** Boot-time statistics of one kind, backend, service and instance count (a {@code boot-summary.csv} row). */
    public record Summary(BootEvent.Kind kind, String backend, String service, int runningInstances, int count,
                          int failures, BootStats stats) {

        /** The summary of a group of events of one kind, backend, service and instance count. */
        public static Summary of(List<BootEvent> group) {
            BootEvent first = group.get(0);
            List<Double> ready = new ArrayList<>();
            for (BootEvent e : group) {
                if (e.ready()) {
                    ready.add(e.answerMs());
                }
            }
            return new Summary(first.kind(), first.backend(), first.service(), first.runningInstances(), group.size(),
                    group.size() - ready.size(), BootStats.of(ready));
        }
    }

    /** One sample of the host while the instances ran; null values were not measured. */
    public record HostLoadSample(double tSeconds, String backend, int runningInstances, Double cpuPct,
                                 Long memUsedBytes) {
    }

    // ---- boot-events.csv: one row per boot
    public static final Column<BootEvent> KIND = column("kind", e -> e.kind().name());
    public static final Column<BootEvent> BACKEND = column("backend", BootEvent::backend);
    public static final Column<BootEvent> SERVICE = column("service", BootEvent::service);
    public static final Column<BootEvent> RUNNING_INSTANCES = column("running_instances", BootEvent::runningInstances);
    public static final Column<BootEvent> CYCLE = column("cycle", BootEvent::cycle);
    public static final Column<BootEvent> INSTANCE = column("instance", BootEvent::instance);
    /** Lab mode: time spent on network plumbing within the boot (tap creation / CNI ADD), empty in forward mode. */
    public static final Column<BootEvent> PLUMBING_MS = CsvLayout.added("plumbing_ms", BootEvent::plumbingMs);
    public static final Column<BootEvent> SPAWN_MS = column("spawn_ms", BootEvent::spawnMs);
    public static final Column<BootEvent> START_RETURNED_MS = column("start_returned_ms", BootEvent::startReturnedMs);
    public static final Column<BootEvent> CONSOLE_READY_MS = column("console_ready_ms", BootEvent::consoleReadyMs);
    public static final Column<BootEvent> ANSWER_MS = column("answer_ms", BootEvent::answerMs);
    public static final Column<BootEvent> OUTCOME = column("outcome", e -> e.outcome().name());
    // the breakdown (BootEvent.Guest): guest_entry_ms on the host clock since the start call (QEMU's own start
    // for a unikernel, the runtime's process start for a container), the other three on the guest's clock
    // since its entry; empty where the backend cannot tell
    public static final Column<BootEvent> GUEST_ENTRY_MS = CsvLayout.added("guest_entry_ms", e -> e.guest().entryMs());
    public static final Column<BootEvent> GUEST_CLOCK_MS = CsvLayout.added("guest_clock_ms", e -> e.guest().clockMs());
    public static final Column<BootEvent> GUEST_DEVICES_MS = CsvLayout.added("guest_devices_ms",
            e -> e.guest().devicesMs());
    public static final Column<BootEvent> GUEST_READY_MS = CsvLayout.added("guest_ready_ms", e -> e.guest().readyMs());
    public static final CsvLayout<BootEvent> EVENTS = CsvLayout.of("boot-events.csv", KIND, BACKEND, SERVICE,
            RUNNING_INSTANCES, CYCLE, INSTANCE, SPAWN_MS, START_RETURNED_MS, CONSOLE_READY_MS, ANSWER_MS, OUTCOME,
            PLUMBING_MS, GUEST_ENTRY_MS, GUEST_CLOCK_MS, GUEST_DEVICES_MS, GUEST_READY_MS);

    // ---- boot-summary.csv: one row per kind, backend, service and instance count
    public static final Column<Summary> S_KIND = column("kind", s -> s.kind().name());
    public static final Column<Summary> S_BACKEND = column("backend", Summary::backend);
    public static final Column<Summary> S_SERVICE = column("service", Summary::service);
    public static final Column<Summary> S_RUNNING_INSTANCES = column("running_instances", Summary::runningInstances);
    public static final Column<Summary> S_COUNT = column("count", Summary::count);
    public static final Column<Summary> S_FAILURES = column("failures", Summary::failures);
    public static final Column<Summary> MIN_MS = column("min_ms", s -> s.stats().min());
    public static final Column<Summary> P10_MS = column("p10_ms", s -> s.stats().p10());
    public static final Column<Summary> P50_MS = column("p50_ms", s -> s.stats().p50());
    public static final Column<Summary> MEAN_MS = column("mean_ms", s -> s.stats().mean());
    public static final Column<Summary> P90_MS = column("p90_ms", s -> s.stats().p90());
    public static final Column<Summary> P99_MS = column("p99_ms", s -> s.stats().p99());
    public static final Column<Summary> MAX_MS = column("max_ms", s -> s.stats().max());
    public static final Column<Summary> STDDEV_MS = column("stddev_ms", s -> s.stats().stddev());
    public static final CsvLayout<Summary> SUMMARY = CsvLayout.of("boot-summary.csv", S_KIND, S_BACKEND, S_SERVICE,
            S_RUNNING_INSTANCES, S_COUNT, S_FAILURES, MIN_MS, P10_MS, P50_MS, MEAN_MS, P90_MS, P99_MS, MAX_MS,
            STDDEV_MS);

    // ---- host-load.csv: one row per second
    public static final Column<HostLoadSample> T_S = column("t_s", HostLoadSample::tSeconds);
    public static final Column<HostLoadSample> H_BACKEND = column("backend", HostLoadSample::backend);
    public static final Column<HostLoadSample> H_RUNNING_INSTANCES = column("running_instances",
            HostLoadSample::runningInstances);
    public static final Column<HostLoadSample> CPU_PCT = column("cpu_pct", HostLoadSample::cpuPct);
    public static final Column<HostLoadSample> MEM_USED_BYTES = column("mem_used_bytes", HostLoadSample::memUsedBytes);
    public static final CsvLayout<HostLoadSample> HOST_LOAD = CsvLayout.of("host-load.csv", T_S, H_BACKEND,
            H_RUNNING_INSTANCES, CPU_PCT, MEM_USED_BYTES);

    private final Path dir;
    private final CsvLayout.Writer<BootEvent> events;
    private final CsvLayout.Writer<Summary> summary;
    private final CsvLayout.Writer<HostLoadSample> hostLoad;

    public BootCsv(Path dir) throws IOException {
        this.dir = dir;
        this.events = EVENTS.create(dir);
        this.summary = SUMMARY.create(dir);
        this.hostLoad = HOST_LOAD.create(dir);
    }

    public Path dir() {
        return dir;
    }

    public void event(BootEvent e) throws IOException {
        events.row(e);
    }

    /** The summary row of a group of events (one kind, backend and instance count); nothing for no events. */
    public void summary(List<BootEvent> group) throws IOException {
        if (!group.isEmpty()) {
            summary.row(Summary.of(group));
        }
    }

    public void hostLoad(double tSeconds, String backend, int running, Double cpuPct, Long memUsedBytes)
            throws IOException {
        hostLoad.row(new HostLoadSample(tSeconds, backend, running, cpuPct, memUsedBytes));
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
