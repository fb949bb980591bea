package io.unibench.deploy.topology;

import java.util.Locale;

/**
 * A small SVG drawing of a deployed topology: the three segments as vertical buses with their subnets, the
 * client and the four services as boxes (service, backend) and each interface's address on its wire. No
 * dependencies, deterministic output (the same plan and labels give the same bytes).
 */
public final class TopologyDiagram {
    private static final int W = 1060;
    private static final int H = 250;
    private static final int BOX_W = 120;
    private static final int BOX_H = 46;

    private TopologyDiagram() {
    }

    /**
     * The diagram of {@code plan} deployed as {@code backend} in lab {@code lab} ({@code title} on top).
     * {@code states} may mark services that are down (a service name mapped to a short state shown in red);
     * null or empty: nothing is marked.
     */
    public static String svg(TopologyPlan plan, String backend, String lab, java.util.Map<String, String> states) {
        StringBuilder s = new StringBuilder(4096);
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.append("<title>").append(esc("topology " + lab + " (" + backend + ")")).append("</title>\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(s, 12, 20, "start", 14, "bold", "The study's topology in lab " + lab + ": " + backend);

        // x positions: client | ext | firewall | link | router | dmz | web, dns
        int xClient = 20;
        int xExt = 230;
        int xFw = 320;
        int xLink = 530;
        int xRouter = 620;
        int xDmz = 830;
        int xSrv = 920;
        int top = 50;
        int bottom = 230;
        bus(s, xExt, top, bottom, "external", plan.external().toString());
        bus(s, xLink, top, bottom, "firewall link", plan.link().toString());
        bus(s, xDmz, top, bottom, "DMZ", plan.dmz().toString());

        int yMid = 120;
        box(s, xClient, yMid, "client", "namespace", null);
        wire(s, xClient + BOX_W, xExt, yMid + BOX_H / 2, plan.client(), true);

        box(s, xFw, yMid, "firewall", backend, state(states, "firewall"));
        wire(s, xExt, xFw, yMid + BOX_H / 2, plan.firewallOutside(), false);
        wire(s, xFw + BOX_W, xLink, yMid + BOX_H / 2, plan.firewallInside(), true);

        box(s, xRouter, yMid, "router", backend, state(states, "router"));
        wire(s, xLink, xRouter, yMid + BOX_H / 2, plan.routerLink(), false);
        wire(s, xRouter + BOX_W, xDmz, yMid + BOX_H / 2, plan.routerDmz(), true);

        int yWeb = 70;
        int yDns = 170;
        box(s, xSrv, yWeb, "web", backend, state(states, "web"));
        wire(s, xDmz, xSrv, yWeb + BOX_H / 2, plan.web(), false);
        box(s, xSrv, yDns, "dns", backend, state(states, "dns"));
        wire(s, xDmz, xSrv, yDns + BOX_H / 2, plan.dns(), false);

        text(s, xClient, yMid + BOX_H + 18, "start", 11, "normal", "gw " + plan.firewallOutside());
        text(s, xClient, yMid + BOX_H + 32, "start", 11, "normal", "resolver " + plan.dns());
        text(s, xFw, yMid + BOX_H + 18, "start", 11, "normal", "drops ICMP echo");
        text(s, xFw, yMid + BOX_H + 32, "start", 11, "normal", "route " + plan.dmz() + " via " + plan.routerLink());
        text(s, xRouter, yMid + BOX_H + 18, "start", 11, "normal", "default via " + plan.firewallInside());
        s.append("</svg>\n");
        return s.toString();
    }

    private static String state(java.util.Map<String, String> states, String service) {
        return states == null ? null : states.get(service);
    }

    private static void bus(StringBuilder s, int x, int top, int bottom, String name, String cidr) {
        s.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#4a6fa5\" stroke-width=\"4\"/>\n", x, top, x,
                bottom));
        text(s, x, top - 8, "middle", 11, "bold", name);
        text(s, x, bottom + 14, "middle", 11, "normal", cidr);
    }

    private static void box(StringBuilder s, int x, int y, String name, String sub, String down) {
        String stroke = down == null ? "#333" : "#c0392b";
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" "
                + "stroke=\"%s\" stroke-width=\"1.5\"/>\n", x, y, BOX_W, BOX_H, down == null ? "#f4f6f8" : "#fdecea",
                stroke));
        text(s, x + BOX_W / 2, y + 19, "middle", 13, "bold", name);
        text(s, x + BOX_W / 2, y + 36, "middle", 11, "normal", down == null ? sub : sub + ": " + down);
    }

    private static void wire(StringBuilder s, int x1, int x2, int y, String address, boolean labelLeft) {
        s.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"1.5\"/>\n", x1, y, x2, y));
        int tx = labelLeft ? x1 + 4 : x2 - 4;
        text(s, tx, y - 5, labelLeft ? "start" : "end", 10, "normal", address);
    }

    private static void text(StringBuilder s, int x, int y, String anchor, int size, String weight, String t) {
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-size=\"%d\" "
                + "font-weight=\"%s\">%s</text>\n", x, y, anchor, size, weight, esc(t)));
    }

    static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
