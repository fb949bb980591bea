package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.deploy.NetworkMode;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.lab.InsideLab;
import io.unibench.deploy.lab.Lab;
import io.unibench.deploy.lab.Labs;
import io.unibench.deploy.lab.Subnet;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --network forward|lab}, {@code --lab NAME}, {@code --subnet CIDR}: where the instances a command
 * starts are reached. In lab mode the command makes sure the lab exists (from the host namespace), then
 * runs again inside the lab's namespace ({@link InsideLab}), where its probes and load reach the lab
 * addresses directly.
 */
final class NetworkOptions {
    @Option(names = "--network", defaultValue = "forward", paramLabel = "MODE",
            description = "forward (127.0.0.1 host ports through slirp / docker-proxy; no root needed) or lab "
                    + "(a bridge in a network namespace unibench owns, no proxy; needs root) (default: ${DEFAULT-VALUE}).")
    NetworkMode network;

    @Option(names = "--lab", paramLabel = "NAME",
            description = "With --network lab: the lab to use, created when missing (default: " + Lab.DEFAULT + ").")
    String lab;

    @Option(names = "--subnet", paramLabel = "CIDR",
            description = "With --network lab: the lab's subnet when it is created (default: " + Labs.DEFAULT_SUBNET
                    + ", the study's DMZ: gateway .254, web .5, DNS .100, others from .101).")
    String subnet;

    /** Checks the options (bad input before anything happens); the lab name in lab mode, null in forward mode. */
    String validate() {
        if (network != NetworkMode.lab) {
            if (lab != null || subnet != null) {
                throw new UsageException("--lab and --subnet need --network lab");
            }
            return null;
        }
        if (subnet != null) {
            Subnet.parse(subnet);
        }
        String name = Lab.checkName(lab == null ? Lab.DEFAULT : lab);
        // before anything is written: not root, or ip / nsenter / the CNI plugins missing, is bad input
        Labs.requirePrivileges();
        Labs.requireTools(true);
        return name;
    }

    /** In lab mode: the lab, created when missing (needs root: else exit 2 naming --network forward). Null in forward mode. */
    Lab ensureLab(StateStore state) {
        String name = validate();
        if (name == null) {
            return null;
        }
        return new Labs(state).ensure(name, subnet == null ? null : Subnet.parse(subnet));
    }

    /**
     * Bad input when the lab (as it is, or as it would be created) has no room for {@code n} more
     * instances: checked before the lab is even created.
     */
    void checkRoom(StateStore state, int n) {
        String name = validate();
        if (name == null) {
            return;
        }
        java.util.Optional<Lab> known = new Labs(state).get(name);
        Subnet s = known.map(l -> l.defaultSegment().subnet())
                .orElseGet(() -> Subnet.parse(subnet == null ? Labs.DEFAULT_SUBNET : subnet));
        io.unibench.deploy.lab.Segment seg = known.map(Lab::defaultSegment)
                .orElseGet(() -> io.unibench.deploy.lab.Segment.of(io.unibench.deploy.lab.Segment.DEFAULT, s));
        int free = io.unibench.deploy.lab.AddressPlan.free(s, known.isPresent()
                ? Labs.usedOffsets(known.get(), seg, state.list()) : java.util.Set.of());
        if (n > free) {
            throw new UsageException("subnet " + s + " has room for " + free + " more instance" + (free == 1 ? "" : "s")
                    + ", not " + n + "; use a larger --subnet");
        }
    }

    /** The network section of run.json: mode, each backend's path (as its deployer says), and the lab's namespace. */
    static java.util.Map<String, Object> describe(Lab lab, List<io.unibench.deploy.Deployer> deployers,
                                                  io.unibench.deploy.ServiceSpec spec) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("mode", (lab == null ? NetworkMode.forward : NetworkMode.lab).name());
        java.util.Map<String, String> paths = new java.util.LinkedHashMap<>();
        for (io.unibench.deploy.Deployer d : deployers) {
            paths.put(d.backend().id(), lab != null ? d.labPath() : String.valueOf(d.facts(spec).get("network")));
        }
        m.put("path", paths);
        if (lab != null) {
            m.put("lab", lab.name());
            m.put("namespace", lab.namespace());
            m.put("subnet", lab.defaultSegment().subnet().toString());
            m.put("probes_and_generator", InsideLab.how(lab));
        } else {
            m.put("namespace", "host (default network namespace)");
        }
        return m;
    }

    /** Runs this very command line again inside {@code lab}; returns its exit code. */
    static int reexecInside(Lab lab, CommandSpec spec) {
        if (InsideLab.labName() != null) {
            throw new io.unibench.UnibenchException("started to run inside lab " + InsideLab.labName()
                    + " but not in its network namespace " + lab.namespace());
        }
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        return InsideLab.runUnibench(lab, args, spec.commandLine().getOut(), spec.commandLine().getErr(),
                System.console() != null);
    }
}
