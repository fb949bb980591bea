package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.ourContainers;
import static io.unibench.cli.DeployItSupport.ourQemus;
import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.lab.Ip;
import io.unibench.deploy.lab.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The study's topology ({@code deploy poc --network lab}) on both backends at once, on real namespaces,
 * bridges, taps, QEMU, Docker, CNI and nftables. Everything is asked from the client side of each lab
 * ({@code unibench lab exec poc-*}), through the firewall and the router; the host namespace is never used.
 */
class TopologyIT {
    private Path state;

    @BeforeAll
    static void images() {
        DeployItSupport.requireTools();
        for (String tool : List.of("ip", "nsenter", "nft", "traceroute", "ping")) {
            assertThat(io.unibench.util.Processes.onPath(tool)).as(tool + " is needed by the topology tests").isTrue();
        }
        assertThat(io.unibench.deploy.lab.Cni.pluginDir()).as("CNI plugins (containernetworking-plugins)").isNotNull();
        DeployItSupport.buildImages();
    }

    @BeforeEach
    void stateDir() throws IOException {
        state = DeployItSupport.freshStateDir();
    }

    @AfterEach
    void cleanUp() throws IOException {
        try {
            DeployItSupport.Run r = unibench("destroy", "--all");
            for (String lab : List.of("poc-qemu", "poc-docker")) {
                String ns = Lab.namespaceFor(StateStore.open(state).owner(), lab);
                if (Ip.namespaceExists(ns)) {
                    run(List.of("ip", "netns", "delete", ns), 10);
                }
            }
            assertThat(r.exit()).as(r.err()).isZero();
        } finally {
            DeployItSupport.tearDown(state);
        }
    }

    private static DeployItSupport.Run client(String lab, String... command) {
        List<String> args = new ArrayList<>(List.of("lab", "exec", lab, "--"));
        args.addAll(List.of(command));
        return unibench(args.toArray(String[]::new));
    }

    @Test
    void theChainWorksOnBothBackendsFromTheClient() throws Exception {
        String before = LabIT.hostSnapshot();
        DeployItSupport.Run d = unibench("deploy", "poc", "--backend", "both", "--json");
        assertThat(d.exit()).as(d.err()).isZero();
        JsonNode tops = d.json().get("topologies");
        assertThat(tops).hasSize(2);
        for (JsonNode t : tops) {
            assertThat(t.get("instances")).hasSize(4);
            assertThat(t.at("/topology/client").asText()).isEqualTo("192.168.100.100");
            assertThat(t.at("/topology/ready_ms").asDouble()).isPositive();
        }

        for (String backend : List.of("qemu", "docker")) {
            String lab = "poc-" + backend;
            String why = lab + ": ";
            // DNS through the chain, and by name with the lab's resolver (10.0.0.100)
            DeployItSupport.Run dig = client(lab, "dig", "+short", "+tries=3", "+time=1", "@10.0.0.100", "www.cetic.be");
            assertThat(dig.out().strip()).as(why + dig.err()).isEqualTo("10.0.0.5");
            DeployItSupport.Run curl = client(lab, "curl", "-s", "--max-time", "5", "-w", "\n%{http_code}",
                    "http://www.cetic.be/");
            assertThat(curl.out()).as(why + curl.err()).contains("unibench").endsWith("200");

            // ping is dropped by the firewall and logged, naming the client
            DeployItSupport.Run ping = client(lab, "ping", "-c", "3", "-i", "0.2", "-W", "1", "10.0.0.5");
            assertThat(ping.out()).as(why + ping.out()).contains("100% packet loss");
            String log = firewallLog(backend);
            assertThat(log).as(why + log).contains("unibench: firewall: dropped ping from 192.168.100.100");

            // TTL 1: time-exceeded from the firewall; traceroute shows both hops
            DeployItSupport.Run ttl = client(lab, "ping", "-c", "1", "-t", "1", "-W", "2", "10.0.0.5");
            assertThat(ttl.out()).as(why + ttl.out()).containsPattern("From 192\\.168\\.100\\.254.*(Time to live exceeded|Time exceeded)");
            DeployItSupport.Run tr = client(lab, "traceroute", "-n", "-T", "-p", "80", "-q", "1", "-w", "2", "-m", "5",
                    "10.0.0.5");
            assertThat(tr.out()).as(why + tr.out()).containsPattern("(?m)^ *1 +192\\.168\\.100\\.254 ")
                    .containsPattern("(?m)^ *2 +192\\.168\\.101\\.2 ").containsPattern("(?m)^ *3 +10\\.0\\.0\\.5 ");

            // UDP and TCP pass: the load generators from the client side, through the chain
            Path dnsOut = state.resolve("dns-" + backend);
            DeployItSupport.Run dns = unibench("bench", "dns", "--lab", lab, "--target", "10.0.0.100", "--rate", "500",
                    "--duration", "2s", "--quiet", "--output", dnsOut.toString());
            assertThat(dns.exit()).as(why + dns.err()).isZero();
            assertThat(Files.readString(dnsOut.resolve("run.json"))).contains("\"topology\"");
            Path httpOut = state.resolve("http-" + backend);
            DeployItSupport.Run http = unibench("bench", "http", "--lab", lab, "--target", "http://10.0.0.5/", "--rate",
                    "200", "--duration", "2s", "--connections", "5", "--quiet", "--output", httpOut.toString());
            assertThat(http.exit()).as(why + http.err()).isZero();
        }

        // a dead hop: stop the unikernel router; status names it, the DNS failure points at it
        DeployItSupport.Run st0 = unibench("status", "--json");
        long routerPid = -1;
        for (JsonNode i : st0.json().get("instances")) {
            assertThat(i.get("healthy").asBoolean()).as(i.toString()).isTrue();
            if (i.get("id").asText().equals("qemu-router-1")) {
                routerPid = i.get("pid").asLong();
            }
        }
        assertThat(routerPid).isPositive();
        ProcessHandle.of(routerPid).ifPresent(ProcessHandle::destroy);
        Thread.sleep(500);
        DeployItSupport.Run st = unibench("status", "--json");
        for (JsonNode i : st.json().get("instances")) {
            String id = i.get("id").asText();
            if (id.equals("qemu-router-1")) {
                assertThat(i.get("healthy").asBoolean()).isFalse();
                assertThat(i.get("health_detail").asText()).contains("hop 2");
            } else if (id.equals("qemu-dns-1")) {
                assertThat(i.get("healthy").asBoolean()).isFalse();
                assertThat(i.get("health_detail").asText()).contains("hop 2 (router 192.168.101.2)");
            } else if (id.startsWith("docker-")) {
                assertThat(i.get("healthy").asBoolean()).as(i.toString()).isTrue(); // the other topology is fine
            }
        }

        // destroy tears both down completely
        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        for (String lab : List.of("poc-qemu", "poc-docker")) {
            String ns = Lab.namespaceFor(state.toString(), lab);
            assertThat(Ip.namespaceExists(ns)).as(ns).isFalse();
            assertThat(Path.of("/etc/netns", ns)).doesNotExist();
        }
        assertThat(ourQemus(state)).isEmpty();
        assertThat(ourContainers(state)).isEmpty();
        assertThat(LabIT.hostSnapshot()).isEqualTo(before);
    }

    private String firewallLog(String backend) throws Exception {
        for (int i = 0; i < 20; i++) {
            String log = backend.equals("qemu")
                    ? Files.readString(state.resolve("logs/qemu-firewall-1.console.log"))
                    : run(List.of("docker", "logs", run(List.of("docker", "ps", "-q", "--filter", "label=unibench.owner="
                    + state, "--filter", "label=unibench.service=firewall"), 10).out().strip()), 10).out();
            if (log.contains("dropped ping")) {
                return log;
            }
            Thread.sleep(100);
        }
        return backend + ": no firewall log line";
    }

    @Test
    void badInputIsRefusedBeforeAnythingStarts() {
        for (String[] args : List.of(new String[] {"deploy", "poc", "--backend", "qemu+docker"},
                new String[] {"deploy", "poc", "--backend", "firewall=docker"},
                new String[] {"deploy", "poc", "--backend", "nosuch"},
                new String[] {"deploy", "poc", "--count", "2"},
                new String[] {"deploy", "poc", "--lab", "x"},
                new String[] {"deploy", "poc", "--plan", "ext=10.0.0.0/24"},
                new String[] {"deploy", "router", "--network", "lab"})) {
            DeployItSupport.Run r = unibench(args);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        }
        DeployItSupport.Run mixed = unibench("deploy", "poc", "--backend", "qemu+docker");
        assertThat(mixed.err()).contains("supported: qemu").contains("docker").contains("both");
        assertThat(Ip.namespaceExists(Lab.namespaceFor(state.toString(), "poc-qemu"))).isFalse();
        assertThat(state.resolve("labs")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(p).isEmptyDirectory());
    }
}
