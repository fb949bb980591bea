package io.unibench.deploy;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.deploy.docker.DockerClients;
import io.unibench.deploy.docker.DockerDeployer;
import io.unibench.util.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code unibench build}: the unikernel images with make, the container images with docker-java from each
 * manifest's build context, and the study's early comparison of their sizes.
 */
public final class ImageBuilder {
    /** Each service's unikernel image size next to its container image size (-1 when not built). */
    public record Sizes(String service, Path unikernel, long unikernelBytes, String containerImage,
                        long containerBytes) {
    }

    private final ServiceCatalog catalog;
    private final Consumer<String> progress;
    private final Path zone;

    public ImageBuilder(ServiceCatalog catalog, Consumer<String> progress) {
        this(catalog, progress, null);
    }

    /**
     * @param zone an RFC 1035 zone file compiled into both DNS builds ({@code make ZONE=...}); null: the
     *             default zone (unikernels/apps/zones/cetic.be.zone)
     */
    public ImageBuilder(ServiceCatalog catalog, Consumer<String> progress, Path zone) {
        this.catalog = catalog;
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

    private List<String> zoneArg() {
        return zone == null ? List.of() : List.of("ZONE=" + zone);
    }

    /** {@code make -C unikernels}. */
    public void buildUnikernels() {
        List<String> cmd = new ArrayList<>(List.of("make", "-C", catalog.homeDir().resolve("unikernels").toString()));
        cmd.addAll(zoneArg());
        make(cmd);
    }

    /** Static binaries ({@code make -C containers binaries}), then one docker build per manifest. */
    public void buildContainers() {
        DockerClients.get(); // fail early and clearly when the daemon is down
        List<String> cmd = new ArrayList<>(List.of("make", "-C", catalog.homeDir().resolve("containers").toString(),
                "binaries"));
        cmd.addAll(zoneArg());
        make(cmd);
        String version = Processes.firstLineOrNull("git", "-C", catalog.homeDir().toString(), "describe", "--always",
                "--dirty");
        for (String name : catalog.names()) {
            ServiceSpec s = catalog.get(name);
            if (s.container() == null) {
                continue;
            }
            Path ctx = catalog.containerContext(s);
            if (!Files.isRegularFile(ctx.resolve("Dockerfile"))) {
                throw new UnibenchException("no Dockerfile in " + ctx + " (the manifest of " + name + " names it)");
            }
            progress.accept("docker build " + s.container().imageRef() + " from " + ctx);
            try {
                String id = DockerClients.get().buildImageCmd(ctx.toFile()).withTags(Set.of(s.container().imageRef()))
                        .withPull(false).withBuildArg("VERSION", version == null ? "unknown" : version)
                        .exec(new BuildImageResultCallback()).awaitImageId(10, TimeUnit.MINUTES);
                progress.accept("built " + s.container().imageRef() + " " + id);
            } catch (DockerException e) {
                throw new UnibenchException("docker build of " + s.container().imageRef() + " from " + ctx
                        + " failed: " + DockerClients.rootMessage(e), e);
            }
        }
    }

    private void make(List<String> command) {
        if (!Processes.onPath("make")) {
            throw new UnibenchException("make not found (apt-get install make gcc)");
        }
        progress.accept(String.join(" ", command));
        Processes.Result r = Processes.run(command, null, 15 * 60_000);
        if (!r.ok()) {
            List<String> lines = r.output().lines().toList();
            throw new UnibenchException("'" + String.join(" ", command) + "' failed (exit " + r.exit() + "): "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
        }
    }

    /** Sizes of what is built now; container sizes only when {@code withContainers} (needs the daemon). */
    public List<Sizes> sizes(boolean withContainers) {
        List<Sizes> out = new ArrayList<>();
        for (String name : catalog.names()) {
            ServiceSpec s = catalog.get(name);
            Path img = s.unikernel() == null ? null : catalog.unikernelImage(s);
            long uk = -1;
            try {
                uk = img != null && Files.isRegularFile(img) ? Files.size(img) : -1;
            } catch (java.io.IOException e) {
                // unreadable: not built
            }
            String ref = s.container() == null ? null : s.container().imageRef();
            long ct = withContainers && ref != null ? DockerDeployer.imageSize(ref) : -1;
            out.add(new Sizes(name, img, uk, ref, ct));
        }
        return out;
    }
}
