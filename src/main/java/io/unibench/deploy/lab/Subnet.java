package io.unibench.deploy.lab;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.unibench.UsageException;

/**
 * An IPv4 subnet of a lab segment, {@code /8} to {@code /29} (a {@code /29} still holds a gateway and five
 * instances), written {@code 10.0.0.0/24}. Host addresses are named by their offset from the network
 * address: offset 1 is the first host, {@link #hostCount()} the last.
 */
public record Subnet(int network, int prefix) {
    public static final int MIN_PREFIX = 8;
    public static final int MAX_PREFIX = 29;

    public Subnet {
        if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
            throw new IllegalArgumentException("prefix " + prefix);
        }
        if ((network & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException("host bits set");
        }
    }

    /** Parses {@code A.B.C.D/N}; anything else, a prefix outside /8–/29 or host bits set is a usage error. */
    @JsonCreator
    public static Subnet parse(String text) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        if (slash < 0) {
            throw new UsageException("subnet '" + text + "' needs a prefix length, e.g. 10.0.0.0/24");
        }
        int addr = parseAddress(t.substring(0, slash), text);
        int prefix;
        try {
            prefix = Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new UsageException("subnet '" + text + "': prefix length is not a number");
        }
        if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
            throw new UsageException("subnet '" + text + "': the prefix must be /" + MIN_PREFIX + " to /" + MAX_PREFIX
                    + " (a lab needs room for a gateway and instances)");
        }
        if ((addr & ~mask(prefix)) != 0) {
            throw new UsageException("subnet '" + text + "' has host bits set; did you mean "
                    + format(addr & mask(prefix)) + "/" + prefix + "?");
        }
        return new Subnet(addr, prefix);
    }

    /** A dotted quad; a usage error naming {@code context} otherwise. */
    static int parseAddress(String quad, String context) {
        String[] parts = quad.split("\\.", -1);
        if (parts.length != 4) {
            throw new UsageException("'" + context + "' is not an IPv4 address/prefix (A.B.C.D/N)");
        }
        int a = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new UsageException("'" + context + "' is not an IPv4 address/prefix (A.B.C.D/N)");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new UsageException("'" + context + "': " + v + " is not an IPv4 octet");
            }
            a = (a << 8) | v;
        }
        return a;
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : (int) (0xFFFFFFFFL << (32 - prefix));
    }

    static String format(int addr) {
        return ((addr >>> 24) & 255) + "." + ((addr >>> 16) & 255) + "." + ((addr >>> 8) & 255) + "." + (addr & 255);
    }

    /** Usable host addresses (network and broadcast excluded). */
    public int hostCount() {
        return (int) ((1L << (32 - prefix)) - 2);
    }

    /** The host at {@code offset} (1..hostCount) as a dotted quad. */
    public String host(int offset) {
        if (offset < 1 || offset > hostCount()) {
            throw new IllegalArgumentException("offset " + offset + " outside " + this);
        }
        return format(network + offset);
    }

    /** The offset of {@code address} in this subnet, -1 when it is not one of its hosts. */
    public int offsetOf(String address) {
        int a;
        try {
            a = parseAddress(address, address);
        } catch (UsageException e) {
            return -1;
        }
        int off = a - network;
        return (a & mask(prefix)) == network && off >= 1 && off <= hostCount() ? off : -1;
    }

    @JsonValue
    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
