package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.lab.InsideLab;
import io.unibench.deploy.lab.Lab;
import io.unibench.deploy.lab.Labs;
import io.unibench.deploy.lab.Subnet;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"Labs: network namespaces unibench creates and owns, each holding a Linux bridge per segment",
            "(default segment 'dmz' on 10.0.0.0/24: gateway .254, web .5, DNS .100, others from .101) where",
            "'deploy --network lab' attaches instances (QEMU on taps, containers through the CNI bridge plugin).",
            "The host's default namespace is never changed. All of this needs root."},
        subcommands = {LabCommand.Create.class, LabCommand.ListLabs.class, LabCommand.Exec.class,
            LabCommand.Destroy.class},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench lab create", "  unibench lab list",
            "  unibench lab exec -- dig @10.0.0.100 www.cetic.be",
            "  unibench lab exec default -- dnsperf -s 10.0.0.100 -d queries.txt -l 10",
            "  unibench lab destroy default"})
final class LabCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The lab a command without a name means: the only one, else 'default'. */
    static Lab pick(Labs labs, String name) {
        if (name != null) {
            return labs.require(Lab.checkName(name));
        }
        List<Lab> all = labs.list();
        if (all.size() == 1) {
            return all.get(0);
        }
        if (all.stream().anyMatch(l -> l.name().equals(Lab.DEFAULT))) {
            return labs.require(Lab.DEFAULT);
        }
        throw new UsageException(all.isEmpty() ? "no lab yet ('unibench deploy ... --network lab' or 'unibench lab "
                + "create' makes one)" : "which lab? " + all.stream().map(Lab::name).collect(Collectors.joining(", ")));
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a lab (its namespace, marker and default bridge), or check an existing one."},
            footerHeading = "%nExamples:%n",
            footer = {"  unibench lab create", "  unibench lab create two --subnet 10.9.0.0/24"})
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Lab name (default: " + Lab.DEFAULT + ").")
        String name;

        @Option(names = "--subnet", paramLabel = "CIDR", description = "IPv4 /8 to /29 (default: " + Labs.DEFAULT_SUBNET + ").")
        String subnet;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String n = Lab.checkName(name == null ? Lab.DEFAULT : name);
            Subnet s = subnet == null ? null : Subnet.parse(subnet);
            Labs.requirePrivileges();
            Lab lab = new Labs(StateStore.open()).ensure(n, s);
            PrintWriter out = spec.commandLine().getOut();
            out.println("lab " + lab.name() + ": namespace " + lab.namespace() + ", " + segments(lab));
            out.flush();
            return Main.EXIT_OK;
        }
    }

    static String segments(Lab lab) {
        return lab.segments().stream().map(s -> s.name() + " " + s.subnet() + " on " + s.bridge() + " (gateway "
                + s.gateway() + ")").collect(Collectors.joining("; "));
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the labs unibench created, with their namespace, whether it is still there and ours,",
                "their segments and the instances attached to them."})
    static final class ListLabs implements Callable<Integer> {
        @Option(names = "--json", description = "One JSON document on stdout.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            StateStore state = StateStore.open();
            Labs labs = new Labs(state);
            List<Instance> instances = state.list();
            PrintWriter out = spec.commandLine().getOut();
            List<Lab> all = labs.list();
            if (json) {
                var root = InstanceViews.JSON.createObjectNode();
                root.put("state_dir", state.dir().toString());
                var arr = root.putArray("labs");
                for (Lab l : all) {
                    var n = InstanceViews.JSON.<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(l);
                    n.put("namespace_state", labs.presence(l).name());
                    var ids = n.putArray("instances");
                    instancesOf(l, instances).forEach(i -> ids.add(i.id()));
                    arr.add(n);
                }
                InstanceViews.printJson(out, root);
            } else if (all.isEmpty()) {
                out.println("no labs (state: " + state.dir() + ")");
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"LAB", "NAMESPACE", "STATE", "SEGMENTS", "INSTANCES"});
                for (Lab l : all) {
                    Labs.Presence p = labs.presence(l);
                    String st = p == Labs.Presence.ours ? l.state().name() : p == Labs.Presence.absent
                            ? "namespace gone" : "namespace NOT OURS";
                    rows.add(new String[] {l.name(), l.namespace(), st, segments(l),
                        instancesOf(l, instances).stream().map(i -> i.id() + "=" + i.lab().address())
                                .collect(Collectors.joining(","))});
                }
                InstanceViews.printTable(out, rows);
            }
            out.flush();
            return Main.EXIT_OK;
        }
    }

    static List<Instance> instancesOf(Lab l, List<Instance> instances) {
        return instances.stream().filter(i -> i.lab() != null && i.lab().lab().equals(l.name())).toList();
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = {"Run COMMAND inside a lab, on its client side (the lab's own address on each segment,",
                "e.g. 10.0.0.254): dig, dnsperf, wrk, h2load, curl, tcpdump... Exits with COMMAND's exit code."},
            footerHeading = "%nExamples:%n",
            footer = {"  unibench lab exec -- dig +short @10.0.0.100 www.cetic.be",
                "  unibench lab exec default -- curl -s http://10.0.0.5/", "  unibench lab exec -- ip -br addr"})
    static final class Exec implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "[LAB] -- COMMAND", description = "Optional lab name, '--', then the command.")
        List<String> words;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<String> original = spec.commandLine().getParseResult().originalArgs();
            int dash = original.indexOf("--");
            String name = null;
            List<String> command = words;
            if (dash >= 0) {
                int before = original.size() - 1 - dash; // words after '--'
                int labWords = words.size() - before;
                if (labWords > 1) {
                    throw new UsageException("give at most one lab name before '--' (got " + words.subList(0, labWords) + ")");
                }
                name = labWords == 1 ? words.get(0) : null;
                command = words.subList(labWords, words.size());
            }
            if (command.isEmpty()) {
                throw new UsageException("which command? unibench lab exec [LAB] -- COMMAND...");
            }
            Labs.requirePrivileges();
            Lab lab = pick(new Labs(StateStore.open()), name);
            if (new Labs(StateStore.open()).presence(lab) != Labs.Presence.ours) {
                throw new io.unibench.UnibenchException("lab " + lab.name() + " has no namespace of ours ("
                        + lab.namespace() + "); 'unibench lab destroy " + lab.name() + "' and create it again");
            }
            return InsideLab.run(lab, command, spec.commandLine().getOut(), spec.commandLine().getErr(),
                    System.console() != null);
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true,
            description = {"Destroy labs: their instances first, then the namespace (with its bridges, taps and veths),",
                "only if it carries unibench's marker. A namespace that is not unibench's is never touched."},
            footerHeading = "%nExamples:%n", footer = {"  unibench lab destroy default", "  unibench lab destroy --all"})
    static final class Destroy implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "NAME", description = "Lab names (see 'unibench lab list').")
        List<String> names;

        @Option(names = "--all", description = "Every lab unibench created.")
        boolean all;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<String> wanted = names == null ? List.of() : names;
            if (all == !wanted.isEmpty()) {
                throw new UsageException(all ? "give lab names or --all, not both" : "which labs? give names or --all");
            }
            wanted.forEach(Lab::checkName);
            StateStore state = StateStore.open();
            Labs labs = new Labs(state);
            List<Lab> targets = new ArrayList<>();
            if (all) {
                targets.addAll(labs.list());
            } else {
                for (String n : wanted) {
                    targets.add(labs.require(n));
                }
            }
            if (!targets.isEmpty()) {
                Labs.requirePrivileges();
            }
            Deployments d = Deployments.create(state, ServiceCatalog.load(), io.unibench.deploy.BackendOptions.defaults(),
                    new DeployProgress(spec.commandLine().getErr(), true));
            PrintWriter out = spec.commandLine().getOut();
            if (targets.isEmpty()) {
                out.println("no labs (state: " + state.dir() + ")");
            }
            for (Lab l : targets) {
                for (Map.Entry<String, String> e : d.destroyLab(l).entrySet()) {
                    out.println("destroyed " + e.getKey() + ": " + e.getValue());
                }
            }
            out.flush();
            return Main.EXIT_OK;
        }
    }

}
