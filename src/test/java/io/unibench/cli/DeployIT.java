package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.curl;
import static io.unibench.cli.DeployItSupport.dig;
import static io.unibench.cli.DeployItSupport.ourContainers;
import static io.unibench.cli.DeployItSupport.ourQemus;
import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.Instance;
import io.unibench.deploy.PortAllocator;
import io.unibench.deploy.PortInUseException;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.docker.DockerDeployer;
import io.unibench.deploy.docker.DockerOptions;
import io.unibench.deploy.qemu.QemuKvmDeployer;
import io.unibench.deploy.qemu.QemuOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** unibench deploy/status/destroy against the real QEMU and the real Docker daemon, in-process. */
class DeployIT {
    @RegisterExtension
    final DeployItSupport.Dirs dirs = new DeployItSupport.Dirs("unibench-deploy-it",
            () -> System.clearProperty(PortAllocator.RANGE_PROPERTY));

    @BeforeAll
    static void images() {
        DeployItSupport.requireTools();
        DeployItSupport.buildImages();
    }

    @Test
    void pocOnBothBackendsAnswersThroughThePrintedEndpointsAndDestroyLeavesNothing() throws IOException {
        DeployItSupport.Run deploy = unibench("deploy", "poc", "--network", "forward", "--backend", "both", "--json");
        assertThat(deploy.exit()).as(deploy.err()).isZero();
        JsonNode instances = deploy.json().get("instances");
        assertThat(instances).hasSize(4);
        List<String> seen = new ArrayList<>();
        for (JsonNode i : instances) {
            String address = i.get("endpoints").get(0).get("address").asText();
            seen.add(i.get("backend").asText() + "/" + i.get("service").asText());
            assertThat(address).startsWith("127.0.0.1:");
            assertThat(i.get("state").asText()).isEqualTo("running");
            assertThat(i.get("timing").get("ready_ns").asLong()).isPositive();
            if (i.get("service").asText().equals("dns")) {
                assertThat(dig(address)).as("dig through " + address).isEqualTo("10.0.0.5");
            } else {
                DeployItSupport.Proc c = curl(address);
                assertThat(c.out()).as("curl through " + address).contains("unibench").endsWith("200");
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("qemu/dns", "qemu/web", "docker/dns", "docker/web");
        assertThat(ourContainers(dirs.state())).hasSize(2);
        assertThat(ourQemus(dirs.state())).hasSize(2);

        DeployItSupport.Run status = unibench("status", "--json");
        assertThat(status.exit()).as(status.err()).isZero();
        for (JsonNode i : status.json().get("instances")) {
            assertThat(i.get("healthy").asBoolean()).as(i.toString()).isTrue();
            assertThat(i.get("memory_bytes").asLong()).as(i.toString()).isPositive();
        }

        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(destroy.out()).contains("qemu-dns-1", "qemu-web-1", "docker-dns-1", "docker-web-1");
        assertThat(ourContainers(dirs.state())).isEmpty();
        assertThat(ourQemus(dirs.state())).isEmpty();
        assertThat(unibench("status", "--json").json().get("instances")).isEmpty();
    }

    @Test
    void destroyAllSparesAnUnrelatedContainerAndQemu() throws Exception {
        String name = "unrelated-" + ThreadLocalRandom.current().nextInt(1_000_000);
        // same image (it even carries a unibench.service label from its Dockerfile), but not deployed by us
        DeployItSupport.Proc c = run(List.of("docker", "run", "-d", "--name", name, "unibench/dns:" + io.unibench.deploy.ServiceSpec.ContainerSpec.defaultTag(), "--port",
                "53"), 60);
        assertThat(c.exit()).as(c.out()).isZero();
        Process qemu = new ProcessBuilder("qemu-system-x86_64", "-M", "none", "-nodefaults", "-display", "none", "-S")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(unibench("deploy", "dns", "--backend", "both").exit()).isZero();
            DeployItSupport.Run destroy = unibench("destroy", "--all");
            assertThat(destroy.exit()).as(destroy.err()).isZero();
            assertThat(ourContainers(dirs.state())).isEmpty();
            assertThat(ourQemus(dirs.state())).isEmpty();
            assertThat(qemu.isAlive()).as("unrelated QEMU survives").isTrue();
            assertThat(run(List.of("docker", "inspect", "-f", "{{.State.Running}}", name), 30).out().strip())
                    .as("unrelated container survives").isEqualTo("true");
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor(5, TimeUnit.SECONDS);
            run(List.of("docker", "rm", "-f", name), 30);
        }
    }

    @Test
    void aTakenPortIsSkipped() throws IOException {
        int base = 30000 + ThreadLocalRandom.current().nextInt(2000);
        while (!PortAllocator.isFree(base)) {
            base++;
        }
        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), base);
        try (DatagramChannel udp = DatagramChannel.open().bind(a);
             ServerSocketChannel tcp = ServerSocketChannel.open().bind(a)) {
            System.setProperty(PortAllocator.RANGE_PROPERTY, base + "-" + (base + 100));
            DeployItSupport.Run deploy = unibench("deploy", "dns", "--backend", "both", "--json");
            assertThat(deploy.exit()).as(deploy.err()).isZero();
            for (JsonNode i : deploy.json().get("instances")) {
                int port = i.get("endpoints").get(0).get("port").asInt();
                assertThat(port).isNotEqualTo(base).isBetween(base + 1, base + 100);
                assertThat(dig("127.0.0.1:" + port)).isEqualTo("10.0.0.5");
            }
        }
    }

    /**
     * The allocator never hands out a taken port, so a collision only happens in a race with a program
     * binding it between the check and QEMU/docker-proxy binding it; both backends must recognise their
     * own "address in use" failure so the deploy retries on another port.
     */
    @Test
    void bothBackendsRecogniseAPortTakenUnderTheirFeet() throws Exception {
        int port = 32000 + ThreadLocalRandom.current().nextInt(700);
        while (!PortAllocator.isFree(port)) {
            port++;
        }
        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        StateStore store = StateStore.open(dirs.state());
        ServiceCatalog catalog = ServiceCatalog.load();
        ServiceSpec dns = catalog.get("dns");
        List<Deployer> deployers = List.of(
                new QemuKvmDeployer(store, catalog,
                        QemuOptions.defaults(), w -> { }),
                new DockerDeployer(store, DockerOptions.defaults()));
        try (DatagramChannel udp = DatagramChannel.open().bind(a)) {
            for (Deployer d : deployers) {
                Instance rec = Instance.starting(d.backend() + "-dns-1",
                        d.backend(), "dns", List.of(new Endpoint("dns", "udp", "127.0.0.1", port, 53)),
                        store.owner(), Map.of());
                store.put(rec);
                PortInUseException taken = null;
                Deployer.Start s = null;
                try {
                    s = d.start(dns, rec);
                    store.put(s.instance());
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (System.nanoTime() < deadline && s.failure() == null) {
                        Thread.sleep(5);
                    }
                } catch (PortInUseException e) {
                    taken = e;
                } finally {
                    if (s != null) {
                        s.close();
                    }
                    d.destroy(store.get(rec.id()).orElse(rec));
                    store.remove(rec.id());
                }
                assertThat(taken).as(d.backend() + " reports the taken port").isNotNull();
                assertThat(taken.port()).isEqualTo(port);
            }
        }
        assertThat(ourContainers(dirs.state())).isEmpty();
        assertThat(ourQemus(dirs.state())).isEmpty();
    }

    @Test
    void badInputIsAUsageErrorAndStartsNothing() throws IOException {
        DeployItSupport.Run r = unibench("deploy", "nosuch", "--backend", "qemu");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown service 'nosuch'").contains("dns");
        r = unibench("deploy", "dns", "--backend", "vmware");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown backend 'vmware'");
        r = unibench("destroy", "qemu-dns-42");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no instance qemu-dns-42");
        assertThat(ourContainers(dirs.state())).isEmpty();
        assertThat(ourQemus(dirs.state())).isEmpty();
    }
}
