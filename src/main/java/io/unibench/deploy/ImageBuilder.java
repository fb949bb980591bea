package io.unibench.deploy;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import io.unibench.UnibenchException;
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

    public ImageBuilder(ServiceCatalog catalog, Consumer<String> progress) {
        this.catalog = catalog;
        this.progress = progress;
    }

    /**
     * {@code make -C unikernels} in a checkout; in an installed release (no Makefile, the images shipped
     * prebuilt) only a check that every manifest's image is there.
     */
    public void buildUnikernels() {
        Path dir = catalog.homeDir().resolve("unikernels");
        if (Files.isRegularFile(dir.resolve("Makefile"))) {
            make(List.of("make", "-C", dir.toString()));
            return;
        }
        for (String name : catalog.names()) {
            ServiceSpec s = catalog.get(name);
            if (s.unikernel() != null && !Files.isRegularFile(catalog.unikernelImage(s))) {
                throw new UnibenchException("the prebuilt unikernel image " + catalog.unikernelImage(s)
                        + " is missing (and there is no " + dir.resolve("Makefile") + " to build it)");
            }
        }
        progress.accept("unikernel images: prebuilt in " + dir.resolve("build"));
    }

    /** Static binaries ({@code make -C containers binaries}), then one docker build per manifest. */
    public void buildContainers() {
        DockerClients.get(); // fail early and clearly when the daemon is down
        Path containers = catalog.homeDir().resolve("containers");
        if (Files.isRegularFile(containers.resolve("Makefile"))) {
            make(List.of("make", "-C", containers.toString(), "binaries"));
        } // else an installed release: the static binaries are shipped inside the build contexts
        String version = io.unibench.results.RunMetadata.Version.gitCommit();
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
                        .withPull(false).withBuildArg("VERSION", version)
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
