package io.unibench.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleWatchTest {
    static final String READY = "unibench: dns ready";
    static final String STAMPS = "unibench: boot_us entry=100 clock=1100 devices=2600 ready=4100";

    @TempDir
    Path tmp;

    private static void append(Path f, String s) throws Exception {
        Files.writeString(f, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void aReadyLineWrittenInPartsIsSeenWhenItIsWholeAlsoWithoutItsNewline() throws Exception {
        Path f = tmp.resolve("console.log");
        ConsoleWatch w = new ConsoleWatch(f, READY, false);
        assertThat(w.readyNanos()).as("no file yet").isEqualTo(-1);
        append(f, "SeaBIOS\r\nunibench: d");
        assertThat(w.readyNanos()).isEqualTo(-1);
        long before = System.nanoTime();
        append(f, "ns ready");
        long seen = w.readyNanos();
        assertThat(seen).isGreaterThanOrEqualTo(before);
        append(f, "\nmore\n");
        assertThat(w.readyNanos()).as("dated once").isEqualTo(seen);
    }

    @Test
    void stampsComeFromACompleteLineAfterTheReadyLine() throws Exception {
        Path f = tmp.resolve("console.log");
        ConsoleWatch w = new ConsoleWatch(f, READY, true);
        append(f, READY + "\n" + STAMPS.substring(0, STAMPS.length() - 2));
        assertThat(w.readyNanos()).isPositive();
        assertThat(w.stamps()).as("a cut line would read ready=41").isNull();
        append(f, STAMPS.substring(STAMPS.length() - 2) + "\n");
        assertThat(w.stamps()).isEqualTo(new GuestStamps(100, 1100, 2600, 4100));
    }

    @Test
    void readsOnlyWhatWasAppended() throws Exception {
        Path f = tmp.resolve("console.log");
        ConsoleWatch w = new ConsoleWatch(f, READY, false);
        append(f, "x".repeat(10_000) + "\n");
        w.poll();
        // rewrite the start in place (same inode, same size): already read, not read again
        try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap((READY + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        }
        assertThat(w.readyNanos()).isEqualTo(-1);
        append(f, "y\n" + READY + "\n");
        assertThat(w.readyNanos()).isPositive();
    }

    @Test
    void aTruncatedOrRecreatedFileIsReadFromItsStart() throws Exception {
        Path f = tmp.resolve("console.log");
        ConsoleWatch w = new ConsoleWatch(f, READY, false);
        append(f, "an earlier boot's console, long enough\n");
        w.poll();
        Files.writeString(f, READY + "\n"); // truncated and rewritten: shorter than what was read
        assertThat(w.readyNanos()).isPositive();

        ConsoleWatch r = new ConsoleWatch(f, READY, false);
        Files.writeString(f, "old\n");
        r.poll();
        Path next = tmp.resolve("next.log");
        Files.writeString(next, "new boot, longer than before\n" + READY + "\n");
        Files.move(next, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // another inode
        assertThat(r.readyNanos()).isPositive();
    }

    @Test
    void nothingToWatchWithoutAReadyLineOrAFile() throws Exception {
        Path f = tmp.resolve("console.log");
        append(f, READY + "\n");
        assertThat(new ConsoleWatch(f, null, true).readyNanos()).isEqualTo(-1);
        assertThat(new ConsoleWatch(null, READY, true).readyNanos()).isEqualTo(-1);
        assertThat(new ConsoleWatch(null, READY, true).active()).isFalse();
    }

    @Test
    void theWatcherThreadDatesTheLineWithoutBeingAsked() throws Exception {
        Path f = tmp.resolve("console.log");
        try (ConsoleWatch w = new ConsoleWatch(f, READY, false).watch("test-console", () -> true)) {
            long before = System.nanoTime();
            append(f, READY + "\n");
            Thread.sleep(500);
            long asked = System.nanoTime();
            assertThat(w.readyNanos()).as("dated by the watcher, not by this look").isBetween(before, asked);
        }
    }

    @Test
    void aConsoleWithoutNewlinesStaysBounded() throws Exception {
        Path f = tmp.resolve("console.log");
        ConsoleWatch w = new ConsoleWatch(f, READY, false);
        append(f, ".".repeat(ConsoleWatch.MAX_PENDING + 10));
        w.poll();
        append(f, READY);
        assertThat(w.readyNanos()).isPositive();
    }
}
