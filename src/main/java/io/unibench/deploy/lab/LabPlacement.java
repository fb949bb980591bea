package io.unibench.deploy.lab;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a multi-homed instance sits in a lab (a topology's router or firewall, or any of its services): every
 * link in interface order (the first is also {@code Instance.lab}), and the instance's own static routes. Each
 * link's {@code gateway} is null here: the routes say where traffic goes. QEMU gets them as {@code ip= ipN=
 * gw= route=} on the kernel command line, a container as {@code ethN} interfaces (CNI, one ADD per link) and
 * {@code ip route} entries in its namespace.
 *
 * @param links  the instance's links, interface 0 first
 * @param routes {@code default via A.B.C.D} or {@code NET/N via A.B.C.D}, in {@code ip route} syntax
 */
public record LabPlacement(@JsonProperty("links") List<LabLink> links, @JsonProperty("routes") List<String> routes) {
    public LabPlacement {
        links = links == null ? List.of() : List.copyOf(links);
        routes = routes == null ? List.of() : List.copyOf(routes);
        if (links.isEmpty()) {
            throw new IllegalArgumentException("a placement needs a link");
        }
    }

    /** The same placement with link {@code i} replaced. */
    public LabPlacement withLink(int i, LabLink l) {
        List<LabLink> all = new ArrayList<>(links);
        all.set(i, l);
        return new LabPlacement(all, routes);
    }

    /**
     * The library OS command line for these links and routes: {@code ip=} / {@code ipN=} per link, {@code gw=} for
     * the default route, {@code route=NET/N:GW} for the others (unikernels/README.md).
     */
    public String kernelCmdline() {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            t.add((i == 0 ? "ip=" : "ip" + i + "=") + links.get(i).cidr());
        }
        for (String r : routes) {
            String[] p = r.trim().split("\\s+");
            if (p.length != 3 || !p[1].equals("via")) {
                throw new IllegalArgumentException("route '" + r + "' is not 'TO via GW'");
            }
            t.add(p[0].equals("default") ? "gw=" + p[2] : "route=" + p[0] + ":" + p[2]);
        }
        return String.join(" ", t);
    }
}
