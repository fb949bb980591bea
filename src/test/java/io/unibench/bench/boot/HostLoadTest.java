package io.unibench.bench.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostLoadTest {
    @TempDir
    Path tmp;

    @Test
    void cpuIsTheBusyShareSinceTheLastSampleAndMemoryIsTotalMinusAvailable() throws IOException {
        Path stat = tmp.resolve("stat");
        Path mem = tmp.resolve("meminfo");
        Files.writeString(mem, "MemTotal:       24683520 kB\nMemFree:        1000 kB\nMemAvailable:   20683520 kB\n");
        // user nice system idle iowait irq softirq steal guest guest_nice
        Files.writeString(stat, "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\n");
        HostLoad load = new HostLoad(stat, mem);
        assertThat(load.cpuPct()).isNull();
        Files.writeString(stat, "cpu  250 0 150 850 150 0 0 0 50 0\n");
        // busy +200 (user 150, system 50), idle+iowait +200: 50 %; guest time is already inside user
        assertThat(load.cpuPct()).isCloseTo(50.0, within(1e-9));
        assertThat(load.memUsedBytes()).isEqualTo(4_000_000L * 1024);
    }

    @Test
    void unknownOffLinux() {
        HostLoad load = new HostLoad(tmp.resolve("none"), tmp.resolve("none"));
        assertThat(load.cpuPct()).isNull();
        assertThat(load.memUsedBytes()).isNull();
    }
}
