package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.curl;
import static io.unibench.cli.DeployItSupport.dig;
import static io.unibench.cli.DeployItSupport.ourContainers;
import static io.unibench.cli.DeployItSupport.ourNatives;
import static io.unibench.cli.DeployItSupport.ourQemus;
import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.Instance;
import io.unibench.deploy.PortAllocator;
import io.unibench.deploy.ProcFs;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.StateStore;
import io.unibench.results.BootCsv;
import io.unibench.results.RunMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backends added behind the seam, end to end on the real things: {@code native} (the static binary as a
 * host process) and {@code gvisor} (the container image under Docker's runsc runtime) deploy, answer dig and
 * curl, and are destroyed; destroy never touches a process running the same binary or a runsc container it
 * did not start; and one {@code bench boot --cold} run covers all four backends.
 */
class BackendsIT {
    @RegisterExtension
    final DeployItSupport.Dirs dirs = new DeployItSupport.Dirs("unibench-backends-it");

    @BeforeAll
    static void images() {
        DeployItSupport.requireTools();
        DeployItSupport.requireRunsc();
        DeployItSupport.buildImages();
    }

    private void assertNothingLeft() throws IOException {
        assertThat(ourQemus(dirs.state())).as("QEMU processes").isEmpty();
        assertThat(ourContainers(dirs.state())).as("containers").isEmpty();
        assertThat(ourNatives(dirs.state())).as("native processes").isEmpty();
    }

    @Test
    void nativeAndGvisorDeployAnswerDigAndCurlAndDestroyLeavesNothing() throws IOException {
        DeployItSupport.Run deploy = unibench("deploy", "poc", "--network", "forward", "--backend", "native,gvisor", "--json");
        assertThat(deploy.exit()).as(deploy.err()).isZero();
        List<String> seen = new ArrayList<>();
        for (JsonNode i : deploy.json().get("instances")) {
            String backend = i.get("backend").asText();
            seen.add(backend + "/" + i.get("service").asText());
            JsonNode eps = i.get("endpoints");
            String address = eps.get(0).get("address").asText();
            assertThat(address).startsWith("127.0.0.1:");
            if (i.get("service").asText().equals("dns")) {
                assertThat(dig(address)).as("dig through " + address).isEqualTo("10.0.0.5");
                String tcp = eps.get(1).get("address").asText();
                String[] hp = tcp.split(":");
                assertThat(run(List.of("dig", "+tcp", "+short", "+tries=3", "+time=1", "-p", hp[1], "@" + hp[0],
                        "www.cetic.be", "A"), 20).out().strip()).as("dig +tcp through " + tcp).isEqualTo("10.0.0.5");
                if (backend.equals("native")) {
                    assertThat(tcp).as("the binary serves UDP and TCP on one port").isEqualTo(address);
                }
            } else {
                assertThat(curl(address).out()).as("curl through " + address).contains("unibench").endsWith("200");
            }
            if (backend.equals("native")) {
                assertThat(i.get("pid").asLong()).isPositive();
                assertThat(i.get("details").get("start_ticks").asText()).isNotEmpty();
            } else {
                assertThat(i.get("container_id").asText()).isNotEmpty();
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("native/dns", "native/web", "gvisor/dns", "gvisor/web");
        assertThat(DeployItSupport.ourNativeInstances(dirs.state())).hasSize(2);
        assertThat(ourContainers(dirs.state())).hasSize(2);
        for (String c : ourContainers(dirs.state())) {
            assertThat(run(List.of("docker", "inspect", "-f", "{{.HostConfig.Runtime}}", c), 30).out().strip())
                    .as("gvisor containers run under runsc").isEqualTo("runsc");
        }

        DeployItSupport.Run status = unibench("status", "--json");
        assertThat(status.exit()).as(status.err()).isZero();
        for (JsonNode i : status.json().get("instances")) {
            assertThat(i.get("healthy").asBoolean()).as(i.toString()).isTrue();
            assertThat(i.get("memory_bytes").asLong()).as(i.toString()).isPositive();
        }

        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(destroy.out()).contains("native-dns-1", "native-web-1", "gvisor-dns-1", "gvisor-web-1");
        assertNothingLeft();
        assertThat(unibench("status", "--json").json().get("instances")).isEmpty();
    }

    /**
     * An unrelated dns-server (same binary, same kind of arguments) and an unrelated runsc container survive
     * destroy --all; so does the process when a record names its pid, start time and command line exactly
     * (only our environment marker is missing): the native backend never touches a process it did not start.
     */
    @Test
    void destroySparesAProcessOfTheSameBinaryAndAnUnrelatedRunscContainer() throws Exception {
        int port = 33000 + ThreadLocalRandom.current().nextInt(2000);
        while (!PortAllocator.isFree(port)) {
            port++;
        }
        Path binary = ServiceCatalog.load().homeDir().resolve("containers/dns/dns-server");
        List<String> argv = List.of(binary.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(port));
        Process unrelated = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String name = "unrelated-runsc-" + ThreadLocalRandom.current().nextInt(1_000_000);
        try {
            DeployItSupport.Proc c = run(List.of("docker", "run", "-d", "--runtime", "runsc", "--name", name,
                    "unibench/dns:" + ServiceSpec.ContainerSpec.defaultTag(), "--port", "53"), 60);
            assertThat(c.exit()).as(c.out()).isZero();
            assertThat(dig("127.0.0.1:" + port)).as("the unrelated dns-server answers").isEqualTo("10.0.0.5");

            // a record that names the unrelated process as exactly as a record can, short of our marker
            StateStore store = StateStore.open(dirs.state());
            Instance forged = Instance.starting("native-dns-9", Backend.fromId("native"), "dns",
                    List.of(new Endpoint("dns", "udp", "127.0.0.1", port, port)), store.owner(), Map.of())
                    .withPid(unrelated.pid()).withState(io.unibench.deploy.InstanceState.running)
                    .withDetail("argv", String.join("\0", argv))
                    .withDetail("start_ticks", Long.toString(ProcFs.startTicks(unrelated.pid())));
            store.put(forged);

            assertThat(unibench("deploy", "dns", "--backend", "native,gvisor").exit()).isZero();
            DeployItSupport.Run destroy = unibench("destroy", "--all");
            assertThat(destroy.exit()).as(destroy.err()).isZero();
            assertThat(destroy.out()).contains("native-dns-9: process " + unrelated.pid() + " already gone (or no "
                    + "longer ours)");
            assertNothingLeft();
            assertThat(unrelated.isAlive()).as("the unrelated dns-server survives").isTrue();
            assertThat(dig("127.0.0.1:" + port)).as("and still answers").isEqualTo("10.0.0.5");
            assertThat(run(List.of("docker", "inspect", "-f", "{{.State.Running}}", name), 30).out().strip())
                    .as("the unrelated runsc container survives").isEqualTo("true");
        } finally {
            unrelated.destroyForcibly();
            unrelated.waitFor(5, TimeUnit.SECONDS);
            run(List.of("docker", "rm", "-f", name), 60);
        }
    }

    /** bench boot --cold 10 on the four backends in one run: every boot answers, each backend described. */
    @Test
    void coldBootsOnAllFourBackendsInOneRun() throws IOException {
        Path out = dirs.results().resolve("cold-all");
        DeployItSupport.Run r = unibench("bench", "boot", "--backend", "qemu,docker,gvisor,native", "--cold", "10",
                "--quiet", "--output",
                out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(out.resolve(BootCsv.SUMMARY.file()));
        List<String> summary = lines.subList(1, lines.size());
        List<String> backends = List.of("qemu", "docker", "gvisor", "native");
        assertThat(summary).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(summary.get(i)).as("10 cold boots, none failed").startsWith("cold," + backends.get(i) + ",dns,1,10,0,");
        }
        JsonNode run = RunMetadata.read(out);
        assertThat(run.path("status").asText()).isEqualTo("complete");
        for (String b : backends) {
            assertThat(run.path("backends").path(b).path("restart").asText()).as(b).isNotEmpty();
            assertThat(run.path("backends").path(b).path("image_size_bytes").asLong()).as(b).isPositive();
        }
        assertThat(run.path("backends").path("qemu").path("accelerator").asText()).isNotEmpty();
        assertThat(run.path("backends").path("gvisor").path("runtime").asText()).isEqualTo("runsc");
        assertThat(run.path("backends").path("gvisor").path("platform").asText()).isEqualTo("ptrace");
        assertThat(run.path("backends").path("gvisor").path("network_mode").asText()).isEqualTo("host");
        assertThat(run.path("tools").path("runsc").asText()).contains("runsc");
        assertNothingLeft();
    }
}
