package io.unibench.deploy;

import io.unibench.UnibenchException;
import io.unibench.util.Processes;
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

    public ImageBuilder(ServiceCatalog catalog, Function<Backend, Deployer> deployers, Consumer<String> progress) {
        this.catalog = catalog;
        this.deployers = deployers;
        this.progress = progress;
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
            progress.accept(s.description());
            s.run().run();
        }
    }

    /** The step that builds the static service binaries ({@code make -C containers binaries}). */
    public static Deployer.BuildStep binariesStep(ServiceCatalog catalog) {
        List<String> cmd = List.of("make", "-C", catalog.homeDir().resolve("containers").toString(), "binaries");
        return new Deployer.BuildStep("make:binaries", String.join(" ", cmd), () -> make(cmd));
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
