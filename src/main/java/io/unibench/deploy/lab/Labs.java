package io.unibench.deploy.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.deploy.Instance;
import io.unibench.deploy.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Creates, finds and removes labs, and hands out their addresses. Every change happens under the state
 * directory's lock; a lab is recorded ({@code labs/<name>.json}) before its namespace exists and forgotten
 * only after it is gone, so a killed unibench always leaves a record that {@code destroy} follows.
 * Ownership is checked on the namespace itself (its marker), never inferred from a name: a namespace
 * with our name but without our marker is foreign and is never touched.
 */
public final class Labs {
    /** The study's DMZ. */
    public static final String DEFAULT_SUBNET = "10.0.0.0/24";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;

    /** Whether a lab's namespace is there and carries our marker. */
    public enum Presence { ours, absent, foreign }

    private final StateStore state;

    public Labs(StateStore state) {
        this.state = state;
    }

    public StateStore state() {
        return state;
    }

    // ---- privileges -------------------------------------------------------------------------------

    /** Bad input (exit 2) when this process may not create namespaces, bridges and taps. */
    public static void requirePrivileges() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            status = "";
        }
        String problem = privilegeProblem(status);
        if (problem != null) {
            throw new UsageException(problem);
        }
    }

    /**
     * Bad input (exit 2) when a tool labs need is missing, naming its Debian package: {@code ip} (iproute2),
     * {@code nsenter} (util-linux), and with {@code cni} the CNI bridge and static plugins
     * (containernetworking-plugins).
     */
    public static void requireTools(boolean cni) {
        for (String problem : missingTools(cni)) {
            throw new UsageException(problem);
        }
    }

    /** What {@link #requireTools} would complain about (for doctor), empty when nothing is missing. */
    public static List<String> missingTools(boolean cni) {
        List<String> out = new ArrayList<>();
        if (!io.unibench.util.Processes.onPath("ip")) {
            out.add("lab networking needs 'ip': apt-get install iproute2");
        }
        if (!io.unibench.util.Processes.onPath("nsenter")) {
            out.add("lab networking needs 'nsenter': apt-get install util-linux");
        }
        if (cni && Cni.pluginDir() == null) {
            out.add("containers in a lab need the CNI bridge and static plugins (looked in " + Cni.DEFAULT_DIRS
                    + "): apt-get install containernetworking-plugins");
        }
        return out;
    }

    /** Null when {@code procStatus} (the text of /proc/self/status) grants what labs need, else the message. */
    static String privilegeProblem(String procStatus) {
        long eff = 0;
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) {
                try {
                    eff = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                } catch (NumberFormatException e) {
                    eff = 0;
                }
            }
        }
        boolean ok = (eff & (1L << CAP_NET_ADMIN)) != 0 && (eff & (1L << CAP_SYS_ADMIN)) != 0;
        return ok ? null : "lab networking needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN, to create network namespaces, "
                + "bridges and taps); --network forward works without it";
    }

    // ---- records ----------------------------------------------------------------------------------

    private Path dir() {
        Path d = state.dir().resolve("labs");
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UnibenchException("cannot create " + d + ": " + e.getMessage(), e);
        }
        return d;
    }

    private Path file(String name) {
        return dir().resolve(Lab.checkName(name) + ".json");
    }

    public List<Lab> list() {
        List<Lab> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                try {
                    out.add(JSON.readValue(f.toFile(), Lab.class));
                } catch (NoSuchFileException e) {
                    // destroyed meanwhile
                } catch (IOException e) {
                    throw new UnibenchException("unreadable lab record " + f + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UnibenchException("cannot list " + dir() + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(Lab::name));
        return out;
    }

    public Optional<Lab> get(String name) {
        Path f = file(name);
        try {
            return Optional.of(JSON.readValue(f.toFile(), Lab.class));
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UnibenchException("unreadable lab record " + f + ": " + e.getMessage(), e);
        }
    }

    /** The recorded lab {@code name}; a usage error naming the known labs otherwise. */
    public Lab require(String name) {
        return get(name).orElseThrow(() -> new UsageException("no lab '" + name + "' in " + state.dir()
                + (list().isEmpty() ? " (none yet: 'unibench deploy ... --network lab' or 'unibench lab create' make one)"
                : " (known: " + String.join(", ", list().stream().map(Lab::name).toList()) + ")")));
    }

    private void put(Lab lab) {
        Path f = file(lab.name());
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), lab);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UnibenchException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    private void forget(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new UnibenchException("cannot remove the record of lab " + name + ": " + e.getMessage(), e);
        }
    }

    // ---- life cycle -------------------------------------------------------------------------------

    /** Whether the lab's namespace exists and is ours (its loopback carries our marker). */
    public Presence presence(Lab lab) {
        Presence p = presence(lab.namespace(), lab.marker());
        if (p == Presence.foreign && lab.state() == Lab.State.creating && Ip.alias(lab.namespace(), "lo") == null) {
            // killed between 'ip netns add' and writing the marker: the record says we were creating it
            return Presence.ours;
        }
        return p;
    }

    private static Presence presence(String ns, String marker) {
        if (!Ip.namespaceExists(ns)) {
            return Presence.absent;
        }
        return marker.equals(Ip.alias(ns, "lo")) ? Presence.ours : Presence.foreign;
    }

    /**
     * The lab {@code name}, created when it does not exist yet (with one segment, {@code dmz}, on
     * {@code subnet}, default {@value #DEFAULT_SUBNET}). An existing lab on another subnet than the one
     * asked for, or a namespace of that name that is not ours, is a usage error and nothing is touched.
     */
    public Lab ensure(String name, Subnet subnet) {
        Lab.checkName(name);
        return state.locked(() -> {
            Optional<Lab> known = get(name);
            if (known.isPresent()) {
                Lab lab = known.get();
                if (subnet != null && !lab.defaultSegment().subnet().equals(subnet)) {
                    throw new UsageException("lab " + name + " exists on " + lab.defaultSegment().subnet()
                            + ", not " + subnet + " (destroy it first: unibench lab destroy " + name + ")");
                }
                Presence p = presence(lab);
                if (p == Presence.foreign) {
                    throw new UsageException("network namespace " + lab.namespace() + " exists and is not unibench's "
                            + "(no unibench marker); nothing touched");
                }
                if (p == Presence.ours && lab.state() == Lab.State.ready) {
                    return lab;
                }
                return build(lab);
            }
            String ns = Lab.namespaceFor(state.owner(), name);
            Lab lab = new Lab(name, ns, state.owner(), Lab.State.creating, Instant.now().toString(),
                    ProcessHandle.current().pid(),
                    List.of(Segment.of(Segment.DEFAULT, subnet == null ? Subnet.parse(DEFAULT_SUBNET) : subnet)));
            // no record of ours: only our marker makes an existing namespace ours (a leftover of a killed create)
            if (presence(ns, lab.marker()) == Presence.foreign) {
                throw new UsageException("network namespace " + ns + " exists and is not unibench's (no unibench "
                        + "marker); nothing touched: choose another lab name");
            }
            put(lab);
            return build(lab);
        });
    }

    /** Creates what is missing of a recorded lab (namespace, marker, bridges), then records it ready. */
    private Lab build(Lab lab) {
        String ns = lab.namespace();
        if (!Ip.namespaceExists(ns)) {
            Ip.addNamespace(ns);
        }
        List<String> have = Ip.links(ns);
        List<String> cmds = new ArrayList<>();
        cmds.add("link set dev lo alias \"" + lab.marker() + "\"");
        cmds.add("link set dev lo up");
        for (Segment s : lab.segments()) {
            cmds.addAll(segmentCommands(lab.namespace(), s, have));
        }
        if (lab.route() != null) {
            cmds.add("route replace default via " + lab.route());
        }
        Ip.batch(ns, cmds);
        if (lab.resolver() != null) {
            writeResolver(lab);
        }
        Lab ready = lab.withState(Lab.State.ready);
        put(ready);
        return ready;
    }

    private static List<String> segmentCommands(String namespace, Segment s, List<String> have) {
        List<String> cmds = new ArrayList<>();
        if (!have.contains(s.bridge())) {
            cmds.add("link add name " + s.bridge() + " type bridge");
        }
        // A bridge left to itself takes the lowest MAC of its ports, so the lab's gateway changed its MAC
        // whenever an instance's veth or tap joined: instances that had cached the old one sent their answers
        // to it, and the bridge dropped them until their ARP entry expired (a web unikernel deployed before
        // three containers was unreachable for 5 to 60 s). An address set by hand is never recomputed.
        cmds.add("link set dev " + s.bridge() + " address " + bridgeMac(namespace, s));
        if (s.gatewayCidr() != null) {
            cmds.add("addr replace " + s.gatewayCidr() + " dev " + s.bridge());
        }
        cmds.add("link set dev " + s.bridge() + " up");
        return cmds;
    }

    /**
     * The lab {@code name} with exactly {@code segments} (a topology's: several bridges, the lab's own address
     * only where a segment names one), the lab side's default {@code route} and DNS {@code resolver} (either
     * may be null), created when missing. An existing lab of another shape is a usage error (destroy it first).
     */
    public Lab ensureShaped(String name, List<Segment> segments, String route, String resolver,
                            java.util.Map<String, String> topology) {
        Lab.checkName(name);
        return state.locked(() -> {
            Optional<Lab> known = get(name);
            if (known.isPresent()) {
                Lab lab = known.get();
                if (!lab.segments().equals(segments) || !java.util.Objects.equals(lab.route(), route)
                        || !java.util.Objects.equals(lab.resolver(), resolver)
                        || !java.util.Objects.equals(lab.topology(), topology)) {
                    throw new UsageException("lab " + name + " exists with another shape (" + lab.segments().size()
                            + " segment(s), first " + lab.defaultSegment().subnet() + "); destroy it first: "
                            + "unibench lab destroy " + name);
                }
                Presence p = presence(lab);
                if (p == Presence.foreign) {
                    throw new UsageException("network namespace " + lab.namespace() + " exists and is not unibench's "
                            + "(no unibench marker); nothing touched");
                }
                return p == Presence.ours && lab.state() == Lab.State.ready ? lab : build(lab);
            }
            String ns = Lab.namespaceFor(state.owner(), name);
            Lab lab = new Lab(name, ns, state.owner(), Lab.State.creating, Instant.now().toString(),
                    ProcessHandle.current().pid(), segments, route, resolver, topology);
            if (presence(lab) == Presence.foreign) {
                throw new UsageException("network namespace " + ns + " exists and is not unibench's (no unibench "
                        + "marker); nothing touched: choose another lab name");
            }
            put(lab);
            return build(lab);
        });
    }

    /**
     * Where a lab's resolver lives: {@code /etc/netns/<namespace>/resolv.conf}, which {@code ip netns exec}
     * binds over {@code /etc/resolv.conf} for what runs inside (iproute2's convention).
     */
    public static Path resolverDir(Lab lab) {
        return ETC_NETNS.resolve(lab.namespace());
    }

    static final Path ETC_NETNS = Path.of("/etc/netns");

    private static void writeResolver(Lab lab) {
        Path dir = resolverDir(lab);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("resolv.conf"), "# unibench lab " + lab.name() + " (" + lab.owner()
                    + ")\nnameserver " + lab.resolver() + "\n");
        } catch (IOException e) {
            throw new UnibenchException("cannot write " + dir.resolve("resolv.conf") + ": " + e.getMessage(), e);
        }
    }

    private static void removeResolver(Lab lab) {
        Path dir = resolverDir(lab);
        Path f = dir.resolve("resolv.conf");
        try {
            // only what we wrote: our header line, in the directory of our namespace
            if (Files.isRegularFile(f) && Files.readString(f).startsWith("# unibench lab " + lab.name() + " ")) {
                Files.delete(f);
                try (Stream<Path> rest = Files.list(dir)) {
                    if (rest.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException e) {
            throw new UnibenchException("cannot remove " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds a segment (another bridge, on its own subnet) to an existing lab: how a topology with several
     * networks (external, DMZ, ...) is built. The segment name becomes the bridge name {@code br-<name>}.
     */
    public Lab addSegment(String labName, String segment, Subnet subnet) {
        if (segment == null || !segment.matches("[a-z][a-z0-9]{0,11}")) {
            throw new UsageException("invalid segment name '" + segment + "' (1-12 of a-z, 0-9, starting with a letter)");
        }
        return state.locked(() -> {
            Lab lab = require(labName);
            if (presence(lab) != Presence.ours) {
                throw new UnibenchException("lab " + labName + " has no namespace of ours (" + lab.namespace()
                        + "); destroy it and create it again");
            }
            for (Segment s : lab.segments()) {
                if (s.name().equals(segment)) {
                    if (!s.subnet().equals(subnet)) {
                        throw new UsageException("segment " + segment + " of lab " + labName + " is on " + s.subnet());
                    }
                    return lab;
                }
                if (overlaps(s.subnet(), subnet)) {
                    throw new UsageException("subnet " + subnet + " overlaps segment " + s.name() + " (" + s.subnet() + ")");
                }
            }
            Segment s = Segment.of(segment, subnet);
            Ip.batch(lab.namespace(), segmentCommands(lab.namespace(), s, Ip.links(lab.namespace())));
            Lab more = lab.withSegment(s);
            put(more);
            return more;
        });
    }

    static boolean overlaps(Subnet a, Subnet b) {
        int p = Math.min(a.prefix(), b.prefix());
        int m = Subnet.mask(p);
        return (a.network() & m) == (b.network() & m);
    }

    /**
     * Deletes the lab's namespace (and with it its bridges and every tap and veth end in it) if it is
     * ours, then forgets the lab. The caller destroys the lab's instances first. A namespace of that name
     * that is not ours is left alone. Returns what was done.
     */
    public String destroy(Lab lab) {
        return state.locked(() -> {
            String how;
            switch (presence(lab)) {
                case ours -> {
                    Ip.deleteNamespace(lab.namespace());
                    how = "deleted network namespace " + lab.namespace();
                }
                case foreign -> how = "network namespace " + lab.namespace() + " is not ours (no unibench marker): left alone";
                default -> how = "network namespace " + lab.namespace() + " was already gone";
            }
            if (lab.resolver() != null) {
                removeResolver(lab);
                how += ", removed " + resolverDir(lab).resolve("resolv.conf");
            }
            forget(lab.name());
            return how;
        });
    }

    // ---- addresses --------------------------------------------------------------------------------

    /**
     * A new link for an instance of {@code service} on {@code segment} of {@code lab}: the plan's address
     * for it, not used by any recorded instance. Call under the state lock, with {@code recorded} the
     * instances recorded now; the caller records the instance before releasing the lock.
     */
    public static LabLink allocate(Lab lab, Segment segment, String service, String path, String device,
                                   List<Instance> recorded) {
        Set<Integer> used = usedOffsets(lab, segment, recorded);
        int off = AddressPlan.allocate(segment.subnet(), service, used);
        String address = segment.subnet().host(off);
        // every path gets the address's own MAC (QEMU's NIC, the container's or native process's veth through
        // CNI): an address reused by the next instance keeps its MAC, so no neighbour in the lab holds a stale
        // one (a random veth MAC per container left docker boot churn in a lab unanswered for seconds)
        String mac = mac(lab.namespace() + "/" + segment.name(), off);
        return new LabLink(lab.name(), lab.namespace(), segment.name(), segment.bridge(), address,
                segment.subnet().prefix(), segment.gateway(), mac, device, path, null);
    }

    /** Offsets of {@code segment} taken by recorded instances. */
    public static Set<Integer> usedOffsets(Lab lab, Segment segment, List<Instance> recorded) {
        Set<Integer> used = new HashSet<>();
        for (Instance i : recorded) {
            LabLink l = i.lab();
            if (l != null && l.lab().equals(lab.name()) && l.segment().equals(segment.name())) {
                used.add(segment.subnet().offsetOf(l.address()));
            }
        }
        return used;
    }

    /** The fixed MAC of a segment's bridge: host offset 0, which no instance gets. */
    static String bridgeMac(String namespace, Segment segment) {
        return mac(namespace + "/" + segment.name(), 0);
    }

    /** A locally unique MAC: QEMU's 52:54:00 prefix, one byte of the segment's hash, two of the host offset. */
    public static String mac(String segmentKey, int offset) {
        return String.format("52:54:00:%02x:%02x:%02x", segmentKey.hashCode() & 0xFF, (offset >>> 8) & 0xFF,
                offset & 0xFF);
    }
}
