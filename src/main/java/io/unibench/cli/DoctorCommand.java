package io.unibench.cli;

import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.remote.RemoteOptions;
import io.unibench.util.Doctor;
import io.unibench.util.Doctor.Check;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check what unibench needs on this host: Java, what each backend needs (QEMU and whether KVM",
            "really works, the Docker daemon, the gVisor runtime registered with it, the native binaries), gcc/make,",
            "dnsperf and wrk. Exits 1 when something the chosen command needs is missing."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench doctor", "  unibench doctor --for bench-dns", "  unibench doctor --for deploy",
            "  unibench doctor --host ssh://root@server          # that server's Docker engine and libvirt"})
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--for", defaultValue = "all", paramLabel = "COMMAND",
            description = "Only fail for what this command needs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Doctor.Purpose purpose;

    @picocli.CommandLine.Mixin
    RemoteOptionsMixin remoteOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        RemoteOptions remote = remoteOptions.options();
        PrintWriter out = spec.commandLine().getOut();
        List<Check> checks = new ArrayList<>(Doctor.host());
        Deployments d = Deployments.create(StateStore.open(), ServiceCatalog.load(), BackendOptions.defaults().with(remote),
                new DeployProgress(spec.commandLine().getErr(), true));
        Set<String> seen = new HashSet<>();
        for (Backend b : Backend.values()) {
            for (Check c : d.deployer(b).prerequisites()) {
                if (seen.add(c.name())) {
                    checks.add(c);
                }
            }
        }
        checks.addAll(Doctor.tools());
        int w = checks.stream().mapToInt(c -> c.name().length()).max().orElse(10);
        boolean missing = false;
        out.printf("%-" + w + "s  %-7s  %s%n", "CHECK", "STATUS", "DETAIL");
        for (Check c : checks) {
            boolean needed = c.neededBy().contains(purpose) || purpose == Doctor.Purpose.all && !c.neededBy().isEmpty();
            String status = c.ok() ? "ok" : needed ? "MISSING" : "absent";
            missing |= !c.ok() && needed;
            out.printf("%-" + w + "s  %-7s  %s%n", c.name(), status, c.detail());
        }
        out.flush();
        if (missing) {
            spec.commandLine().getErr().println("unibench doctor: something needed"
                    + (purpose == Doctor.Purpose.all ? "" : " for " + purpose) + " is missing (see the table above)");
            return Main.EXIT_FAILURE;
        }
        return Main.EXIT_OK;
    }
}
