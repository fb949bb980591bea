package io.unibench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.unibench.results.RunMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A result folder's identity as the report shows it: where it is, the name of its series in charts and
 * tables, and its {@code run.json}.
 *
 * @param dir    the run folder
 * @param label  series name: run.json's backend (or label), else the folder name; made unique across inputs
 * @param meta   the parsed run.json
 * @param study  the run.json of the study the run belongs to, or null
 */
public record RunInfo(Path dir, String label, JsonNode meta, JsonNode study) {

    public String benchmark() {
        return text(RunMetadata.BENCHMARK);
    }

    public String status() {
        return text(RunMetadata.STATUS);
    }

    public String stopReason() {
        return text(RunMetadata.STOP_REASON);
    }

    public String stopDetail() {
        return text(RunMetadata.STOP_DETAIL);
    }

    public String backend() {
        return text(RunMetadata.BACKEND);
    }

    public String service() {
        return text(RunMetadata.SERVICE);
    }

    /**
     * The QEMU accelerator: the run's own ({@code accelerator}, or {@code backends.qemu.accelerator} as the
     * boot benchmark records it), else the one its study recorded (for a run of QEMU or of no named backend).
     */
    public String accelerator() {
        String own = accelerator(meta);
        if (own != null) {
            return own;
        }
        // a study's accelerator is its QEMU's: it says nothing about a run of another backend
        String b = backendName();
        return b == null || b.equals("qemu") ? accelerator(study) : null;
    }

    private static String accelerator(JsonNode m) {
        if (m == null) {
            return null;
        }
        for (JsonNode n : List.of(m.path(RunMetadata.ACCELERATOR), m.path(RunMetadata.BACKENDS).path("qemu").path(RunMetadata.ACCELERATOR))) {
            if (n.isTextual() && !n.asText().isBlank()) {
                return n.asText();
            }
        }
        return null;
    }

    /** The backend this run measured: run.json's backend, else its label when that names a backend. */
    public String backendName() {
        String b = backend();
        if (b == null) {
            String l = text(RunMetadata.LABEL);
            if (Palette.isBackend(l)) {
                b = l;
            }
        }
        return b;
    }

    /**
     * A fact a deployer recorded about a backend: under {@code backend_facts} (a study) or {@code backends}
     * (a boot run), e.g. {@code backendFact("gvisor", "network_mode")}; null when not recorded.
     */
    public String backendFact(String backend, String key) {
        for (JsonNode n : List.of(path(RunMetadata.BACKEND_FACTS).path(backend).path(key),
                path(RunMetadata.BACKENDS).path(backend).path(key))) {
            if (n.isValueNode() && !n.asText().isBlank()) {
                return n.asText();
            }
        }
        return null;
    }

    /**
     * How the load reached the instances, {@code forward} or {@code lab}: run.json's {@code network.mode},
     * else its study's, else {@code lab} when the generator ran in a lab; null when nothing says (older
     * runs, or a bench against a --target).
     */
    public String networkMode() {
        for (JsonNode m : List.of(path(NETWORK).path("mode"), study == null ? MissingNode.getInstance()
                : study.path(NETWORK).path("mode"))) {
            if (m.isTextual() && (m.asText().equals("forward") || m.asText().equals("lab"))) {
                return m.asText();
            }
        }
        return path(GENERATOR_NETWORK).path("lab").isTextual() ? "lab" : null;
    }

    /**
     * The path traffic took to a backend's instances as recorded (run.json's or its study's
     * {@code network.path.<backend>}: {@code tap+bridge}, {@code veth+bridge}, or the forwarder in words);
     * null when not recorded.
     */
    public String networkPath(String backend) {
        for (JsonNode m : List.of(path(NETWORK).path("path"), study == null ? MissingNode.getInstance()
                : study.path(NETWORK).path("path"))) {
            JsonNode n = m.isObject() ? m.path(backend) : m;
            if (n.isTextual() && !n.asText().isBlank()) {
                return n.asText();
            }
        }
        return null;
    }

    static final String NETWORK = "network";
    static final String GENERATOR_NETWORK = "generator_network";

    /** QEMU was involved: its backend, an accelerator, or a qemu tool version says so. */
    public boolean involvesQemu() {
        if ("qemu".equals(backendName()) || accelerator(meta) != null || path("tools").has("qemu")
                || path("backends").path("qemu").isObject()) {
            return true;
        }
        for (JsonNode b : List.of(path("backends"), path("parameters").path("backends"))) {
            if (b.isArray()) {
                for (JsonNode x : b) {
                    if ("qemu".equals(x.asText())) {
                        return true;
                    }
                }
            }
        }
        return "boot".equals(benchmark()) && path("parameters").path("backend").asText("").matches("qemu|both");
    }

    /** Ctrl-C ended it: the last step or cycle is partial. */
    public boolean interrupted() {
        return "interrupted".equals(stopReason()) || "interrupted".equals(status());
    }

    /** run.json still says running: the process was killed before it could record how it ended. */
    public boolean unfinished() {
        return "running".equals(status());
    }

    /** A caveat as the run recorded it; {@code id} is null for a plain-text caveat of an older run.json. */
    public record Recorded(String id, String text) {
    }

    /** The caveats run.json records: {@code {"id", "text"}} objects (or, in older folders, plain texts). */
    public List<Recorded> caveats() {
        List<Recorded> out = new ArrayList<>();
        JsonNode c = path(RunMetadata.CAVEATS);
        for (JsonNode x : c.isArray() ? c : List.of(c)) {
            if (x.isObject() && x.path("text").isTextual()) {
                String id = x.path("id").asText("");
                out.add(new Recorded(id.isBlank() ? null : id, x.path("text").asText()));
            } else if (x.isTextual() && !x.asText().isBlank()) {
                out.add(new Recorded(null, x.asText()));
            }
        }
        return out;
    }

    public List<String> commandLine() {
        List<String> args = new ArrayList<>();
        JsonNode cl = meta.path(RunMetadata.COMMAND_LINE);
        if (cl.isArray()) {
            cl.forEach(a -> args.add(a.asText()));
        } else if (cl.isTextual()) {
            args.add(cl.asText());
        }
        return args;
    }

    public JsonNode path(String key) {
        return meta == null ? MissingNode.getInstance() : meta.path(key);
    }

    /** A top-level text value, or null when absent or empty. */
    public String text(String key) {
        JsonNode n = path(key);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        String s = n.isValueNode() ? n.asText() : n.toString();
        return s.isBlank() ? null : s;
    }
}
