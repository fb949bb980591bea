package io.unibench.cli;

import io.unibench.UnibenchException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.ImageBuilder;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Build the images of the chosen backends: the unikernel images (make -C unikernels), the static",
            "service binaries (make -C containers binaries) and the container images (from containers/, with the",
            "Docker API), then print each service's image size on every backend next to the unikernel's."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench build", "  unibench build unikernels", "  unibench build containers",
            "  unibench build native", "  unibench build --zone my.zone",
            "",
            "--zone compiles a standard RFC 1035 zone file into every DNS build (checked first: a bad",
            "file is exit 2 with its line). A later plain 'unibench build' goes back to the default zone."})
final class BuildCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = "all", paramLabel = "WHAT",
            description = "unikernels (= qemu), containers (= docker), a backend, a comma list, or all "
                    + "(default: ${DEFAULT-VALUE}).")
    String what;

    @Option(names = "--zone", paramLabel = "FILE",
            description = "RFC 1035 zone file served by the DNS service (every build). Default: the study's "
                    + "zone, unikernels/apps/zones/cetic.be.zone.")
    Path zone;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Backend> backends = Backend.parseChoice(what);
        PrintWriter err = spec.commandLine().getErr();
        ServiceCatalog catalog = ServiceCatalog.load();
        Deployments d = Deployments.create(StateStore.open(), catalog, BackendOptions.defaults(),
                new DeployProgress(err, true));
        if (zone != null) {
            ImageBuilder.checkZone(catalog.homeDir(), zone);
        }
        ImageBuilder b = new ImageBuilder(catalog, d::deployer, m -> {
            err.println(m);
            err.flush();
        }, zone);
        b.build(backends);
        List<Backend> shown = List.of(Backend.values());
        Map<Backend, Boolean> reachable = new HashMap<>();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVICE", "BACKEND", "IMAGE", "BYTES", "MB", "X_" + shown.get(0).id().toUpperCase(Locale.ROOT)});
        for (String service : catalog.names()) {
            long first = -1;
            for (Backend backend : shown) {
                Deployer.Image img;
                try {
                    img = reachable.getOrDefault(backend, true) ? d.deployer(backend).image(catalog.get(service))
                            : null;
                } catch (UnibenchException e) {
                    reachable.put(backend, false);
                    err.println("warning: " + backend + " image sizes unknown: " + e.getMessage());
                    img = null;
                }
                long size = img == null ? -1 : img.sizeBytes();
                if (backend == shown.get(0)) {
                    first = size;
                }
                rows.add(new String[] {service, backend.id(), img == null || img.ref() == null ? "-" : img.ref(),
                    bytes(size), mb(size), size > 0 && first > 0
                            ? String.format(Locale.ROOT, "%.1fx", (double) size / first) : "-"});
            }
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
