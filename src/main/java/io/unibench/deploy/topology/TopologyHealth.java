package io.unibench.deploy.topology;

import io.unibench.deploy.Deployments;
import io.unibench.deploy.InstanceState;
import io.unibench.deploy.lab.Lab;
import io.unibench.util.Processes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which hop of a topology is broken, asked from the client (this process runs inside the lab): a UDP
 * traceroute towards the DNS server answers from the firewall (hop 1) and the router (hop 2) when both
 * forward (ICMP echo would be dropped by the firewall's rules; time-exceeded is not). The DNS and web probes
 * of {@code status} go through the same chain, so a silent hop explains their failure.
 */
public final class TopologyHealth {
    private static final Pattern HOP = Pattern.compile("^\\s*(\\d+)\\s+(\\S+)");

    private TopologyHealth() {
    }

    /** Hop number → the address that answered it, or null when it stayed silent; empty when traceroute failed. */
    public static Map<Integer, String> traceroute(String target, int hops) {
        Processes.Result r = Processes.run(List.of("traceroute", "-n", "-q", "1", "-w", "1", "-N", "1", "-m",
                Integer.toString(hops), target), null, 15_000);
        return parse(r.output(), hops);
    }

    /** Parses traceroute's output (tested apart). */
    static Map<Integer, String> parse(String output, int hops) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher m = HOP.matcher(line);
            if (m.find()) {
                int n = Integer.parseInt(m.group(1));
                if (n >= 1 && n <= hops) {
                    out.put(n, m.group(2).equals("*") ? null : m.group(2));
                }
            }
        }
        return out;
    }

    /**
     * The statuses of {@code lab}'s instances with the hop check folded in: a forwarder is healthy when its
     * hop answers from its own address, and a failing DNS/web probe names the first silent hop.
     */
    public static List<Deployments.Status> annotate(Lab lab, List<Deployments.Status> statuses,
                                                    Map<Integer, String> hops) {
        TopologyPlan plan = Topologies.plan(lab);
        List<Map.Entry<String, String>> chain = plan.hops();
        String broken = null;
        for (int h = 1; h <= chain.size(); h++) {
            String want = chain.get(h - 1).getValue();
            if (!want.equals(hops.get(h))) {
                broken = "hop " + h + " (" + chain.get(h - 1).getKey() + " " + want + ") "
                        + (hops.get(h) == null ? "is silent" : "answered from " + hops.get(h));
                break;
            }
        }
        List<Deployments.Status> out = new ArrayList<>();
        for (Deployments.Status s : statuses) {
            if (s.instance().lab() == null || !s.instance().lab().lab().equals(lab.name())) {
                out.add(s);
                continue;
            }
            int hop = -1;
            for (int h = 0; h < chain.size(); h++) {
                if (chain.get(h).getKey().equals(s.instance().service())) {
                    hop = h + 1;
                }
            }
            boolean running = s.observation().state() == InstanceState.running;
            if (hop > 0) {
                String want = chain.get(hop - 1).getValue();
                boolean ok = running && want.equals(hops.get(hop));
                out.add(new Deployments.Status(s.instance(), s.observation(), ok, ok
                        ? "hop " + hop + " from the client: " + want + " answers (forwards)"
                        : "hop " + hop + " from the client: " + (running ? "" : s.observation().state() + "; ")
                        + (hops.get(hop) == null ? want + " silent" : "answered from " + hops.get(hop))
                        + (broken != null && !broken.startsWith("hop " + hop) ? "; first broken: " + broken : ""),
                        s.uptime()));
            } else if (Boolean.FALSE.equals(s.healthy()) && broken != null) {
                out.add(new Deployments.Status(s.instance(), s.observation(), false, s.health() + "; through the chain: "
                        + broken, s.uptime()));
            } else {
                out.add(s);
            }
        }
        return out;
    }
}
