package io.unibench.deploy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unibench.UnibenchException;
import java.util.List;

/**
 * A service manifest ({@code unikernels/services/<name>.json}): what the service is, which ports it
 * serves, how to tell it is ready, and how each backend runs it. Every deployer reads the same manifest:
 * the images ({@code unikernel} for QEMU, {@code container} for the container runtimes) are typed here;
 * any other top-level section belongs to the backend that reads it through {@link #section} (e.g.
 * {@code native}), so adding a backend does not change this record.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ServiceSpec(@JsonProperty("service") String service, @JsonProperty("description") String description,
                          @JsonProperty("ports") List<PortSpec> ports, @JsonProperty("probe") ProbeSpec probe,
                          @JsonProperty("unikernel") UnikernelSpec unikernel,
                          @JsonProperty("container") ContainerSpec container,
                          @JsonIgnore JsonNode manifest) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public ServiceSpec {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** Readiness by the console/log ready line alone ({@code router}, {@code firewall}: nothing to ask). */
    public static final String PROBE_READY_LINE = "ready_line";

    /**
     * A service that serves no port of its own but forwards between its interfaces (router, firewall): it only
     * makes sense inside a topology ({@code deploy poc --network lab}).
     */
    public boolean isForwarder() {
        return ports.isEmpty() && probe != null && PROBE_READY_LINE.equals(probe.type());
    }

    public ServiceSpec(String service, String description, List<PortSpec> ports, ProbeSpec probe,
                       UnikernelSpec unikernel, ContainerSpec container) {
        this(service, description, ports, probe, unikernel, container, null);
    }

    /** The same spec remembering the manifest it was read from (for {@link #section}). */
    public ServiceSpec withManifest(JsonNode tree) {
        return new ServiceSpec(service, description, ports, probe, unikernel, container, tree);
    }

    /**
     * A backend's own section of the manifest ({@code "native": {...}}) as {@code type}, null when the
     * manifest has none; a section that does not fit {@code type} is a runtime failure naming it.
     */
    public <T> T section(String name, Class<T> type) {
        JsonNode n = manifest == null ? null : manifest.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        try {
            return JSON.treeToValue(n, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new UnibenchException("the '" + name + "' section of the manifest of " + service + " is invalid: "
                    + e.getMessage(), e);
        }
    }

    /** A port the service listens on inside its guest or container. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PortSpec(@JsonProperty("name") String name, @JsonProperty("protocol") String protocol,
                           @JsonProperty("port") int port) {
    }

    /**
     * Readiness: a DNS query whose answer must contain {@code expect}, or an HTTP GET of {@code path} that
     * must return {@code status} with {@code expect_body} in the body.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ProbeSpec(@JsonProperty("type") String type, @JsonProperty("name") String name,
                            @JsonProperty("qtype") String qtype, @JsonProperty("expect") String expect,
                            @JsonProperty("path") String path, @JsonProperty("status") Integer status,
                            @JsonProperty("expect_body") String expectBody) {
    }

    /** How QEMU boots the unikernel image. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UnikernelSpec(@JsonProperty("image") String image, @JsonProperty("boot") String boot,
                                @JsonProperty("machine") String machine,
                                @JsonProperty("machine_options") String machineOptions,
                                @JsonProperty("memory") String memory, @JsonProperty("vcpus") Integer vcpus,
                                @JsonProperty("cmdline") String cmdline, @JsonProperty("net_device") String netDevice,
                                @JsonProperty("ready_line") String readyLine, @JsonProperty("pc") PcVariant pc) {
    }

    /** The {@code -M pc} variant: machine, firmware and the PCI network device. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PcVariant(@JsonProperty("machine") String machine, @JsonProperty("bios") String bios,
                            @JsonProperty("net_device") String netDevice) {
    }

    /** How Docker runs the container image. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ContainerSpec(@JsonProperty("image") String image, @JsonProperty("context") String context,
                                @JsonProperty("memory") String memory, @JsonProperty("cpus") Double cpus,
                                @JsonProperty("args") List<String> args,
                                @JsonProperty("ready_line") String readyLine,
                                @JsonProperty("sysctls") java.util.Map<String, String> sysctls,
                                @JsonProperty("cap_add") List<String> capAdd,
                                @JsonProperty("nft_rules_command") List<String> nftRulesCommand) {
        public ContainerSpec {
            args = args == null ? List.of() : List.copyOf(args);
            sysctls = sysctls == null ? java.util.Map.of() : java.util.Map.copyOf(sysctls);
            capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
            nftRulesCommand = nftRulesCommand == null ? List.of() : List.copyOf(nftRulesCommand);
        }

        public ContainerSpec(String image, String context, String memory, Double cpus, List<String> args,
                             String readyLine) {
            this(image, context, memory, cpus, args, readyLine, null, null, null);
        }

        /**
         * The image reference with a tag ({@code unibench/dns:latest}). An untagged manifest image gets the tag
         * {@code -Dunibench.image.tag}, else {@code $UNIBENCH_IMAGE_TAG}, else {@code latest}: checkouts that
         * share one Docker daemon (parallel development, CI next to a user) keep their images apart.
         */
        public String imageRef() {
            int slash = image.lastIndexOf('/');
            return image.indexOf(':', slash + 1) >= 0 ? image : image + ":" + defaultTag();
        }

        /** The tag of untagged manifest images (see {@link #imageRef()}). */
        public static String defaultTag() {
            String t = System.getProperty("unibench.image.tag");
            if (t == null || t.isBlank()) {
                t = System.getenv("UNIBENCH_IMAGE_TAG");
            }
            return t == null || t.isBlank() ? "latest" : t.strip();
        }
    }
}
