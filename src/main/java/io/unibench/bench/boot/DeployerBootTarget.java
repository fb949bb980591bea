package io.unibench.bench.boot;

import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.BackendOptions;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The boot benchmark's view of a real backend, through its deployer: instances are recorded in the
 * state store (so {@code unibench destroy} finds them if this process is killed), get host ports from the
 * shared allocator, and are started, killed and removed by the backend's {@link Deployer}.
 * <p>
 * Restart semantics are the backend's ({@link Deployer#restart}: a new QEMU process, the same container
 * started again...); with {@code recreate} the killed instance is removed and a new one started instead.
 * What they are is recorded in run.json ({@link Deployer#restartSemantics}).
 */
public final class DeployerBootTarget implements BootTarget {
    private final Backend backend;
    private final Deployments deployments;
    private final Deployer deployer;
    private final ServiceSpec spec;
    private final boolean recreate;
    private io.unibench.bench.CpuLayout.Boots cpus;

    private DeployerBootTarget(Backend backend, Deployments deployments, ServiceSpec spec, boolean recreate) {
        this.backend = backend;
        this.deployments = deployments;
        this.deployer = deployments.deployer(backend);
        this.spec = spec;
        this.recreate = recreate;
    }

    public static DeployerBootTarget open(Backend backend, StateStore state, ServiceCatalog catalog, ServiceSpec spec,
                                          BackendOptions options, boolean recreate, Consumer<String> warnings) {
        return open(backend, state, catalog, spec, options, recreate, warnings, null);
    }

    /** With {@code lab} set, every instance boots on the lab's bridge and each boot includes its plumbing. */
    public static DeployerBootTarget open(Backend backend, StateStore state, ServiceCatalog catalog, ServiceSpec spec,
                                          BackendOptions options, boolean recreate, Consumer<String> warnings,
                                          io.unibench.deploy.lab.Lab lab) {
        Deployments d = Deployments.create(state, catalog, options,
                new Deployments.Listener() {
                    @Override
                    public void warning(String message) {
                        warnings.accept(message);
                    }
                });
        if (lab != null) {
            d.inLab(lab);
        }
        return new DeployerBootTarget(backend, d, spec, recreate);
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** An image that is not built is bad input (exit 2); a missing tool or daemon a runtime failure (exit 1). */
    @Override
    public void preflight() {
        Deployer.Image image = deployer.image(spec);
        if (image.ref() != null && !image.built()) {
            throw new UsageException(image.kind() + " " + image.ref() + " is not built; run 'unibench build'");
        }
        deployer.preflight(spec);
    }

    @Override
    public long memoryPerInstanceBytes() {
        return deployer.hostMemoryPerInstanceBytes(spec);
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>(deployer.restartSemantics(recreate));
        m.putAll(deployer.facts(spec));
        io.unibench.deploy.lab.Lab lab = deployments.lab();
        if (lab != null) {
            m.put("network", "lab " + lab.name() + ": " + deployer.labPath() + " on " + lab.defaultSegment().bridge()
                    + " in " + lab.namespace() + ", attached anew at every boot (plumbing_ms)");
        }
        return m;
    }

    @Override
    public Map<io.unibench.results.Caveat, String> caveats() {
        return deployer.caveats(spec);
    }

    @Override
    public Map<String, String> tools() {
        return deployer.tools();
    }

    /** Every instance this target starts runs where {@code boots} (a --cpu-layout) says. */
    public DeployerBootTarget onCpus(io.unibench.bench.CpuLayout.Boots boots) {
        this.cpus = boots;
        return this;
    }

    @Override
    public Deployer.Start launch() {
        return cpus == null ? deployments.launch(spec, backend)
                : cpus.start(deployer, () -> deployments.launch(spec, backend));
    }

    @Override
    public void kill(Instance instance) {
        deployer.kill(instance);
        if (recreate) {
            deployer.destroy(instance);
        }
    }

    @Override
    public Deployer.Start restart(Instance instance) {
        java.util.function.Supplier<Deployer.Start> go = () -> recreate ? deployer.start(spec, instance)
                : deployer.restart(spec, instance);
        Deployer.Start s = cpus == null ? go.get() : cpus.start(deployer, go);
        deployments.state().locked(() -> deployments.state().put(s.instance()));
        return s;
    }

    /** Kills first (nothing here needs a graceful stop, and 140 graceful stops would take a while), then removes. */
    @Override
    public void remove(Instance instance) {
        Instance recorded = deployments.state().get(instance.id()).orElse(instance);
        deployer.kill(recorded);
        deployments.destroyOne(recorded);
    }

    @Override
    public List<String> consoleTail(Instance instance, int lines) {
        return deployer.consoleTail(instance, lines);
    }
}
