package io.unibench.deploy.lab;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One L2 network of a lab: a Linux bridge inside the lab's namespace, an IPv4 subnet, and the lab's own
 * address on it (the gateway, {@code .254} in a /24), which is where the client side of the lab sits.
 *
 * @param name    segment name, e.g. {@code dmz} (the default segment)
 * @param bridge  bridge device inside the lab namespace, e.g. {@code br-dmz}
 * @param subnet  its addresses
 * @param gateway the bridge's own address (the lab side); null when the lab has no address on this segment
 *                (a segment of a topology that only its instances use)
 */
public record Segment(@JsonProperty("name") String name, @JsonProperty("bridge") String bridge,
                      @JsonProperty("subnet") Subnet subnet, @JsonProperty("gateway") String gateway) {
    public static final String DEFAULT = "dmz";

    /** A segment named {@code name} on {@code subnet}, its bridge {@code br-<name>}, its gateway the plan's. */
    public static Segment of(String name, Subnet subnet) {
        return new Segment(name, "br-" + name, subnet, subnet.host(AddressPlan.gatewayOffset(subnet)));
    }

    /**
     * A segment whose lab side has {@code labAddress} (null: no address at all): a topology's segments, where
     * the plan, not the lab, owns the gateway addresses.
     */
    public static Segment withLabAddress(String name, Subnet subnet, String labAddress) {
        return new Segment(name, "br-" + name, subnet, labAddress);
    }

    /** {@code 10.0.0.254/24}: the bridge's address with the prefix; null when the lab has none here. */
    @JsonIgnore
    public String gatewayCidr() {
        return gateway == null ? null : gateway + "/" + subnet.prefix();
    }
}
