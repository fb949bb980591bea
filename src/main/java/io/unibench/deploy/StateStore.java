package io.unibench.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.unibench.UnibenchException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What unibench has started, so that {@code status} and {@code destroy} find it again, even after the
 * deploying process was killed. Layout under the state directory:
 * <pre>
 *   lock                     file lock held around every change (two unibench processes at once are safe)
 *   instances/&lt;id&gt;.json      one {@link Instance} each, written before anything is started
 *   run/&lt;id&gt;/               per-instance runtime files (QMP socket, pid file), removed by destroy
 *   logs/&lt;id&gt;.console.log    console output, kept after destroy so a failed start can be read
 * </pre>
 * The directory is {@code -Dunibench.state.dir} when set (tests), else {@code $XDG_STATE_HOME/unibench},
 * else {@code ~/.local/state/unibench}.
 */
public final class StateStore {
    public static final String DIR_PROPERTY = "unibench.state.dir";
    private static final ReentrantLock JVM_LOCK = new ReentrantLock();
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path dir;
    private FileChannel lockChannel;
    private FileLock fileLock;

    private StateStore(Path dir) {
        this.dir = dir;
    }

    /** The state directory for this process (see the class comment). */
    public static Path defaultDir() {
        String prop = System.getProperty(DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "unibench");
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "unibench");
    }

    public static StateStore open() {
        return open(defaultDir());
    }

    public static StateStore open(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs.resolve("instances"));
            Files.createDirectories(abs.resolve("run"));
            Files.createDirectories(abs.resolve("logs"));
        } catch (IOException e) {
            throw new UnibenchException("cannot create the state directory " + abs + ": " + e.getMessage(), e);
        }
        return new StateStore(abs);
    }

    public Path dir() {
        return dir;
    }

    /** The owner tag of everything this store's instances own (containers carry it as a label). */
    public String owner() {
        return dir.toString();
    }

    /** Runs {@code body} holding this JVM's lock and the state directory's file lock. */
    public <T> T locked(Supplier<T> body) {
        JVM_LOCK.lock();
        try {
            boolean outer = JVM_LOCK.getHoldCount() == 1;
            if (outer) {
                acquireFileLock();
            }
            try {
                return body.get();
            } finally {
                if (outer) {
                    releaseFileLock();
                }
            }
        } finally {
            JVM_LOCK.unlock();
        }
    }

    public void locked(Runnable body) {
        locked(() -> {
            body.run();
            return null;
        });
    }

    private void acquireFileLock() {
        try {
            lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            fileLock = lockChannel.lock();
        } catch (IOException e) {
            closeQuietly();
            throw new UnibenchException("cannot lock the state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private void releaseFileLock() {
        try {
            if (fileLock != null) {
                fileLock.release();
            }
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // nothing to do
        }
        lockChannel = null;
        fileLock = null;
    }

    /** Every recorded instance, sorted by id (backend, service, number). */
    public List<Instance> list() {
        List<Instance> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("instances"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                try {
                    out.add(JSON.readValue(f.toFile(), Instance.class));
                } catch (NoSuchFileException e) {
                    // destroyed meanwhile
                } catch (IOException e) {
                    throw new UnibenchException("unreadable state file " + f + " (" + e.getMessage()
                            + "); move it away and use 'docker ps --filter label=unibench.managed=true' / 'ps' "
                            + "to find what it described", e);
                }
            }
        } catch (IOException e) {
            throw new UnibenchException("cannot list " + dir.resolve("instances") + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(Instance::backend).thenComparing(Instance::service)
                .thenComparingInt(i -> number(i.id())).thenComparing(Instance::id));
        return out;
    }

    public Optional<Instance> get(String id) {
        Path f = file(id);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), Instance.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UnibenchException("unreadable state file " + f + ": " + e.getMessage(), e);
        }
    }

    /** Writes (atomically replaces) the record of {@code instance}. */
    public void put(Instance instance) {
        Path f = file(instance.id());
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), instance);
            try {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UnibenchException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    /** Forgets {@code id} and deletes its runtime directory (logs stay). */
    public void remove(String id) {
        try {
            Files.deleteIfExists(file(id));
            Path run = dir.resolve("run").resolve(id);
            if (Files.isDirectory(run)) {
                try (Stream<Path> files = Files.list(run)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(run);
            }
        } catch (IOException e) {
            throw new UnibenchException("cannot remove the state of " + id + ": " + e.getMessage(), e);
        }
    }

    /** The next free id {@code <backend>-<service>-<n>} (smallest n not recorded). Call under {@link #locked}. */
    public String nextId(Backend backend, String service) {
        String prefix = backend.id() + "-" + service + "-";
        Set<String> used = new HashSet<>();
        for (Instance i : list()) {
            used.add(i.id());
        }
        for (int n = 1; ; n++) {
            if (!used.contains(prefix + n)) {
                return prefix + n;
            }
        }
    }

    /** Per-instance runtime directory (created). */
    public Path runDir(String id) {
        Path p = dir.resolve("run").resolve(id);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UnibenchException("cannot create " + p + ": " + e.getMessage(), e);
        }
        return p;
    }

    /** A log file of {@code id}, e.g. {@code logs/qemu-dns-1.console.log}. */
    public Path logFile(String id, String kind) {
        return dir.resolve("logs").resolve(id + "." + kind + ".log");
    }

    private Path file(String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new io.unibench.UsageException("invalid instance id '" + id + "'");
        }
        return dir.resolve("instances").resolve(id + ".json");
    }

    private static int number(String id) {
        int dash = id.lastIndexOf('-');
        try {
            return Integer.parseInt(id.substring(dash + 1));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
