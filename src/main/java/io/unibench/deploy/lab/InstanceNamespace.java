package io.unibench.deploy.lab;

import java.util.List;

/**
 * A network namespace of one instance's own, for backends that bring none (a native process): created
 * next to its lab ({@code <lab namespace>-<instance id>}), marked like a lab, attached to the segment by
 * CNI ADD exactly as a container is, and the process started inside it ({@code ip netns exec}). Removing
 * it (CNI DEL, then delete) touches only a namespace carrying this instance's marker.
 */
public final class InstanceNamespace {
    /** The interface the instance sees inside its namespace. */
    public static final String IFNAME = "eth0";

    private InstanceNamespace() {
    }

    public static String name(LabLink link, String instanceId) {
        return link.namespace() + "-" + instanceId;
    }

    static String marker(String owner, String instanceId) {
        return "unibench instance=" + instanceId + " owner=" + owner;
    }

    /** Creates (or reuses, when it is ours) the namespace and attaches it; the link with namespace, veth and MAC. */
    public static LabLink create(LabLink link, String instanceId, String owner) {
        String ns = name(link, instanceId);
        String marker = marker(owner, instanceId);
        if (Ip.namespaceExists(ns) && !marker.equals(Ip.alias(ns, "lo"))) {
            throw new io.unibench.UnibenchException("network namespace " + ns + " exists and is not this instance's "
                    + "(no unibench marker); left alone");
        }
        if (!Ip.namespaceExists(ns)) {
            Ip.addNamespace(ns);
        }
        Ip.batch(ns, List.of("link set dev lo alias \"" + marker + "\"", "link set dev lo up"));
        Cni.Added a = Cni.add(link, instanceId, Ip.namespacePath(ns).toString(), IFNAME);
        return link.withInstanceNamespace(ns).withDevice(a.hostDevice()).withMac(a.containerMac());
    }

    /** The argument vector that runs {@code argv} inside the instance's namespace. */
    public static List<String> exec(LabLink link, List<String> argv) {
        return Ip.inNamespace(link.instanceNamespace(), argv);
    }

    /** CNI DEL and delete of the instance's namespace, if it is there and ours; nothing otherwise. */
    public static void remove(LabLink link, String instanceId, String owner) {
        String ns = link == null ? null : link.instanceNamespace();
        if (ns == null || !Ip.namespaceExists(ns) || !marker(owner, instanceId).equals(Ip.alias(ns, "lo"))) {
            return;
        }
        if (Ip.namespaceExists(link.namespace())) {
            Cni.del(link, instanceId, Ip.namespacePath(ns).toString(), IFNAME);
        }
        Ip.deleteNamespace(ns);
    }
}
