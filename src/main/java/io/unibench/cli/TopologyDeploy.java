package io.unibench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.docker.DockerClients;
import io.unibench.deploy.docker.DockerOptions;
import io.unibench.deploy.lab.InsideLab;
import io.unibench.deploy.lab.Lab;
import io.unibench.deploy.lab.Labs;
import io.unibench.deploy.topology.Topologies;
import io.unibench.deploy.topology.TopologyPlan;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code deploy poc --network lab}: the study's topology, one lab per backend. From the host namespace it
 * checks the input, creates each lab (segments, the client's address, route and resolver) and runs itself
 * again inside that lab with one backend; inside, it deploys firewall, router, DNS and web on their planned
 * links and waits until the DNS answers and the page loads from the client, through the chain. A topology
 * that does not come up is removed again, lab included.
 */
final class TopologyDeploy {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DeployCommand c;

    TopologyDeploy(DeployCommand c) {
        this.c = c;
    }

    int call() {
        if (c.count != 1) {
            throw new UsageException("--count: a topology has one of each service (deploy dns --network lab --count N "
                    + "for many)");
        }
        if (c.network.lab != null || c.network.subnet != null) {
            throw new UsageException("deploy poc --network lab builds its own labs (poc-qemu, poc-docker); "
                    + "--plan ext=CIDR,link=CIDR,dmz=CIDR changes their addresses");
        }
        if (c.timeout.isZero() || c.timeout.isNegative()) {
            throw new UsageException("--timeout must be positive");
        }
        List<Backend> backends = Topologies.parseBackends(c.backend);
        TopologyPlan plan = TopologyPlan.parse(c.plan);
        try {
            Labs.requirePrivileges();
        } catch (UsageException e) {
            throw new UsageException("deploy poc builds the study's topology (--network lab, the default), which needs "
                    + "root (CAP_NET_ADMIN and CAP_SYS_ADMIN: network namespaces, bridges, taps); --network forward "
                    + "deploys DNS and web on 127.0.0.1 ports without it");
        }
        Labs.requireTools(backends.contains(Backend.docker));
        ServiceCatalog catalog = ServiceCatalog.load();
        StateStore state = StateStore.open();
        String inside = InsideLab.labName();
        if (inside != null) {
            return deployInside(state, catalog, new Labs(state).require(inside), backends);
        }
        PrintWriter out = c.spec.commandLine().getOut();
        PrintWriter err = c.spec.commandLine().getErr();
        Labs labs = new Labs(state);
        for (Backend b : backends) {
            labs.get(Topologies.labName(b)).ifPresent(l -> {
                if (!Topologies.instances(state.list(), l).isEmpty()) {
                    throw new UsageException("topology " + l.name() + " is already deployed (unibench status; remove it "
                            + "with unibench lab destroy " + l.name() + ")");
                }
            });
        }
        ArrayNode docs = JSON.createArrayNode();
        for (Backend b : backends) {
            Lab lab = Topologies.ensureLab(labs, plan, b);
            List<String> args = argsFor(b);
            StringWriter captured = new StringWriter();
            int code;
            try {
                code = InsideLab.runUnibench(lab, args, c.json ? new PrintWriter(captured, true) : out, err,
                        !c.json && System.console() != null);
            } catch (RuntimeException e) {
                removeLab(state, lab, err);
                throw e;
            }
            if (code != Main.EXIT_OK) {
                removeLab(state, lab, err);
                return code;
            }
            if (c.json) {
                try {
                    docs.add(JSON.readTree(captured.toString()));
                } catch (java.io.IOException e) {
                    throw new UnibenchException("the deploy inside " + lab.name() + " printed no JSON: " + captured, e);
                }
            }
        }
        if (c.json) {
            ObjectNode root = JSON.createObjectNode();
            root.put("state_dir", state.dir().toString());
            root.set("topologies", docs);
            InstanceViews.printJson(out, root);
        }
        out.flush();
        return Main.EXIT_OK;
    }

    /** This command line for one backend (the child runs inside that backend's lab). */
    private List<String> argsFor(Backend b) {
        List<String> orig = c.spec.commandLine().getParseResult().originalArgs();
        List<String> args = new ArrayList<>();
        for (int i = 0; i < orig.size(); i++) {
            String a = orig.get(i);
            if (a.equals("--backend")) {
                i++;
                continue;
            }
            if (a.startsWith("--backend=")) {
                continue;
            }
            args.add(a);
        }
        args.add("--backend");
        args.add(b.name());
        return args;
    }

    private static void removeLab(StateStore state, Lab lab, PrintWriter err) {
        try {
            Deployments.create(state, ServiceCatalog.load(), io.unibench.deploy.BackendOptions.defaults(),
                    new DeployProgress(err, true)).destroyLab(lab);
        } catch (RuntimeException e) {
            err.println("unibench: could not remove lab " + lab.name() + ": " + e.getMessage());
        }
    }

    /** Inside the lab of one backend: the four services on their links, ready when reachable from the client. */
    private int deployInside(StateStore state, ServiceCatalog catalog, Lab lab, List<Backend> backends) {
        if (!InsideLab.inside(lab) || backends.size() != 1 || !Topologies.isTopology(lab)) {
            throw new UnibenchException("started to deploy a topology inside " + lab.name() + " but this process is "
                    + "not in its namespace with one backend");
        }
        Backend b = backends.get(0);
        TopologyPlan plan = Topologies.plan(lab);
        if (b == Backend.docker) {
            DockerClients.warmUpInBackground();
        }
        PrintWriter err = c.spec.commandLine().getErr();
        Deployments d = Deployments.create(state, catalog, io.unibench.deploy.BackendOptions.defaults()
                .with(c.qemuOptions.options())
                .with(new DockerOptions(c.containerMemory, c.containerCpus, Duration.ofSeconds(2), false)),
                new DeployProgress(err, c.json)).inLab(lab);
        long t0 = System.nanoTime();
        List<Instance> out = d.deploy(Topologies.requests(catalog, lab, plan, b), c.timeout);
        long wallNanos = System.nanoTime() - t0;
        PrintWriter o = c.spec.commandLine().getOut();
        if (c.json) {
            ObjectNode doc = InstanceViews.deployDocument(out, wallNanos, state);
            ObjectNode t = doc.putObject("topology");
            t.put("lab", lab.name());
            t.put("namespace", lab.namespace());
            t.put("backend", b.name());
            t.put("client", plan.client());
            t.put("gateway", plan.firewallOutside());
            t.put("resolver", plan.dns());
            t.set("plan", JSON.valueToTree(plan));
            t.put("ready_ms", wallNanos / 1e6);
            InstanceViews.printJson(o, doc);
        } else {
            InstanceViews.printDeployTable(o, out);
            o.printf("topology %s (%s) ready in %.2f s: DNS answered and the page loaded from the client %s, through "
                            + "firewall %s and router %s%n", lab.name(), b, wallNanos / 1e9, plan.client(),
                    plan.firewallOutside(), plan.routerLink());
            o.printf("  try: unibench lab exec %s -- curl http://www.cetic.be/%n", lab.name());
        }
        o.flush();
        return Main.EXIT_OK;
    }
}
