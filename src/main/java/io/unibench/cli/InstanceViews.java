package io.unibench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.unibench.Units;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.Instance;
import io.unibench.deploy.StateStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Tables and JSON documents of instances, for deploy and status. */
final class InstanceViews {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InstanceViews() {
    }

    static String endpoints(Instance i) {
        return i.endpoints().stream().map(Endpoint::toString).collect(Collectors.joining(","));
    }

    static String handle(Instance i) {
        if (i.pid() != null) {
            return "pid " + i.pid();
        }
        if (i.containerId() != null) {
            return i.containerId().substring(0, Math.min(12, i.containerId().length()));
        }
        if (i.detail("domain") != null) {
            return "domain " + i.detail("domain");
        }
        return "-";
    }

    /** The host the instance lives on: a server's name for a remote engine, else localhost. */
    static String host(Instance i) {
        String s = i.detail("server");
        return s == null ? "localhost" : s;
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    static void printDeployTable(PrintWriter out, List<Instance> instances) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "BACKEND", "HOST", "SERVICE", "ENDPOINTS", "PROCESS", "CONSOLE_READY_MS",
            "READY_MS"});
        for (Instance i : instances) {
            rows.add(new String[] {i.id(), i.backend().id(), host(i), i.service(), endpoints(i), handle(i),
                ms(i.timing() == null ? -1 : i.timing().consoleReadyNanos()),
                ms(i.timing() == null ? -1 : i.timing().readyNanos())});
        }
        printTable(out, rows);
    }

    static void printStatusTable(PrintWriter out, List<Deployments.Status> statuses) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "BACKEND", "HOST", "SERVICE", "STATE", "HEALTHY", "ENDPOINTS", "UPTIME", "MEMORY",
            "PROCESS"});
        for (Deployments.Status s : statuses) {
            Instance i = s.instance();
            long mem = s.observation().memoryBytes();
            rows.add(new String[] {i.id(), i.backend().id(), host(i), i.service(), s.observation().state().name(),
                s.healthy() == null ? "-" : s.healthy() ? "yes" : "NO", endpoints(i),
                Units.formatDuration(s.uptime()),
                mem < 0 ? "-" : String.format(Locale.ROOT, "%.1fM", mem / 1048576.0), handle(i)});
        }
        printTable(out, rows);
    }

    static void printTable(PrintWriter out, List<String[]> rows) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                w[c] = Math.max(w[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < r.length; c++) {
                b.append(c == r.length - 1 ? r[c] : String.format("%-" + w[c] + "s  ", r[c]));
            }
            out.println(b.toString().stripTrailing());
        }
    }

    static ObjectNode deployDocument(List<Instance> instances, long wallNanos, StateStore state) {
        ObjectNode root = JSON.createObjectNode();
        root.put(io.unibench.results.Schema.KEY, io.unibench.results.Schema.VERSION);
        root.put("kind", "deploy");
        root.put("state_dir", state.dir().toString());
        root.put("wall_ms", wallNanos / 1e6);
        ArrayNode arr = root.putArray("instances");
        for (Instance i : instances) {
            ObjectNode n = JSON.valueToTree(i);
            n.put("host", host(i));
            arr.add(n);
        }
        return root;
    }

    static ObjectNode statusDocument(List<Deployments.Status> statuses, StateStore state) {
        ObjectNode root = JSON.createObjectNode();
        root.put(io.unibench.results.Schema.KEY, io.unibench.results.Schema.VERSION);
        root.put("kind", "status");
        root.put("state_dir", state.dir().toString());
        ArrayNode arr = root.putArray("instances");
        for (Deployments.Status s : statuses) {
            ObjectNode n = JSON.valueToTree(s.instance());
            n.put("host", host(s.instance()));
            n.put("state", s.observation().state().name());
            if (s.healthy() != null) {
                n.put("healthy", s.healthy());
            } else {
                n.putNull("healthy");
            }
            n.put("health_detail", s.health());
            n.put("uptime_s", s.uptime().toMillis() / 1000.0);
            n.put("memory_bytes", s.observation().memoryBytes());
            n.put("memory_source", s.observation().memorySource());
            arr.add(n);
        }
        return root;
    }

    static void printJson(PrintWriter out, ObjectNode doc) {
        try {
            out.println(JSON.writeValueAsString(doc));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
