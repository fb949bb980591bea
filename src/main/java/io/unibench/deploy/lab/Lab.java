package io.unibench.deploy.lab;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.unibench.UsageException;
import java.util.ArrayList;
import java.util.List;

/**
 * A lab: a network namespace unibench created and owns, holding one Linux bridge per {@link Segment}
 * and the links of the instances attached to them. Recorded in the state directory
 * ({@code labs/<name>.json}) before the namespace is created, so {@code destroy} finds it even after a
 * killed deploy. The namespace is named {@code ub-<owner hash>-<name>} and carries a marker (the alias
 * of its loopback device, {@link #marker()}): unibench only ever deletes a namespace that has its marker.
 *
 * @param name       lab name (what users type), e.g. {@code default}
 * @param namespace  network namespace, {@code ub-<6 hex of the owner>-<name>}
 * @param owner      the state directory that owns it
 * @param state      {@code creating} until every segment exists, then {@code ready}
 * @param createdUtc when it was recorded
 * @param creatorPid the unibench process that created it
 * @param segments   its L2 networks; the first is the default one
 * @param route      the lab side's default route (a topology: the client's gateway), null when none
 * @param resolver   the lab side's DNS resolver ({@code /etc/netns/<namespace>/resolv.conf}, seen by what
 *                   runs inside the lab), null when none
 * @param topology   what the lab holds when it is a topology (e.g. {@code kind=study}, {@code backend=qemu},
 *                   {@code plan=ext=...,link=...,dmz=...}), null for a plain lab
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Lab(@JsonProperty("name") String name, @JsonProperty("namespace") String namespace,
                  @JsonProperty("owner") String owner, @JsonProperty("state") State state,
                  @JsonProperty("created_utc") String createdUtc, @JsonProperty("creator_pid") Long creatorPid,
                  @JsonProperty("segments") List<Segment> segments, @JsonProperty("route") String route,
                  @JsonProperty("resolver") String resolver,
                  @JsonProperty("topology") java.util.Map<String, String> topology) {
    public static final String DEFAULT = "default";
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,15}");

    public enum State { creating, ready }

    public Lab {
        segments = segments == null ? List.of() : List.copyOf(segments);
    }

    /** A lab name is 1–16 of {@code a-z 0-9 -}, starting with a letter; a usage error otherwise. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new UsageException("invalid lab name '" + name + "' (1-16 of a-z, 0-9, '-', starting with a letter)");
        }
        return name;
    }

    /** The namespace name of lab {@code name} owned by {@code owner}: ownership shows in the name. */
    public static String namespaceFor(String owner, String name) {
        return "ub-" + String.format("%06x", owner.hashCode() & 0xFFFFFF) + "-" + name;
    }

    /** The alias unibench puts on the namespace's loopback: the proof that the namespace is ours. */
    @JsonIgnore
    public String marker() {
        return marker(owner, name);
    }

    static String marker(String owner, String name) {
        return "unibench lab=" + name + " owner=" + owner;
    }

    /** The segment named {@code segment}; null means the default (first) one. */
    public Segment segment(String segment) {
        if (segment == null) {
            return segments.get(0);
        }
        return segments.stream().filter(s -> s.name().equals(segment)).findFirst()
                .orElseThrow(() -> new UsageException("lab " + name + " has no segment '" + segment + "' (has: "
                        + String.join(", ", segments.stream().map(Segment::name).toList()) + ")"));
    }

    @JsonIgnore
    public Segment defaultSegment() {
        return segments.get(0);
    }

    public Lab(String name, String namespace, String owner, State state, String createdUtc, Long creatorPid,
               List<Segment> segments) {
        this(name, namespace, owner, state, createdUtc, creatorPid, segments, null, null, null);
    }

    public Lab withState(State s) {
        return new Lab(name, namespace, owner, s, createdUtc, creatorPid, segments, route, resolver, topology);
    }

    public Lab withSegment(Segment s) {
        List<Segment> all = new ArrayList<>(segments);
        all.add(s);
        return new Lab(name, namespace, owner, state, createdUtc, creatorPid, all, route, resolver, topology);
    }

    /** The lab's own address on {@code segment}, null when it has none there. */
    public String addressOn(String segment) {
        return segment(segment).gateway();
    }
}
