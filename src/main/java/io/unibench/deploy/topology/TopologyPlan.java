package io.unibench.deploy.topology;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.unibench.UsageException;
import io.unibench.deploy.lab.Subnet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The study's proof-of-concept topology (its Figures 5 and 6): a client on the external segment, a firewall
 * between the external segment and the firewall link, a router between the link and the DMZ, the web and
 * DNS servers in the DMZ. The addresses follow from the three subnets by the study's offsets, so another
 * address plan keeps the same shape:
 *
 * <pre>
 *   external 192.168.100.0/24: client .100, firewall .254 (the last host)
 *   link     192.168.101.0/29: router .2, firewall .3
 *   DMZ      10.0.0.0/24:      web .5, DNS .100, router .254 (the last host)
 * </pre>
 *
 * The firewall routes the DMZ via the router; the router's default route is the firewall; the DMZ hosts'
 * gateway is the router; the client's gateway is the firewall and its resolver the DNS server.
 *
 * @param external the client's segment
 * @param link     the segment between firewall and router
 * @param dmz      the servers' segment
 */
public record TopologyPlan(@JsonProperty("external") Subnet external, @JsonProperty("link") Subnet link,
                           @JsonProperty("dmz") Subnet dmz) {
    /** Segment names (also the lab's bridge names: br-ext, br-link, br-dmz). */
    public static final String EXT = "ext";
    public static final String LINK = "link";
    public static final String DMZ = "dmz";
    /** The services of the chain, in start order (the DMZ first, the firewall last: ready = reachable). */
    public static final List<String> SERVICES = List.of("dns", "web", "router", "firewall");

    static final int CLIENT = 100;
    static final int WEB = 5;
    static final int DNS = 100;
    static final int ROUTER_LINK = 2;
    static final int FIREWALL_LINK = 3;

    public TopologyPlan {
        if (external == null || link == null || dmz == null) {
            throw new IllegalArgumentException("three subnets");
        }
        check("external", external, CLIENT + 1);
        check("link", link, FIREWALL_LINK);
        check("dmz", dmz, DNS + 1);
        List<Subnet> all = List.of(external, link, dmz);
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                if (overlaps(all.get(i), all.get(j))) {
                    throw new UsageException("topology subnets " + all.get(i) + " and " + all.get(j) + " overlap");
                }
            }
        }
    }

    private static void check(String what, Subnet s, int hostsNeeded) {
        if (s.hostCount() < hostsNeeded) {
            throw new UsageException("the " + what + " subnet " + s + " is too small for the study's plan (needs "
                    + hostsNeeded + " host addresses)");
        }
    }

    private static boolean overlaps(Subnet a, Subnet b) {
        int p = Math.min(a.prefix(), b.prefix());
        long m = p == 0 ? 0 : (0xFFFFFFFFL << (32 - p)) & 0xFFFFFFFFL;
        return ((a.network() & m) == (b.network() & m));
    }

    /** The study's addresses. */
    public static TopologyPlan study() {
        return new TopologyPlan(Subnet.parse("192.168.100.0/24"), Subnet.parse("192.168.101.0/29"),
                Subnet.parse("10.0.0.0/24"));
    }

    /**
     * {@code ext=CIDR,link=CIDR,dmz=CIDR} (any subset; the rest stays the study's); a usage error on anything
     * else.
     */
    public static TopologyPlan parse(String spec) {
        TopologyPlan p = study();
        if (spec == null || spec.isBlank()) {
            return p;
        }
        Map<String, Subnet> m = new LinkedHashMap<>(Map.of(EXT, p.external, LINK, p.link, DMZ, p.dmz));
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part.strip() : part.substring(0, eq).strip();
            if (eq < 0 || !m.containsKey(k)) {
                throw new UsageException("invalid topology plan '" + part.strip() + "' (expected ext=CIDR, link=CIDR, "
                        + "dmz=CIDR, e.g. ext=192.168.100.0/24,link=192.168.101.0/29,dmz=10.0.0.0/24)");
            }
            m.put(k, Subnet.parse(part.substring(eq + 1)));
        }
        return new TopologyPlan(m.get(EXT), m.get(LINK), m.get(DMZ));
    }

    // ---- addresses --------------------------------------------------------------------------------

    public String client() {
        return external.host(CLIENT);
    }

    public String firewallOutside() {
        return external.host(external.hostCount());
    }

    public String firewallInside() {
        return link.host(FIREWALL_LINK);
    }

    public String routerLink() {
        return link.host(ROUTER_LINK);
    }

    public String routerDmz() {
        return dmz.host(dmz.hostCount());
    }

    public String web() {
        return dmz.host(WEB);
    }

    public String dns() {
        return dmz.host(DNS);
    }

    /** The subnet of segment {@code name}. */
    public Subnet subnet(String name) {
        return switch (name) {
            case EXT -> external;
            case LINK -> link;
            case DMZ -> dmz;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** One interface of a node: its segment and address there (interface order = device order). */
    public record Iface(@JsonProperty("segment") String segment, @JsonProperty("address") String address,
                        @JsonProperty("prefix") int prefix) {
        @JsonIgnore
        public String cidr() {
            return address + "/" + prefix;
        }
    }

    /** A static route ({@code to} = {@code default} or a CIDR) through {@code via}. */
    public record Route(@JsonProperty("to") String to, @JsonProperty("via") String via) {
        @JsonIgnore
        public boolean isDefault() {
            return "default".equals(to);
        }
    }

    /** A service of the chain: its interfaces (the first is interface 0) and routes. */
    public record Node(@JsonProperty("service") String service, @JsonProperty("ifaces") List<Iface> ifaces,
                       @JsonProperty("routes") List<Route> routes) {
        public Node {
            ifaces = List.copyOf(ifaces);
            routes = List.copyOf(routes);
        }

        /**
         * The library OS command line for this node: {@code ip=} and {@code ipN=} per interface, {@code gw=} for
         * the default route, {@code route=NET/N:GW} for the others (unikernels/README.md).
         */
        public String kernelCmdline() {
            List<String> t = new ArrayList<>();
            for (int i = 0; i < ifaces.size(); i++) {
                t.add((i == 0 ? "ip=" : "ip" + i + "=") + ifaces.get(i).cidr());
            }
            for (Route r : routes) {
                t.add(r.isDefault() ? "gw=" + r.via() : "route=" + r.to() + ":" + r.via());
            }
            return String.join(" ", t);
        }
    }

    /** The four services of the chain with their interfaces and routes, in {@link #SERVICES} order. */
    public List<Node> nodes() {
        return List.of(node("dns"), node("web"), node("router"), node("firewall"));
    }

    /** The node of {@code service}. */
    public Node node(String service) {
        return switch (service) {
            case "dns" -> new Node("dns", List.of(new Iface(DMZ, dns(), dmz.prefix())),
                    List.of(new Route("default", routerDmz())));
            case "web" -> new Node("web", List.of(new Iface(DMZ, web(), dmz.prefix())),
                    List.of(new Route("default", routerDmz())));
            case "router" -> new Node("router", List.of(new Iface(LINK, routerLink(), link.prefix()),
                    new Iface(DMZ, routerDmz(), dmz.prefix())), List.of(new Route("default", firewallInside())));
            case "firewall" -> new Node("firewall", List.of(new Iface(EXT, firewallOutside(), external.prefix()),
                    new Iface(LINK, firewallInside(), link.prefix())), List.of(new Route(dmz.toString(), routerLink())));
            default -> throw new IllegalArgumentException("not a service of the topology: " + service);
        };
    }

    /** The hops from the client to the DMZ, in order, with the address each answers traceroute from. */
    public List<Map.Entry<String, String>> hops() {
        return List.of(Map.entry("firewall", firewallOutside()), Map.entry("router", routerLink()));
    }
}
