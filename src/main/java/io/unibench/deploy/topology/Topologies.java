package io.unibench.deploy.topology;

import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.lab.Lab;
import io.unibench.deploy.lab.LabLink;
import io.unibench.deploy.lab.LabPlacement;
import io.unibench.deploy.lab.Labs;
import io.unibench.deploy.lab.Segment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The study's topology as labs: one lab per backend ({@code poc-qemu}, {@code poc-docker}), each holding the
 * three segments of the {@link TopologyPlan} as bridges and the four services on them, so both address plans
 * coexist. The lab's own side is the client: its address on the external segment, its gateway the firewall,
 * its resolver the DNS server, so whatever runs inside the lab ({@code lab exec}, {@code bench --lab}) goes
 * through the firewall and the router.
 */
public final class Topologies {
    /** What {@code Lab.topology().get("kind")} says for the study's topology. */
    public static final String KIND = "study";
    /** Backends a topology can be built of (all four services on the same one). */
    public static final List<Backend> SUPPORTED = List.of(Backend.qemu, Backend.docker);

    private Topologies() {
    }

    /** The lab of {@code backend}'s topology. */
    public static String labName(Backend backend) {
        return "poc-" + backend.name();
    }

    /** True when {@code lab} holds a topology. */
    public static boolean isTopology(Lab lab) {
        return lab != null && lab.topology() != null && KIND.equals(lab.topology().get("kind"));
    }

    /** The plan a topology lab was built with. */
    public static TopologyPlan plan(Lab lab) {
        return TopologyPlan.parse(lab.topology().get("plan"));
    }

    /** The backend a topology lab was built of. */
    public static Backend backend(Lab lab) {
        return Backend.valueOf(lab.topology().get("backend"));
    }

    /**
     * {@code --backend} of {@code deploy poc --network lab}: qemu, docker, both (a topology each), or a
     * comma-separated list of those. One topology never mixes backends: anything else (e.g.
     * {@code firewall=docker}, {@code qemu+docker}) is a usage error listing what is supported.
     */
    /**
     * Whether {@code deploy poc --backend text} without {@code --network} means the topology: yes for the
     * backends that build it (qemu, docker, both), and for text that names no backend at all (so the
     * topology's error lists what is supported); no for real backends without a topology (native, gvisor,
     * libvirt), which deploy DNS and web in forward mode.
     */
    public static boolean isDefaultFor(String text) {
        try {
            parseBackends(text);
            return true;
        } catch (UsageException notTopology) {
            try {
                Backend.parseChoice(text);
                return false;
            } catch (UsageException noBackend) {
                return true;
            }
        }
    }

    public static List<Backend> parseBackends(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        List<Backend> out = new ArrayList<>();
        for (String part : t.split(",")) {
            String p = part.strip();
            List<Backend> b;
            try {
                b = p.contains("=") || p.contains("+") || p.contains("/") ? null : Backend.parseChoice(p);
            } catch (UsageException e) {
                b = null;
            }
            if (b == null || !SUPPORTED.containsAll(b)) {
                throw new UsageException("a topology is built of one backend, all four services on it; '" + text
                        + "' is not supported (supported: qemu = firewall, router, dns and web as unikernels; docker "
                        + "= the four as containers; both = one topology of each, side by side)");
            }
            for (Backend x : b) {
                if (!out.contains(x)) {
                    out.add(x);
                }
            }
        }
        return out;
    }

    /** The lab's segments: the external one with the client's address, the link and the DMZ without any. */
    public static List<Segment> segments(TopologyPlan plan) {
        return List.of(Segment.withLabAddress(TopologyPlan.EXT, plan.external(), plan.client()),
                Segment.withLabAddress(TopologyPlan.LINK, plan.link(), null),
                Segment.withLabAddress(TopologyPlan.DMZ, plan.dmz(), null));
    }

    /** What the lab record says about the topology. */
    public static Map<String, String> describe(TopologyPlan plan, Backend backend) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", KIND);
        m.put("backend", backend.name());
        m.put("plan", TopologyPlan.EXT + "=" + plan.external() + "," + TopologyPlan.LINK + "=" + plan.link() + ","
                + TopologyPlan.DMZ + "=" + plan.dmz());
        return m;
    }

    /** Creates (or finds) the topology lab of {@code backend}. */
    public static Lab ensureLab(Labs labs, TopologyPlan plan, Backend backend) {
        return labs.ensureShaped(labName(backend), segments(plan), plan.firewallOutside(), plan.dns(),
                describe(plan, backend));
    }

    /**
     * Where {@code node} sits in {@code lab}: one link per interface (QEMU: a MAC unique in the lab; containers:
     * the MAC CNI reports), its routes in {@code ip route} syntax, no per-link gateway.
     */
    public static LabPlacement placement(Lab lab, TopologyPlan.Node node, Backend backend) {
        List<LabLink> links = new ArrayList<>();
        for (TopologyPlan.Iface f : node.ifaces()) {
            Segment seg = lab.segment(f.segment());
            int off = seg.subnet().offsetOf(f.address());
            String mac = backend == Backend.qemu ? Labs.mac(lab.namespace() + "/" + seg.name(), off) : null;
            links.add(new LabLink(lab.name(), lab.namespace(), seg.name(), seg.bridge(), f.address(), f.prefix(), null,
                    mac, null, backend == Backend.qemu ? LabLink.TAP : LabLink.VETH, null));
        }
        List<String> routes = new ArrayList<>();
        for (TopologyPlan.Route r : node.routes()) {
            routes.add(r.to() + " via " + r.via());
        }
        return new LabPlacement(links, routes);
    }

    /**
     * The deploy requests of a topology, in start order: firewall and router first (ready when they print
     * their ready line), then DNS and web, whose readiness probes run from the client, through the chain: the
     * topology is ready when the DNS answers and the page loads through firewall and router.
     */
    public static List<Deployments.Request> requests(ServiceCatalog catalog, Lab lab, TopologyPlan plan,
                                                     Backend backend) {
        List<Deployments.Request> out = new ArrayList<>();
        for (String s : List.of("firewall", "router", "dns", "web")) {
            out.add(new Deployments.Request(catalog.get(s), backend, placement(lab, plan.node(s), backend)));
        }
        return out;
    }

    /** The run.json key under which a benchmark run from a topology's client describes the topology. */
    public static final String RUN_JSON_KEY = "topology";

    /**
     * What run.json says of a topology the generator ran in: backend, lab, the three subnets, every address,
     * and the path its traffic takes (the report draws it).
     */
    public static Map<String, Object> runJson(Lab lab) {
        TopologyPlan p = plan(lab);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", KIND);
        m.put("lab", lab.name());
        m.put("backend", backend(lab).name());
        m.put("plan", lab.topology().get("plan"));
        m.put("client", p.client());
        m.put("client_gateway", p.firewallOutside());
        m.put("client_resolver", p.dns());
        m.put("firewall", List.of(p.firewallOutside(), p.firewallInside()));
        m.put("router", List.of(p.routerLink(), p.routerDmz()));
        m.put("web", p.web());
        m.put("dns", p.dns());
        m.put("path", "client " + p.client() + " -> firewall " + p.firewallOutside() + " / " + p.firewallInside()
                + " -> router " + p.routerLink() + " / " + p.routerDmz() + " -> DMZ " + p.dmz());
        return m;
    }

    /** The instances recorded in {@code lab}. */
    public static List<Instance> instances(List<Instance> recorded, Lab lab) {
        return recorded.stream().filter(i -> i.lab() != null && i.lab().lab().equals(lab.name())).toList();
    }
}
