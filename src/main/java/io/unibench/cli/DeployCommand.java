package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.DeployOptions;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.docker.DockerOptions;
import io.unibench.deploy.lab.InsideLab;
import io.unibench.deploy.lab.Lab;
import io.unibench.deploy.remote.RemoteOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploy services on one or more backends (QEMU/KVM, Docker, Docker with gVisor, native host",
            "processes) and wait until each answers (a DNS reply with the expected record, an HTTP 200 with the",
            "expected body). 'poc' deploys the proof-of-concept services (dns, web; with --network lab, the default",
            "for poc, the study's whole topology: a client namespace, firewall, router and the DMZ, one lab per",
            "backend, poc-qemu and poc-docker). With --network forward host ports on 127.0.0.1 are",
            "allocated by unibench; the state is kept under",
            "$XDG_STATE_HOME/unibench (default ~/.local/state/unibench; -Dunibench.state.dir overrides).",
            "On a failure or Ctrl-C, whatever this command started is removed again.",
            "--network lab puts every instance on a bridge in a network namespace unibench owns (QEMU on a tap,",
            "containers through the CNI bridge plugin), each with its own address and no proxy; reach them with",
            "'unibench lab exec -- COMMAND' or 'unibench bench dns|http --lab LAB'."},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench deploy poc                               # the topology, labs poc-qemu and poc-docker",
            "  unibench lab exec poc-qemu -- curl http://www.cetic.be/   # from the client, through firewall and router",
            "  unibench deploy poc --network forward --backend qemu --json",
            "  unibench deploy dns --backend docker --count 10",
            "  unibench deploy web --backend qemu --accel tcg --machine pc",
            "  unibench deploy poc --network forward --backend native,gvisor",
            "  unibench deploy dns --network lab                # dns on 10.0.0.100 in lab 'default'",
            "  unibench deploy dns --network lab --lab two --subnet 10.9.0.0/24 --backend docker",
            "  unibench deploy dns --backend libvirt                      # through qemu:///system",
            "  unibench deploy poc --host ssh://root@server --ssh-key ~/.ssh/id_ed25519   # libvirt + docker there"})
final class DeployCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SERVICE", description = "poc, dns or web (any manifest in unikernels/services).")
    String service;

    @Option(names = "--backend", defaultValue = "both", description = UnibenchCommand.BACKEND_HELP)
    String backend;

    @Option(names = "--count", defaultValue = "1", description = "Instances per service and backend (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--json", description = "Print one JSON document on stdout instead of a table.")
    boolean json;

    @Option(names = "--timeout", defaultValue = "20s", converter = Converters.DurationConverter.class,
            paramLabel = "DURATION", description = "Per instance, from its start until it answers (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @picocli.CommandLine.Mixin
    QemuOptionsMixin qemuOptions;

    @picocli.CommandLine.Mixin
    NetworkOptions network;

    @picocli.CommandLine.Mixin
    RemoteOptionsMixin remoteOptions;

    @Option(names = "--container-memory", converter = Converters.SizeConverter.class, paramLabel = "SIZE",
            description = "Container memory limit (default: the manifest's, 128M in the study).")
    Long containerMemory;

    @Option(names = "--container-cpus", paramLabel = "N",
            description = "Container CPU limit (default: the manifest's, 1 in the study).")
    Double containerCpus;

    @Spec
    CommandSpec spec;

    @Option(names = "--plan", paramLabel = "SUBNETS",
            description = "deploy poc --network lab: the topology's subnets, ext=CIDR,link=CIDR,dmz=CIDR (default: the "
                    + "study's, ext=192.168.100.0/24,link=192.168.101.0/29,dmz=10.0.0.0/24).")
    String plan;

    @Override
    public Integer call() {
        boolean poc = service.equals("poc");
        RemoteOptions remote = remoteOptions.options();
        if (network.network == io.unibench.deploy.NetworkMode.lab && remote.remote()) {
            throw new UsageException("--network lab is on this host only (its namespaces are local); "
                    + "deploy remotely with --network forward");
        }
        if (poc && !spec.commandLine().getParseResult().hasMatchedOption("--network") && !remote.remote()
                && io.unibench.deploy.topology.Topologies.isDefaultFor(backend)) {
            // the study's system is the topology (labs are local; backends without a topology get forward + a note)
            network.network = io.unibench.deploy.NetworkMode.lab;
        }
        if (poc && network.network == io.unibench.deploy.NetworkMode.lab) {
            return new TopologyDeploy(this).call();
        }
        if (plan != null) {
            throw new UsageException("--plan is for the topology: deploy poc --network lab");
        }
        List<Backend> backends = Backend.parseChoice(backend);
        if (remoteOptions.host != null) {
            // on a server the unikernels run through its libvirt (unibench spawns no QEMU there itself)
            List<Backend> onServer = new ArrayList<>();
            for (Backend b : backends) {
                if (b.onServer() == null) {
                    throw new UsageException("--host: the " + b + " backend runs on this host only (on a server: "
                            + "libvirt, docker)");
                }
                if (!onServer.contains(b.onServer())) {
                    onServer.add(b.onServer());
                }
            }
            backends = onServer;
        }
        if (count < 1 || count > 1000) {
            throw new UsageException("--count must be 1..1000 (got " + count + ")");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new UsageException("--timeout must be positive");
        }
        if (containerMemory != null && containerMemory < (6L << 20)) {
            throw new UsageException("--container-memory must be at least 6M (Docker's minimum)");
        }
        if (containerCpus != null && !(containerCpus > 0)) {
            throw new UsageException("--container-cpus must be positive");
        }
        // lab options (and the privileges lab mode needs) are checked before any manifest is read
        boolean labMode = network.validate() != null;
        ServiceCatalog catalog = ServiceCatalog.load();
        List<String> services = service.equals("poc") ? ServiceCatalog.POC : List.of(service);
        List<ServiceSpec> specs = new ArrayList<>();
        for (String s : services) {
            ServiceSpec sp = catalog.get(s);
            if (sp.isForwarder()) {
                throw new UsageException(s + " serves nothing alone: it forwards inside the study's topology "
                        + "(unibench deploy poc --network lab)");
            }
            specs.add(sp);
        }
        DeployOptions opts = new DeployOptions(services, backends, count, timeout, BackendOptions.defaults()
                .with(qemuOptions.options()).with(remote)
                .with(new DockerOptions(containerMemory, containerCpus, Duration.ofSeconds(2), false)));

        StateStore state = StateStore.open();
        if (labMode) {
            // a backend that cannot join a lab is bad input before the lab is even created
            Deployments probe = Deployments.create(state, catalog, opts.backendOptions(), new Deployments.Listener() {
            });
            for (Backend b : opts.backends()) {
                Deployments.requireLabSupport(probe.deployer(b));
            }
        }
        if (InsideLab.labName() == null) {
            network.checkRoom(state, opts.backends().size() * specs.size() * opts.count());
        }
        Lab lab = network.ensureLab(state);
        if (lab != null && !InsideLab.inside(lab)) {
            return NetworkOptions.reexecInside(lab, spec);
        }
        PrintWriter err = spec.commandLine().getErr();
        Deployments d = Deployments.create(state, catalog, opts.backendOptions(),
                new DeployProgress(err, json));
        if (lab != null) {
            d.inLab(lab);
        }
        d.warmUp(opts.backends());
        List<Deployments.Request> requests = new ArrayList<>();
        for (Backend b : opts.backends()) {
            for (ServiceSpec s : specs) {
                for (int n = 0; n < opts.count(); n++) {
                    requests.add(new Deployments.Request(s, b));
                }
            }
        }
        long t0 = System.nanoTime();
        List<Instance> out = d.deploy(requests, opts.readyTimeout());
        long wallNanos = System.nanoTime() - t0;
        if (poc) {
            // after the deploy, so that a failure stays one line
            err.println("note: --network forward deploys DNS and web on " + (remote.remote() ? "the server's" : "127.0.0.1")
                    + " ports; the study's topology (client, firewall, router, DMZ) needs --network lab");
            err.flush();
        }
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            InstanceViews.printJson(o, InstanceViews.deployDocument(out, wallNanos, d.state()));
        } else {
            InstanceViews.printDeployTable(o, out);
            o.printf("%d instance%s ready in %.2f s (state: %s)%n", out.size(), out.size() == 1 ? "" : "s",
                    wallNanos / 1e9, d.state().dir());
        }
        o.flush();
        return Main.EXIT_OK;
    }
}
