package io.unibench.deploy;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.util.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code unibench build}: the images of the chosen backends, each built the way its deployer says
 * ({@link Deployer#buildSteps}); a step several backends share (the static binaries, one container image
 * for two runtimes) runs once.
 */
public final class ImageBuilder {
    private final ServiceCatalog catalog;
    private final Function<Backend, Deployer> deployers;
    private final Consumer<String> progress;
    private final Path zone;

    public ImageBuilder(ServiceCatalog catalog, Function<Backend, Deployer> deployers, Consumer<String> progress) {
        this(catalog, deployers, progress, null);
    }

    /**
     * @param zone an RFC 1035 zone file compiled into every DNS build ({@code make ZONE=...}); null: the
     *             default zone (unikernels/apps/zones/cetic.be.zone)
     */
    public ImageBuilder(ServiceCatalog catalog, Function<Backend, Deployer> deployers, Consumer<String> progress,
                        Path zone) {
        this.catalog = catalog;
        this.deployers = deployers;
        this.progress = progress;
        this.zone = zone == null ? null : zone.toAbsolutePath().normalize();
    }

    /**
     * Checks a zone file with the build's own zone compiler (built on the host first), before anything
     * is built: a bad file is bad input.
     *
     * @throws UsageException with the compiler's "FILE:LINE: reason" when the file is not a usable zone
     */
    public static void checkZone(Path home, Path zone) {
        if (!Files.isRegularFile(zone) || !Files.isReadable(zone)) {
            throw new UsageException("--zone " + zone + ": no such readable file");
        }
        Processes.Result r = Processes.run(List.of("make", "-s", "-C", home.resolve("unikernels/apps").toString(),
                "zonecheck", "ZONE=" + zone.toAbsolutePath().normalize()), null, 120_000);
        if (!r.ok()) {
            String reason = r.output().lines().filter(l -> l.startsWith("zonec: ")).findFirst()
                    .orElse(r.output().strip());
            throw new UsageException("--zone " + zone + ": " + reason.replaceFirst("^zonec: ", ""));
        }
    }

    /** The directory of a {@code make -C DIR ...} command, else the current one. */
    private static Path makeDir(List<String> make) {
        int c = make.indexOf("-C");
        return Path.of(c >= 0 && c + 1 < make.size() ? make.get(c + 1) : ".");
    }

    private static boolean hasMakefile(List<String> make) {
        return Files.isRegularFile(makeDir(make).resolve("Makefile"));
    }

    /** In an installed release every manifest's prebuilt unikernel image must be there. */
    private void checkPrebuilt() {
        for (String name : catalog.names()) {
            ServiceSpec s = catalog.get(name);
            if (s.unikernel() != null && !Files.isRegularFile(catalog.unikernelImage(s))) {
                throw new UnibenchException("the prebuilt unikernel image " + catalog.unikernelImage(s)
                        + " is missing (and there is no Makefile to build it)");
            }
        }
    }

    /** The variables every make step gets. */
    private List<String> makeVariables() {
        return zone == null ? List.of() : List.of("ZONE=" + zone);
    }

    /** Runs the build steps of {@code backends} in order, each distinct step once. */
    public void build(List<Backend> backends) {
        List<ServiceSpec> specs = catalog.names().stream().map(catalog::get).toList();
        Map<String, Deployer.BuildStep> steps = new LinkedHashMap<>();
        for (Backend b : backends) {
            for (Deployer.BuildStep s : deployers.apply(b).buildSteps(specs)) {
                steps.putIfAbsent(s.key(), s);
            }
        }
        for (Deployer.BuildStep s : steps.values()) {
            if (s.make() != null && !hasMakefile(s.make())) {
                // an installed release: the images and binaries are shipped prebuilt, there is nothing to make
                if (zone != null) {
                    throw new UsageException("--zone compiles the zone into the images and needs the unibench"
                            + " sources (a checkout with unikernels/Makefile); this installation has prebuilt images"
                            + " only");
                }
                checkPrebuilt();
                progress.accept("prebuilt (no Makefile in " + makeDir(s.make()) + "): " + s.description());
            } else if (s.make() != null) {
                List<String> cmd = new ArrayList<>(s.make());
                cmd.addAll(makeVariables());
                progress.accept(String.join(" ", cmd));
                make(cmd);
            } else {
                progress.accept(s.description());
                s.run().run();
            }
        }
    }

    /** The step that builds the static service binaries ({@code make -C containers binaries}). */
    public static Deployer.BuildStep binariesStep(ServiceCatalog catalog) {
        return Deployer.BuildStep.make("make:binaries",
                List.of("make", "-C", catalog.homeDir().resolve("containers").toString(), "binaries"));
    }

    /** The step that builds the unikernel images ({@code make -C unikernels}), shared by qemu and libvirt. */
    public static Deployer.BuildStep unikernelsStep(ServiceCatalog catalog) {
        return Deployer.BuildStep.make("make:unikernels",
                List.of("make", "-C", catalog.homeDir().resolve("unikernels").toString()));
    }

    /** Runs make; a failure says the command and its last lines. */
    public static void make(List<String> command) {
        if (!Processes.onPath("make")) {
            throw new UnibenchException("make not found (apt-get install make gcc)");
        }
        Processes.Result r = Processes.run(command, null, 15 * 60_000);
        if (!r.ok()) {
            List<String> lines = r.output().lines().toList();
            throw new UnibenchException("'" + String.join(" ", command) + "' failed (exit " + r.exit() + "): "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
        }
    }
}
