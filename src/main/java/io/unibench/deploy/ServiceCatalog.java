package io.unibench.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.unibench.UnibenchException;
import io.unibench.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The services unibench knows: the manifests under {@code <home>/unikernels/services/*.json}, where home
 * is the unibench checkout ({@code -Dunibench.home}, set by the launcher and by failsafe; else the current
 * directory).
 */
public final class ServiceCatalog {
    /** The proof-of-concept services {@code deploy poc} starts. */
    public static final List<String> POC = List.of("dns", "web");

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path home;
    private final Map<String, ServiceSpec> services;

    private ServiceCatalog(Path home, Map<String, ServiceSpec> services) {
        this.home = home;
        this.services = services;
    }

    /** The unibench checkout: {@code unibench.home}, else the current directory. */
    public static Path home() {
        String h = System.getProperty("unibench.home");
        return Path.of(h == null || h.isBlank() ? "." : h).toAbsolutePath().normalize();
    }

    public static ServiceCatalog load() {
        return load(home());
    }

    public static ServiceCatalog load(Path home) {
        Path dir = home.resolve("unikernels/services");
        if (!Files.isDirectory(dir)) {
            throw new UnibenchException("no service manifests in " + dir + " (is -Dunibench.home / the current "
                    + "directory the unibench checkout?)");
        }
        Map<String, ServiceSpec> map = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                ServiceSpec s = parse(f);
                map.put(s.service(), s);
            }
        } catch (IOException e) {
            throw new UnibenchException("cannot read service manifests in " + dir + ": " + e.getMessage(), e);
        }
        return new ServiceCatalog(home, map);
    }

    /** Reads and checks one manifest; a broken manifest is a runtime failure naming the file. */
    public static ServiceSpec parse(Path file) {
        ServiceSpec s;
        try {
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(file.toFile());
            s = JSON.treeToValue(tree, ServiceSpec.class).withManifest(tree);
        } catch (IOException e) {
            throw new UnibenchException("cannot parse manifest " + file + ": " + e.getMessage(), e);
        }
        List<String> missing = new ArrayList<>();
        if (s.service() == null || s.service().isBlank()) {
            missing.add("service");
        }
        if (s.ports().isEmpty() && !s.isForwarder()) {
            missing.add("ports");
        }
        if (s.probe() == null || s.probe().type() == null) {
            missing.add("probe.type");
        }
        if (!missing.isEmpty()) {
            throw new UnibenchException("manifest " + file + " lacks " + String.join(", ", missing));
        }
        return s;
    }

    public Path homeDir() {
        return home;
    }

    public List<String> names() {
        return List.copyOf(services.keySet());
    }

    /** The manifest of {@code name}; an unknown name is a usage error listing the known ones. */
    public ServiceSpec get(String name) {
        ServiceSpec s = services.get(name);
        if (s == null) {
            throw new UsageException("unknown service '" + name + "' (known: " + String.join(", ", names())
                    + (names().containsAll(POC) ? "; 'poc' = " + String.join(" + ", POC) : "") + ")");
        }
        return s;
    }

    /** Where the unikernel image of {@code spec} is built ({@code unikernels/build/<image>}, or an absolute path). */
    public Path unikernelImage(ServiceSpec spec) {
        Path p = Path.of(spec.unikernel().image());
        return p.isAbsolute() ? p : home.resolve("unikernels/build").resolve(p);
    }

    /** The docker build context of {@code spec}'s container, relative to home unless absolute. */
    public Path containerContext(ServiceSpec spec) {
        return home.resolve(spec.container().context());
    }
}
