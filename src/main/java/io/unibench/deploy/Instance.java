package io.unibench.deploy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.unibench.deploy.lab.LabLink;
import io.unibench.deploy.lab.LabPlacement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One deployed service instance, as recorded in the state directory (one JSON file each) and printed by
 * {@code deploy --json} and {@code status --json}. Immutable; the {@code with*} methods return copies.
 *
 * @param id          {@code <backend>-<service>-<n>}, e.g. {@code qemu-dns-1}
 * @param backend     where it runs
 * @param service     manifest name ({@code dns}, {@code web})
 * @param state       last observed state
 * @param endpoints   host endpoints in front of the service's ports
 * @param pid         QEMU process id (null for containers or before the spawn)
 * @param containerId Docker container id (null for QEMU or before the create call)
 * @param startedUtc  when the start call was made (ISO-8601 UTC)
 * @param owner       the state directory that owns it (containers carry it as label {@code unibench.owner})
 * @param deployerPid the unibench process that created it (to tell orphans of a killed deploy)
 * @param details     backend facts: console log, QMP socket, accelerator, machine, image...
 * @param timing      boot phases of the start that created it (null when not measured)
 * @param lab         its link to a lab segment in {@code --network lab} mode (address, namespace, device);
 *                    null in forward mode
 * @param placement   all its links and its routes when it is multi-homed or routed (a topology's services;
 *                    {@code lab} is then its first link), null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Instance(@JsonProperty("id") String id, @JsonProperty("backend") Backend backend,
                       @JsonProperty("service") String service, @JsonProperty("state") InstanceState state,
                       @JsonProperty("endpoints") List<Endpoint> endpoints, @JsonProperty("pid") Long pid,
                       @JsonProperty("container_id") String containerId,
                       @JsonProperty("started_utc") String startedUtc, @JsonProperty("owner") String owner,
                       @JsonProperty("deployer_pid") Long deployerPid,
                       @JsonProperty("details") Map<String, String> details,
                       @JsonProperty("timing") BootTiming timing, @JsonProperty("lab") LabLink lab,
                       @JsonProperty("placement") LabPlacement placement) {

    public Instance {
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A new record for an instance about to be started. */
    public static Instance starting(String id, Backend backend, String service, List<Endpoint> endpoints,
                                    String owner, Map<String, String> details) {
        return new Instance(id, backend, service, InstanceState.starting, endpoints, null, null,
                Instant.now().toString(), owner, ProcessHandle.current().pid(), details, null, null, null);
    }

    @JsonIgnore
    public Instant startedAt() {
        return Instant.parse(startedUtc);
    }

    public String detail(String key) {
        return details.get(key);
    }

    /** The endpoint of the manifest port with this name, else the first one. */
    public Endpoint endpoint(String name) {
        return endpoints.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseGet(() -> endpoints.isEmpty() ? null : endpoints.get(0));
    }

    public Instance withState(InstanceState s) {
        return new Instance(id, backend, service, s, endpoints, pid, containerId, startedUtc, owner, deployerPid,
                details, timing, lab, placement);
    }

    public Instance withPid(long p) {
        return new Instance(id, backend, service, state, endpoints, p, containerId, startedUtc, owner, deployerPid,
                details, timing, lab, placement);
    }

    public Instance withContainerId(String c) {
        return new Instance(id, backend, service, state, endpoints, pid, c, startedUtc, owner, deployerPid,
                details, timing, lab, placement);
    }

    public Instance withStartedAt(Instant t) {
        return new Instance(id, backend, service, state, endpoints, pid, containerId, t.toString(), owner,
                deployerPid, details, timing, lab, placement);
    }

    public Instance withDetail(String key, String value) {
        Map<String, String> d = new LinkedHashMap<>(details);
        d.put(key, value);
        return new Instance(id, backend, service, state, endpoints, pid, containerId, startedUtc, owner, deployerPid,
                d, timing, lab, placement);
    }

    /** Placed on several links / with routes: {@code lab} becomes the first link. */
    public Instance withPlacement(LabPlacement p) {
        return new Instance(id, backend, service, state, endpoints, pid, containerId, startedUtc, owner, deployerPid,
                details, timing, p == null ? lab : p.links().get(0), p);
    }

    /** Every lab link in interface order: the placement's, else {@code lab} alone, else none. */
    @JsonIgnore
    public List<LabLink> labLinks() {
        return placement != null ? placement.links() : lab == null ? List.of() : List.of(lab);
    }

    public Instance withLab(LabLink l) {
        return new Instance(id, backend, service, state, endpoints, pid, containerId, startedUtc, owner, deployerPid,
                details, timing, l, placement == null || l == null ? placement : placement.withLink(0, l));
    }

    public Instance withTiming(BootTiming t) {
        return new Instance(id, backend, service, state, endpoints, pid, containerId, startedUtc, owner, deployerPid,
                details, t, lab, placement);
    }
}
