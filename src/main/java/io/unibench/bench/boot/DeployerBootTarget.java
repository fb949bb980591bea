package io.unibench.bench.boot;

import io.unibench.UsageException;
import io.unibench.Units;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.docker.DockerDeployer;
import io.unibench.deploy.docker.DockerOptions;
import io.unibench.deploy.qemu.QemuKvmDeployer;
import io.unibench.deploy.qemu.QemuOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The boot benchmark's view of a real backend, through the deployers: instances are recorded in the
 * state store (so {@code unibench destroy} finds them if this process is killed), get host ports from the
 * shared allocator, and are started, killed and removed by the backend's {@link Deployer}.
 * <p>
 * Restart semantics: QEMU — the process is killed (SIGKILL) and a new one spawned with the same command
 * line (a new boot); Docker — the same container is killed (SIGKILL) and started again, as the study did,
 * or with {@code recreate} removed and a new one created and started.
 */
public final class DeployerBootTarget implements BootTarget {
    /** QEMU's own resident memory besides the guest's RAM (measured: RSS 36 MB with -m 8M, microvm, slirp). */
    public static final long QEMU_OVERHEAD_BYTES = 30L << 20;
    /**
     * One container's host memory: containerd-shim (~13 MB RSS), one docker-proxy per published port
     * (~3.5 MB), the static service (< 1 MB) and kernel objects (cgroup, netns, veth), measured here.
     */
    public static final long CONTAINER_BYTES = 24L << 20;

    private final Backend backend;
    private final Deployments deployments;
    private final Deployer deployer;
    private final ServiceCatalog catalog;
    private final ServiceSpec spec;
    private final boolean recreate;
    private final String machine;

    private DeployerBootTarget(Backend backend, Deployments deployments, ServiceCatalog catalog, ServiceSpec spec,
                               boolean recreate, String machine) {
        this.machine = machine;
        this.backend = backend;
        this.deployments = deployments;
        this.deployer = deployments.deployer(backend);
        this.catalog = catalog;
        this.spec = spec;
        this.recreate = recreate;
    }

    public static DeployerBootTarget open(Backend backend, StateStore state, ServiceCatalog catalog, ServiceSpec spec,
                                          QemuOptions qemu, boolean recreate, Consumer<String> warnings) {
        return open(backend, state, catalog, spec, qemu, recreate, warnings, null);
    }

    /** With {@code lab} set, every instance boots on the lab's bridge and each boot includes its plumbing. */
    public static DeployerBootTarget open(Backend backend, StateStore state, ServiceCatalog catalog, ServiceSpec spec,
                                          QemuOptions qemu, boolean recreate, Consumer<String> warnings,
                                          io.unibench.deploy.lab.Lab lab) {
        Deployments d = Deployments.create(state, catalog, qemu, DockerOptions.defaults(),
                new Deployments.Listener() {
                    @Override
                    public void warning(String message) {
                        warnings.accept(message);
                    }
                });
        if (lab != null) {
            d.inLab(lab);
        }
        return new DeployerBootTarget(backend, d, catalog, spec, recreate, qemu.machine());
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** An image that is not built is bad input (exit 2); a missing tool or daemon a runtime failure (exit 1). */
    @Override
    public void preflight() {
        if (backend == Backend.qemu && spec.unikernel() != null
                && !Files.isRegularFile(catalog.unikernelImage(spec))) {
            throw new UsageException("unikernel image " + catalog.unikernelImage(spec) + " is not built; run "
                    + "'unibench build'");
        }
        if (backend == Backend.docker && spec.container() != null
                && DockerDeployer.imageId(spec.container().imageRef()) == null) {
            throw new UsageException("container image " + spec.container().imageRef() + " is not built; run "
                    + "'unibench build'");
        }
        deployer.preflight(spec);
    }

    @Override
    public long memoryPerInstanceBytes() {
        if (backend == Backend.qemu) {
            String m = spec.unikernel() == null || spec.unikernel().memory() == null ? "8M" : spec.unikernel().memory();
            return Units.parseSize(m) + QEMU_OVERHEAD_BYTES;
        }
        return CONTAINER_BYTES;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (backend == Backend.qemu) {
            m.put("kill", "SIGKILL of the QEMU process (no grace)");
            m.put("restart", "a new QEMU process with the same image, ports and command line (a full boot)");
            Path image = catalog.unikernelImage(spec);
            m.put("image", image.toString());
            try {
                m.put("image_size_bytes", Files.size(image));
                m.put("image_sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(image))));
            } catch (IOException | NoSuchAlgorithmException e) {
                m.put("image_size_bytes", null);
            }
            m.put("memory", spec.unikernel().memory());
            if (deployer instanceof QemuKvmDeployer q) {
                m.put("accelerator", q.accelerator());
            }
            m.put("machine", machine);
            m.put("network", deployments.lab() == null ? "forward: QEMU user networking (slirp) hostfwd on 127.0.0.1"
                    : "lab " + deployments.lab().name() + ": a tap on " + deployments.lab().defaultSegment().bridge()
                    + " in " + deployments.lab().namespace() + ", created anew for every boot (plumbing_ms)");
        } else {
            m.put("kill", "docker kill: SIGKILL of the container's process (no grace)");
            m.put("restart", recreate ? "the killed container is removed and a new one created and started from "
                    + "the same image (--recreate)" : "docker start of the same container (as the 2018 study did)");
            m.put("image", spec.container().imageRef());
            m.put("image_id", DockerDeployer.imageId(spec.container().imageRef()));
            m.put("image_size_bytes", DockerDeployer.imageSize(spec.container().imageRef()));
            m.put("memory_limit", spec.container().memory());
            m.put("network", deployments.lab() == null ? "forward: docker-proxy on 127.0.0.1 published ports"
                    : "lab " + deployments.lab().name() + ": --network none, then a veth on "
                    + deployments.lab().defaultSegment().bridge() + " by CNI ADD (bridge plugin) at every boot "
                    + "(plumbing_ms)");
        }
        return m;
    }

    @Override
    public Deployer.Start launch() {
        return deployments.launch(spec, backend);
    }

    @Override
    public void kill(Instance instance) {
        deployer.kill(instance);
        if (recreate && backend == Backend.docker) {
            deployer.destroy(instance);
        }
    }

    @Override
    public Deployer.Start restart(Instance instance) {
        Deployer.Start s = recreate && backend == Backend.docker ? deployer.start(spec, instance)
                : deployer.restart(spec, instance);
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
