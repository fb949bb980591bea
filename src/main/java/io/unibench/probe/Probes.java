package io.unibench.probe;

import io.unibench.UnibenchException;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.ServiceSpec.ProbeSpec;
import java.util.List;

/** Builds the readiness probe a manifest asks for, aimed at an instance's host endpoint. */
public final class Probes {
    private Probes() {
    }

    /**
     * The probe of {@code spec} against the matching endpoint: {@code dns} goes to the first UDP endpoint,
     * {@code http} to the first TCP one.
     */
    public static ReadinessProbe forSpec(ProbeSpec spec, List<Endpoint> endpoints) {
        try {
            return switch (spec.type()) {
                case "dns" -> new DnsProbe(pick(endpoints, "udp").socketAddress(), spec.name(), spec.qtype(),
                        spec.expect());
                case "http" -> new HttpProbe(pick(endpoints, "tcp").socketAddress(), spec.path(),
                        spec.status() == null ? 200 : spec.status(), spec.expectBody());
                default -> throw new UnibenchException("unknown probe type '" + spec.type()
                        + "' in the manifest (use dns or http)");
            };
        } catch (IllegalArgumentException e) {
            throw new UnibenchException("bad probe in the manifest: " + e.getMessage(), e);
        }
    }

    private static Endpoint pick(List<Endpoint> endpoints, String protocol) {
        return endpoints.stream().filter(e -> e.protocol().equals(protocol)).findFirst().orElseThrow(
                () -> new UnibenchException("the probe needs a " + protocol + " port, the manifest has none"));
    }
}
