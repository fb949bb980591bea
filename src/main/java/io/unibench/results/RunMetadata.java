package io.unibench.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The self-description of one run, written as {@code run.json} in its folder: what ran (unibench version
 * and git commit, the full command line), where (host CPU, cores, memory, kernel, tool versions), with
 * which parameters, when, and why it stopped. Written when the run starts ({@code status: running}) and
 * rewritten when it ends, so even a killed run says what it was.
 */
public final class RunMetadata {
    public static final String FILE = "run.json";

    // ---- the keys of run.json that readers (report) rely on; writers and readers use these names
    public static final String BENCHMARK = "benchmark";
    public static final String STATUS = "status";
    public static final String UNIBENCH = "unibench";
    public static final String COMMAND_LINE = "command_line";
    public static final String START_UTC = "start_utc";
    public static final String END_UTC = "end_utc";
    public static final String HOST = "host";
    public static final String PARAMETERS = "parameters";
    public static final String TOOLS = "tools";
    public static final String STOP_REASON = "stop_reason";
    public static final String STOP_DETAIL = "stop_detail";
    /** The backend a run measured (bench runs against a deployed instance), or its --label. */
    public static final String BACKEND = "backend";
    public static final String LABEL = "label";
    public static final String SERVICE = "service";
    /** The QEMU accelerator (kvm or tcg), top level or under {@code backends.qemu}. */
    public static final String ACCELERATOR = "accelerator";
    /** The backends a multi-backend run involved (a list, or an object per backend). */
    public static final String BACKENDS = "backends";
    /** Per backend, the facts its deployer reports (image, runtime, network path...), as a study records them. */
    public static final String BACKEND_FACTS = "backend_facts";
    public static final String PROFILE = "profile";
    public static final String GENERATOR = "generator";
    /** A list of {@code {"id", "text"}} objects, see {@link Caveat}. */
    public static final String CAVEATS = "caveats";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode root = JSON.createObjectNode();

    public RunMetadata(String benchmark, List<String> commandLine, Instant start) {
        root.put(Schema.KEY, Schema.VERSION);
        root.put(BENCHMARK, benchmark);
        root.put(STATUS, "running");
        ObjectNode ub = root.putObject(UNIBENCH);
        ub.put("version", Version.VERSION);
        ub.put("git_commit", Version.gitCommit());
        root.putPOJO(COMMAND_LINE, commandLine);
        root.put(START_UTC, start.toString());
        root.set(HOST, HostInfo.collect());
        root.putObject(PARAMETERS);
        root.putObject(TOOLS);
    }

    public ObjectNode root() {
        return root;
    }

    /** Benchmark parameters as given and as defaulted (every value that shaped the run). */
    public RunMetadata parameter(String key, Object value) {
        ((ObjectNode) root.get(PARAMETERS)).putPOJO(key, value);
        return this;
    }

    /** A tool involved in the measurement, with its version line (qemu, docker, dnsperf...). */
    public RunMetadata tool(String name, String version) {
        ((ObjectNode) root.get(TOOLS)).put(name, version);
        return this;
    }

    /** Any other section (target, deployment, generator, caveats). */
    public RunMetadata put(String key, Object value) {
        root.putPOJO(key, value);
        return this;
    }

    /** Records a caveat of this run (appended to {@link #CAVEATS}). */
    public RunMetadata caveat(Caveat id, String text) {
        JsonNode list = root.get(CAVEATS);
        ArrayNode caveats = list instanceof ArrayNode a ? a : root.putArray(CAVEATS);
        ObjectNode c = caveats.addObject();
        c.put("id", id.id());
        c.put("text", text);
        return this;
    }

    public RunMetadata putNode(String key, JsonNode node) {
        root.set(key, node);
        return this;
    }

    public RunMetadata finish(Instant end, StopReason reason, String detail) {
        root.put(STATUS, reason == StopReason.INTERRUPTED || reason == StopReason.FAILED ? reason.label() : "complete");
        root.put(END_UTC, end.toString());
        root.put(STOP_REASON, reason.label());
        if (detail != null) {
            root.put(STOP_DETAIL, detail);
        }
        return this;
    }

    public void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Version and source revision of this unibench, baked in at build time ({@code io/unibench/build.properties},
     * written by the build from {@code git rev-parse HEAD}, "-dirty" for uncommitted changes): no git at run time.
     */
    public static final class Version {
        private static final java.util.Properties BUILD = load();
        public static final String VERSION = BUILD.getProperty("version", "dev");

        private Version() {
        }

        private static java.util.Properties load() {
            java.util.Properties p = new java.util.Properties();
            try (var in = RunMetadata.class.getResourceAsStream("/io/unibench/build.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // not built by Maven: version and commit unknown
            }
            return p;
        }

        /** The git commit unibench was built from (+"-dirty"), or "unknown". */
        public static String gitCommit() {
            return BUILD.getProperty("git.commit", "unknown");
        }

        /** When the jar was built (UTC), or "unknown". */
        public static String buildTime() {
            return BUILD.getProperty("build.utc", "unknown");
        }
    }

    /** Facts about the machine the run happened on. */
    public static final class HostInfo {
        private HostInfo() {
        }

        public static ObjectNode collect() {
            ObjectNode h = JSON.createObjectNode();
            h.put("hostname", read("/proc/sys/kernel/hostname"));
            h.put("cpu_model", cpuModel());
            h.put("cores", Runtime.getRuntime().availableProcessors());
            h.put("memory_bytes", memTotal());
            h.put("kernel", read("/proc/sys/kernel/osrelease"));
            h.put("os", osName());
            h.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            return h;
        }

        private static String read(String file) {
            try {
                return Files.readString(Path.of(file)).strip();
            } catch (IOException e) {
                return null;
            }
        }

        private static String cpuModel() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).strip();
                    }
                }
            } catch (IOException e) {
                // not Linux
            }
            return System.getProperty("os.arch");
        }

        public static long memTotal() {
            return meminfo("MemTotal");
        }

        public static long memAvailable() {
            return meminfo("MemAvailable");
        }

        private static long meminfo(String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (line.startsWith(key + ":")) {
                        String[] f = line.split("\\s+");
                        return Long.parseLong(f[1]) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // unknown
            }
            return -1;
        }

        private static String osName() {
            try {
                for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                    if (line.startsWith("PRETTY_NAME=")) {
                        return line.substring(12).replace("\"", "");
                    }
                }
            } catch (IOException e) {
                // unknown
            }
            return System.getProperty("os.name");
        }
    }

    /** Reads a run.json back (for report). */
    public static JsonNode read(Path dir) throws IOException {
        return JSON.readTree(dir.resolve(FILE).toFile());
    }

}
