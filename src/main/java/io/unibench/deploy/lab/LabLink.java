package io.unibench.deploy.lab;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How one instance is attached to a lab segment: its address there and the device that carries it.
 *
 * @param lab       lab name
 * @param namespace the lab's network namespace
 * @param segment   segment name
 * @param bridge    the segment's bridge (inside the namespace)
 * @param address   the instance's IPv4 address on the segment
 * @param prefix    the segment's prefix length
 * @param gateway   the segment's gateway (the lab side)
 * @param mac       the guest's MAC address (QEMU: chosen by unibench, unique per lab; containers: the
 *                  one the CNI plugin reported), null until known
 * @param device    the lab-side device: QEMU's tap, or the host end of the container's veth (from CNI),
 *                  null until created
 * @param path      {@code tap+bridge} (QEMU) or {@code veth+bridge} (containers and native processes, through
 *                  the CNI bridge plugin)
 * @param instanceNamespace the instance's own network namespace when unibench made one for it (a native
 *                  process); null when the backend brings its own (containers) or needs none (QEMU)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LabLink(@JsonProperty("lab") String lab, @JsonProperty("namespace") String namespace,
                      @JsonProperty("segment") String segment, @JsonProperty("bridge") String bridge,
                      @JsonProperty("address") String address, @JsonProperty("prefix") int prefix,
                      @JsonProperty("gateway") String gateway, @JsonProperty("mac") String mac,
                      @JsonProperty("device") String device, @JsonProperty("path") String path,
                      @JsonProperty("instance_namespace") String instanceNamespace) {
    public static final String TAP = "tap+bridge";
    public static final String VETH = "veth+bridge";

    @JsonIgnore
    public String cidr() {
        return address + "/" + prefix;
    }

    public LabLink withDevice(String d) {
        return new LabLink(lab, namespace, segment, bridge, address, prefix, gateway, mac, d, path, instanceNamespace);
    }

    public LabLink withMac(String m) {
        return new LabLink(lab, namespace, segment, bridge, address, prefix, gateway, m, device, path, instanceNamespace);
    }

    public LabLink withPath(String p) {
        return new LabLink(lab, namespace, segment, bridge, address, prefix, gateway, mac, device, p, instanceNamespace);
    }

    public LabLink withInstanceNamespace(String ns) {
        return new LabLink(lab, namespace, segment, bridge, address, prefix, gateway, mac, device, path, ns);
    }
}
