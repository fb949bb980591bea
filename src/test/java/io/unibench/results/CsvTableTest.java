package io.unibench.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {
    @TempDir
    Path dir;

    @Test
    void writesHeaderAndLocaleFreeNumbersAndNeverOverwrites() throws Exception {
        Path f = dir.resolve("t.csv");
        try (CsvTable t = new CsvTable(f, List.of("a_us", "b", "c"))) {
            t.row(Arrays.asList(1.5, null, true));
            t.row(Arrays.asList(1234567.0, "x,y", Double.NaN));
            // flushed row by row: visible before close
            assertThat(Files.readAllLines(f)).hasSize(3);
        }
        assertThat(Files.readAllLines(f)).containsExactly("a_us,b,c", "1.5,,true", "1234567,\"x,y\",");
        assertThatThrownBy(() -> new CsvTable(f, List.of("a"))).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void runFoldersAreNewEveryTime() throws Exception {
        java.time.Instant now = java.time.Instant.parse("2026-11-29T12:00:00Z");
        Path a = ResultsDirectory.create(dir, false, "dns", "knot test", now);
        Path b = ResultsDirectory.create(dir, false, "dns", "knot test", now);
        assertThat(a.getFileName().toString()).isEqualTo("20261129T120000Z-dns-knot_test");
        assertThat(b.getFileName().toString()).isEqualTo("20261129T120000Z-dns-knot_test-2");
    }
}
