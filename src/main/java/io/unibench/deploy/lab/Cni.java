package io.unibench.deploy.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.unibench.UnibenchException;
import io.unibench.util.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Attaches a container's network namespace to a lab segment with the CNI {@code bridge} plugin and
 * {@code static} IPAM (Debian's containernetworking-plugins), run <em>inside the lab namespace</em>, so
 * the host end of the veth lands there and the host's default namespace gets nothing. {@code DEL} detaches
 * again. The plugins do the netlink work; unibench only writes their configuration.
 */
public final class Cni {
    public static final String PATH_PROPERTY = "unibench.cni.path";
    static final List<Path> DEFAULT_DIRS = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_MS = 15_000;

    /** What ADD created: the lab-side veth device and the container interface's MAC. */
    public record Added(String hostDevice, String containerMac) {
    }

    private Cni() {
    }

    /** The directory holding the {@code bridge} and {@code static} plugins, null when none does. */
    public static Path pluginDir() {
        String p = System.getProperty(PATH_PROPERTY);
        List<Path> dirs = p == null || p.isBlank() ? DEFAULT_DIRS : List.of(Path.of(p));
        for (Path d : dirs) {
            if (Files.isExecutable(d.resolve("bridge")) && Files.isExecutable(d.resolve("static"))) {
                return d;
            }
        }
        return null;
    }

    static Path requirePluginDir() {
        Path d = pluginDir();
        if (d == null) {
            throw new UnibenchException("the CNI bridge and static plugins are missing (looked in "
                    + DEFAULT_DIRS + "); install them: apt-get install containernetworking-plugins");
        }
        return d;
    }

    /** The network configuration of {@code link} for the bridge plugin (static address, default route via the gateway). */
    static String conf(LabLink link) {
        ObjectNode c = JSON.createObjectNode();
        c.put("cniVersion", "1.0.0");
        c.put("name", "unibench-" + link.lab() + "-" + link.segment());
        c.put("type", "bridge");
        c.put("bridge", link.bridge());
        c.put("isGateway", false);
        c.put("ipMasq", false);
        c.put("hairpinMode", false);
        ObjectNode ipam = c.putObject("ipam");
        ipam.put("type", "static");
        ObjectNode a = ipam.putArray("addresses").addObject();
        a.put("address", link.cidr());
        if (link.gateway() != null) {
            a.put("gateway", link.gateway());
            ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        }
        // no gateway: a topology's link; the instance's placement adds its own routes
        if (link.mac() != null) {
            // the bridge plugin sets the container interface's MAC from here (its "mac" runtime capability)
            c.putObject("runtimeConfig").put("mac", link.mac());
        }
        return c.toString();
    }

    /** CNI ADD: the container (its network namespace {@code netnsPath}) gets {@code ifname} on the link's segment. */
    public static Added add(LabLink link, String containerId, String netnsPath, String ifname) {
        Processes.Result r = invoke("ADD", link, containerId, netnsPath, ifname);
        if (!r.ok()) {
            throw new UnibenchException("CNI ADD of " + link.cidr() + " on " + link.bridge() + " in " + link.namespace()
                    + " failed: " + errorOf(r.output()));
        }
        try {
            JsonNode res = JSON.readTree(r.output().substring(r.output().indexOf('{')));
            String host = null;
            String mac = null;
            for (JsonNode i : res.path("interfaces")) {
                String name = i.path("name").asText();
                if (i.hasNonNull("sandbox")) {
                    mac = i.path("mac").asText(null);
                } else if (!name.equals(link.bridge())) {
                    host = name;
                }
            }
            return new Added(host, mac);
        } catch (IOException | RuntimeException e) {
            throw new UnibenchException("CNI ADD answered something unreadable: " + r.output().strip(), e);
        }
    }

    /**
     * CNI DEL; {@code netnsPath} may be null when the container is gone (its veth went with its namespace).
     * A DEL of something already gone succeeds (CNI semantics).
     */
    public static void del(LabLink link, String containerId, String netnsPath, String ifname) {
        Processes.Result r = invoke("DEL", link, containerId, netnsPath, ifname);
        if (!r.ok()) {
            throw new UnibenchException("CNI DEL of " + link.cidr() + " in " + link.namespace() + " failed: "
                    + errorOf(r.output()));
        }
    }

    private static Processes.Result invoke(String command, LabLink link, String containerId, String netnsPath,
                                           String ifname) {
        Path dir = requirePluginDir();
        List<String> env = new ArrayList<>(List.of("env", "CNI_COMMAND=" + command, "CNI_CONTAINERID=" + containerId,
                "CNI_NETNS=" + (netnsPath == null ? "" : netnsPath), "CNI_IFNAME=" + ifname, "CNI_PATH=" + dir,
                dir.resolve("bridge").toString()));
        return Processes.run(Ip.inNamespace(link.namespace(), env), null, TIMEOUT_MS, conf(link));
    }

    private static String errorOf(String output) {
        try {
            JsonNode e = JSON.readTree(output.substring(output.indexOf('{')));
            return e.path("msg").asText(output.strip()) + (e.hasNonNull("details") ? " (" + e.path("details").asText() + ")" : "");
        } catch (IOException | RuntimeException ex) {
            return output.strip().replace('\n', ' ');
        }
    }
}
