package io.unibench.deploy.lab;

import io.unibench.UsageException;
import java.util.Map;
import java.util.Set;

/**
 * Who gets which address on a segment: the study's DMZ plan scaled to any subnet. The gateway (the lab's
 * own side of the segment, where the load generator and {@code lab exec} run) is the last host
 * ({@code .254} in a /24); the web service prefers offset 5, DNS offset 100; every other instance (and a
 * second web or DNS) gets the lowest free offset from 101 up, then from 1 up.
 */
public final class AddressPlan {
    /** Offsets the study gave its services ({@code 10.0.0.5} web, {@code 10.0.0.100} DNS). */
    static final Map<String, Integer> PREFERRED = Map.of("web", 5, "dns", 100);
    static final int FURTHER_FROM = 101;

    private AddressPlan() {
    }

    /** Offset of the gateway (the lab side of the bridge). */
    public static int gatewayOffset(Subnet s) {
        return s.hostCount();
    }

    /** Addresses left for instances when {@code used} offsets are taken. */
    public static int free(Subnet s, Set<Integer> used) {
        int n = 0;
        for (int off = 1; off < gatewayOffset(s); off++) {
            if (!used.contains(off)) {
                n++;
            }
        }
        return n;
    }

    /** The offset for a new instance of {@code service}; a usage error when the subnet is full. */
    public static int allocate(Subnet s, String service, Set<Integer> used) {
        int gw = gatewayOffset(s);
        Integer pref = PREFERRED.get(service);
        if (pref != null && pref < gw && !used.contains(pref)) {
            return pref;
        }
        for (int off = FURTHER_FROM; off < gw; off++) {
            if (!used.contains(off)) {
                return off;
            }
        }
        for (int off = 1; off < Math.min(FURTHER_FROM, gw); off++) {
            if (!used.contains(off)) {
                return off;
            }
        }
        throw new UsageException("subnet " + s + " is full (" + (gw - 1) + " instance addresses besides the "
                + "gateway); use a larger --subnet");
    }
}
