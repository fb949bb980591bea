package io.unibench.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The ready-line watch of a start handle, once: follows a console log an instance writes (QEMU's serial
 * file, a native process's output, a libvirt domain's console file), reading only what was appended since
 * the last look, and dates the ready line by the host clock ({@link System#nanoTime}) of the look that
 * first saw it. Optionally it then finds the unikernel's boot stamps ({@link GuestStamps}), from complete
 * lines only (a stamp line cut by a write mid-line is not read as shorter numbers).
 * <p>
 * The ready line is looked for anywhere in a line, also in the unfinished last line (the guest need not
 * have printed its newline yet), and across reads (a line written in two parts is seen whole). A file
 * that shrinks or is replaced (another inode) is read again from its start. A look costs a stat when
 * nothing was appended. {@link #watch} polls every millisecond on a daemon thread, so the ready line is
 * dated within about a millisecond, independent of how a readiness probe paces its tries.
 */
public final class ConsoleWatch implements AutoCloseable {
    /** An unfinished line longer than this keeps only its last {@link #KEEP} bytes (a console without newlines). */
    static final int MAX_PENDING = 1 << 20;
    static final int KEEP = 4096;

    private final Path file;
    private final byte[] readyLine;
    private final boolean stamps;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    /** The one read buffer of this watch, made at the first look that finds bytes (polls run every millisecond). */
    private ByteBuffer buf;
    private long offset;
    private Object fileKey;
    private volatile long readyNanos = -1;
    private volatile GuestStamps found;
    private volatile boolean closed;

    /**
     * @param file      the console log; null when there is none on this host (nothing to watch)
     * @param readyLine what the instance prints when it serves; null when it prints nothing (nothing to watch)
     * @param stamps    also find the guest's boot stamps after the ready line
     */
    public ConsoleWatch(Path file, String readyLine, boolean stamps) {
        this.file = file;
        this.readyLine = readyLine == null ? null : readyLine.getBytes(StandardCharsets.UTF_8);
        this.stamps = stamps;
    }

    /** Whether there is anything to watch (a ready line and a file on this host). */
    public boolean active() {
        return readyLine != null && file != null;
    }

    /**
     * Polls every millisecond on a daemon thread named {@code name} until the ready line is seen, this watch
     * is closed or {@code keepGoing} says no more (the process exited). Nothing when not {@link #active}.
     */
    public ConsoleWatch watch(String name, BooleanSupplier keepGoing) {
        if (active()) {
            Thread t = new Thread(() -> {
                while (!closed && readyNanos < 0 && keepGoing.getAsBoolean()) {
                    poll();
                    LockSupport.parkNanos(1_000_000);
                }
            }, name);
            t.setDaemon(true);
            t.start();
        }
        return this;
    }

    /** When the ready line was first seen (host nanoTime), -1 not yet. Looks first. */
    public long readyNanos() {
        poll();
        return readyNanos;
    }

    /** The guest's boot stamps once a complete stamp line followed the ready line; null before (or without). */
    public GuestStamps stamps() {
        poll();
        return found;
    }

    /** Reads what was appended since the last look. */
    public synchronized void poll() {
        if (!active() || (readyNanos >= 0 && (!stamps || found != null))) {
            return;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (a.size() < offset || (fileKey != null && !Objects.equals(fileKey, a.fileKey()))) {
                offset = 0; // truncated or recreated: its content is new
                pending.reset();
            }
            fileKey = a.fileKey();
            if (a.size() == offset) {
                return;
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                if (buf == null) {
                    buf = ByteBuffer.allocate(64 * 1024);
                }
                buf.clear();
                int n;
                while ((n = ch.read(buf, offset)) > 0) {
                    offset += n;
                    consume(buf.array(), n);
                    buf.clear();
                }
            }
            if (readyNanos < 0 && pending.size() > 0 && indexOf(pending.toByteArray(), readyLine) >= 0) {
                readyNanos = System.nanoTime();
            }
        } catch (NoSuchFileException e) {
            // not created yet (or removed: its successor is read from its start)
            offset = 0;
            fileKey = null;
            pending.reset();
        } catch (IOException e) {
            // not readable now: the next look tries again
        }
    }

    private void consume(byte[] b, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (b[i] == '\n') {
                pending.write(b, start, i - start);
                line(pending.toByteArray());
                pending.reset();
                start = i + 1;
            }
        }
        pending.write(b, start, n - start);
        if (pending.size() > MAX_PENDING) {
            byte[] all = pending.toByteArray();
            if (readyNanos < 0 && indexOf(all, readyLine) >= 0) {
                readyNanos = System.nanoTime();
            }
            pending.reset();
            pending.write(all, all.length - KEEP, KEEP);
        }
    }

    private void line(byte[] line) {
        if (readyNanos < 0 && indexOf(line, readyLine) >= 0) {
            readyNanos = System.nanoTime();
        }
        if (stamps && readyNanos >= 0 && found == null) {
            found = GuestStamps.find(line);
        }
    }

    /** Stops {@link #watch}'s thread; looks still work. */
    @Override
    public void close() {
        closed = true;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
