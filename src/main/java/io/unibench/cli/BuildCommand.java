package io.unibench.cli;

import io.unibench.UnibenchException;
import io.unibench.deploy.ImageBuilder;
import io.unibench.deploy.ServiceCatalog;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Build the unikernel images (make -C unikernels) and the container images (from containers/,",
            "with the Docker API), then print each service's unikernel image size next to its container image size."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench build", "  unibench build unikernels", "  unibench build --zone my.zone",
            "",
            "--zone compiles a standard RFC 1035 zone file into both DNS builds (checked first: a bad",
            "file is exit 2 with its line). A later plain 'unibench build' goes back to the default zone."})
final class BuildCommand implements Callable<Integer> {
    enum What { unikernels, containers, all }

    @Parameters(index = "0", arity = "0..1", defaultValue = "all", paramLabel = "WHAT",
            description = "unikernels, containers or all (default: ${DEFAULT-VALUE}).")
    What what;

    @Option(names = "--zone", paramLabel = "FILE",
            description = "RFC 1035 zone file served by the DNS service (both builds). Default: the study's "
                    + "zone, unikernels/apps/zones/cetic.be.zone.")
    Path zone;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ServiceCatalog catalog = ServiceCatalog.load();
        if (zone != null) {
            ImageBuilder.checkZone(catalog.homeDir(), zone);
        }
        ImageBuilder b = new ImageBuilder(catalog, m -> {
            err.println(m);
            err.flush();
        }, zone);
        if (what != What.containers) {
            b.buildUnikernels();
        }
        if (what != What.unikernels) {
            b.buildContainers();
        }
        boolean containers = what != What.unikernels;
        if (!containers) {
            try {
                io.unibench.deploy.docker.DockerClients.get();
                containers = true;
            } catch (UnibenchException e) {
                err.println("warning: container sizes unknown: " + e.getMessage());
            }
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVICE", "UNIKERNEL_BYTES", "UNIKERNEL_MB", "CONTAINER_IMAGE", "CONTAINER_BYTES",
            "CONTAINER_MB", "CONTAINER/UNIKERNEL"});
        for (ImageBuilder.Sizes s : b.sizes(containers)) {
            rows.add(new String[] {s.service(), bytes(s.unikernelBytes()), mb(s.unikernelBytes()),
                s.containerImage() == null ? "-" : s.containerImage(), bytes(s.containerBytes()), mb(s.containerBytes()),
                s.unikernelBytes() > 0 && s.containerBytes() > 0
                        ? String.format(Locale.ROOT, "%.1fx", (double) s.containerBytes() / s.unikernelBytes()) : "-"});
        }
        PrintWriter out = spec.commandLine().getOut();
        InstanceViews.printTable(out, rows);
        out.flush();
        return Main.EXIT_OK;
    }

    private static String bytes(long b) {
        return b < 0 ? "not built" : Long.toString(b);
    }

    private static String mb(long b) {
        return b < 0 ? "-" : String.format(Locale.ROOT, "%.3f", b / 1e6);
    }
}
