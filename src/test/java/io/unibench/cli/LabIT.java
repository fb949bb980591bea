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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lab networking on real namespaces, bridges, taps, QEMU, Docker and CNI. Every packet of these tests
 * stays inside namespaces unibench or the test created: the lab is only ever addressed through
 * {@code unibench lab exec} and {@code bench --lab}.
 */
class LabIT {
    private Path state;
    private final List<String> foreignNamespaces = new ArrayList<>();

    @BeforeAll
    static void images() {
        DeployItSupport.requireTools();
        for (String tool : List.of("ip", "nsenter", "nft", "setpriv")) {
            assertThat(io.unibench.util.Processes.onPath(tool)).as(tool + " is needed by the lab tests").isTrue();
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
            // destroy --all removes the labs too; then a safety net for namespaces this test owns
            DeployItSupport.Run r = unibench("destroy", "--all");
            for (String ns : List.of(Lab.namespaceFor(StateStore.open(state).owner(), "default"),
                    Lab.namespaceFor(StateStore.open(state).owner(), "two"))) {
                if (Ip.namespaceExists(ns)) {
                    run(List.of("ip", "netns", "delete", ns), 10);
                }
            }
            for (String ns : foreignNamespaces) {
                run(List.of("ip", "netns", "delete", ns), 10);
            }
            assertThat(r.exit()).as(r.err()).isZero();
        } finally {
            DeployItSupport.tearDown(state);
        }
    }

    /** What the host's default namespace looks like, minus Docker's default bridge (other users' containers). */
    static String hostSnapshot() {
        Set<String> dockerPorts = run(List.of("ip", "-br", "link", "show", "master", "docker0"), 10).out().lines()
                .map(l -> l.split("[\\s@]+")[0]).filter(s -> !s.isBlank()).collect(Collectors.toSet());
        StringBuilder b = new StringBuilder();
        for (List<String> cmd : List.of(List.of("ip", "-br", "link"), List.of("ip", "-4", "route"),
                List.of("ip", "-6", "route"), List.of("nft", "list", "ruleset"))) {
            DeployItSupport.Proc p = run(cmd, 20);
            assertThat(p.exit()).as(cmd + ": " + p.out()).isZero();
            b.append("## ").append(String.join(" ", cmd)).append('\n');
            for (String line : p.out().split("\n")) {
                String name = line.strip().split("[\\s@]+")[0];
                // dockerd adds and removes veths, routes and rules for other users' forward-mode containers on
                // docker0; lab containers run with --network none and never touch it
                // a veth pair with both ends still here (vethX@vethY) is dockerd creating another user's
                // container before it moves one end; lab veths are created inside lab namespaces only
                if (name.matches("veth[0-9a-f]+") && line.strip().matches("veth[0-9a-f]+@veth[0-9a-f]+\\s.*")) {
                    continue;
                }
                if (line.contains("docker0") || dockerPorts.contains(name) || line.contains("172.17.")
                        || name.matches("veth[0-9a-f]{7}")
                        || dockerPorts.stream().anyMatch(d -> line.contains("dev " + d + " "))) {
                    continue;
                }
                b.append(line.replaceAll("packets \\d+ bytes \\d+", "")).append('\n');
            }
        }
        return b.toString();
    }

    private static DeployItSupport.Run exec(String... command) {
        List<String> args = new ArrayList<>(List.of("lab", "exec", "--"));
        args.addAll(List.of(command));
        return unibench(args.toArray(String[]::new));
    }

    @Test
    void everyBackendAnswersOnItsLabAddressAndTheHostNamespaceStaysUntouched() throws Exception {
        String before = hostSnapshot();
        // dns and web one by one: 'deploy poc --network lab' is the study's topology (TopologyIT)
        DeployItSupport.Run d = unibench("deploy", "dns", "--backend", "qemu,docker,gvisor,native", "--network", "lab", "--json");
        assertThat(d.exit()).as(d.err()).isZero();
        String gatewayMac = bridgeMac(Lab.namespaceFor(state.toString(), "default"));
        DeployItSupport.Run w = unibench("deploy", "web", "--backend", "qemu,docker,gvisor,native", "--network", "lab", "--json");
        assertThat(w.exit()).as(w.err()).isZero();
        // the gateway keeps its MAC while ports join (a bridge takes its lowest port's MAC unless one is set):
        // instances that cached it must still reach the lab side
        assertThat(bridgeMac(Lab.namespaceFor(state.toString(), "default"))).isEqualTo(gatewayMac);
        assertThat(d.json().get("instances").size() + w.json().get("instances").size()).isEqualTo(8);

        DeployItSupport.Run st = unibench("status", "--json");
        assertThat(st.exit()).as(st.err()).isZero();
        String ns = Lab.namespaceFor(state.toString(), "default");
        Set<String> addresses = new java.util.HashSet<>();
        for (JsonNode i : st.json().get("instances")) {
            JsonNode lab = i.get("lab");
            assertThat(lab.get("lab").asText()).isEqualTo("default");
            assertThat(lab.get("namespace").asText()).isEqualTo(ns);
            assertThat(lab.get("path").asText()).isEqualTo(i.get("backend").asText().equals("qemu") ? "tap+bridge"
                    : "veth+bridge");
            assertThat(i.get("healthy").asBoolean()).as(i.toString()).isTrue();
            String addr = lab.get("address").asText();
            addresses.add(addr);
            assertThat(i.get("endpoints").get(0).get("host").asText()).isEqualTo(addr);
            if (i.get("service").asText().equals("dns")) {
                DeployItSupport.Run dig = exec("dig", "+short", "+tries=3", "+time=1", "@" + addr, "www.cetic.be", "A");
                assertThat(dig.exit()).as(dig.err()).isZero();
                assertThat(dig.out().strip()).as(i.get("id").asText()).isEqualTo("10.0.0.5");
            } else {
                DeployItSupport.Run curl = exec("curl", "-s", "--max-time", "5", "-w", "\n%{http_code}",
                        "http://" + addr + "/");
                assertThat(curl.out()).as(i.get("id").asText()).contains("unibench").endsWith("200");
            }
        }
        // the study's plan: the first DNS on .100, the first web on .5, the rest from .101
        assertThat(addresses).containsExactlyInAnyOrder("10.0.0.100", "10.0.0.5", "10.0.0.101", "10.0.0.102",
                "10.0.0.103", "10.0.0.104", "10.0.0.105", "10.0.0.106");

        // load generators inside the lab, against the unikernel DNS and the container web server
        Path out = state.resolve("dns-run");
        DeployItSupport.Run dns = unibench("bench", "dns", "--lab", "default", "--target", "10.0.0.100", "--rate",
                "1k", "--duration", "2s", "--quiet", "--output", out.toString());
        assertThat(dns.exit()).as(dns.err()).isZero();
        JsonNode meta = DeployItSupport.JSON.readTree(out.resolve("run.json").toFile());
        assertThat(meta.at("/generator_network/namespace").asText()).isEqualTo(ns);
        assertThat(meta.at("/generator_network/how").asText()).contains("nsenter");
        List<String> steps = Files.readAllLines(out.resolve("steps.csv"));
        assertThat(steps).hasSize(2);
        Path httpOut = state.resolve("http-run");
        String web = addressOf(st.json(), "docker", "web");
        DeployItSupport.Run http = unibench("bench", "http", "--lab", "default", "--target", "http://" + web + "/",
                "--rate", "500", "--duration", "2s", "--connections", "10", "--quiet", "--output", httpOut.toString());
        assertThat(http.exit()).as(http.err()).isZero();
        java.util.Map<String, String> step = row(httpOut.resolve("steps.csv"));
        assertThat(step.get("completed")).as(step.toString()).isEqualTo(step.get("requests"));
        assertThat(step.get("errors_connect")).isEqualTo("0");

        // a lab address is never loaded from the host namespace
        DeployItSupport.Run refused = unibench("bench", "dns", "--target", "10.0.0.100", "--rate", "10", "--duration",
                "1s");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("add --lab default");

        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(destroy.out()).contains("deleted network namespace " + ns);
        assertThat(Ip.namespaceExists(ns)).isFalse();
        assertThat(Ip.namespaceExists(ns + "-native-dns-1")).as("native's own namespace").isFalse();
        assertThat(ourQemus(state)).isEmpty();
        assertThat(ourContainers(state)).isEmpty();
        assertThat(hostSnapshot()).isEqualTo(before);
    }

    /** The first data row of a CSV file, by column name. */
    private static java.util.Map<String, String> row(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] h = lines.get(0).split(",", -1);
        String[] v = lines.get(1).split(",", -1);
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < h.length; i++) {
            m.put(h[i], v[i]);
        }
        return m;
    }

    private static String addressOf(JsonNode status, String backend, String service) {
        for (JsonNode i : status.get("instances")) {
            if (i.get("backend").asText().equals(backend) && i.get("service").asText().equals(service)) {
                return i.get("lab").get("address").asText();
            }
        }
        throw new AssertionError("no " + backend + " " + service + " in " + status);
    }

    @Test
    void destroyRemovesOnlyWhatUnibenchCreatedAndTwoLabsLiveSideBySide() {
        // a foreign namespace with our naming style, holding a bridge and a tap named like ours
        String foreign = "ub-" + Long.toHexString(System.nanoTime() & 0xFFFFFF) + "-itforeign";
        foreignNamespaces.add(foreign);
        assertThat(run(List.of("ip", "netns", "add", foreign), 10).exit()).isZero();
        run(List.of("ip", "-n", foreign, "link", "add", "br-dmz", "type", "bridge"), 10);
        run(List.of("ip", "-n", foreign, "tuntap", "add", "dev", "tap-dns-1", "mode", "tap"), 10);
        // and one named exactly like the lab 'taken' would be, without our marker
        String taken = Lab.namespaceFor(state.toString(), "taken");
        foreignNamespaces.add(taken);
        assertThat(run(List.of("ip", "netns", "add", taken), 10).exit()).isZero();
        DeployItSupport.Run clash = unibench("lab", "create", "taken");
        assertThat(clash.exit()).isEqualTo(2);
        assertThat(clash.err()).contains("is not unibench's").contains("nothing touched");

        // two labs on the same subnet: each its own namespace, no clash
        DeployItSupport.Run one = unibench("deploy", "dns", "--backend", "docker", "--network", "lab");
        assertThat(one.exit()).as(one.err()).isZero();
        DeployItSupport.Run two = unibench("deploy", "dns", "--backend", "qemu", "--network", "lab", "--lab", "two");
        assertThat(two.exit()).as(two.err()).isZero();
        for (String lab : List.of("default", "two")) {
            DeployItSupport.Run dig = unibench("lab", "exec", lab, "--", "dig", "+short", "+tries=3", "+time=1",
                    "@10.0.0.100", "www.cetic.be", "A");
            assertThat(dig.out().strip()).as(lab + ": " + dig.err()).isEqualTo("10.0.0.5");
        }
        DeployItSupport.Run gone = unibench("lab", "destroy", "two");
        assertThat(gone.exit()).as(gone.err()).isZero();
        assertThat(Ip.namespaceExists(Lab.namespaceFor(state.toString(), "two"))).isFalse();
        DeployItSupport.Run still = unibench("lab", "exec", "--", "dig", "+short", "+tries=3", "+time=1", "@10.0.0.100",
                "www.cetic.be", "A");
        assertThat(still.out().strip()).as("lab default survives lab two").isEqualTo("10.0.0.5");

        assertThat(unibench("destroy", "--all").exit()).isZero();
        assertThat(Ip.namespaceExists(foreign)).isTrue();
        assertThat(Ip.links(foreign)).contains("br-dmz", "tap-dns-1");
        assertThat(Ip.namespaceExists(taken)).as("the foreign namespace with our lab's name").isTrue();
    }

    @Test
    void sigkillMidDeployLeavesWhatStatusShowsAndDestroyAllRemoves() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "-Dunibench.home=" + System.getProperty("unibench.home", "."),
                "-D" + StateStore.DIR_PROPERTY + "=" + state, "io.unibench.cli.Main", "deploy", "dns", "--backend",
                "both", "--count", "3", "--network", "lab"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(state.resolve("out").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records() < 4) {
                assertThat(p.isAlive()).as(Files.readString(state.resolve("out"))).isTrue();
                assertThat(System.nanoTime() < deadline).isTrue();
                Thread.sleep(2);
            }
        } finally {
            // SIGKILL both the command and the JVM it runs inside the lab: no shutdown hook runs
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        Thread.sleep(300);
        String ns = Lab.namespaceFor(state.toString(), "default");
        assertThat(Ip.namespaceExists(ns)).isTrue();
        DeployItSupport.Run status = unibench("status", "--json");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.json().get("instances").size()).isGreaterThanOrEqualTo(3);
        assertThat(unibench("lab", "list").out()).contains("default").contains(ns);

        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(ourQemus(state)).isEmpty();
        assertThat(ourContainers(state)).isEmpty();
        assertThat(Ip.namespaceExists(ns)).isFalse();
    }

    private int records() throws IOException {
        try (Stream<Path> s = Files.list(state.resolve("instances"))) {
            return (int) s.filter(f -> f.toString().endsWith(".json")).count();
        }
    }

    @Test
    void badInputIsExit2AndCreatesNothing() throws Exception {
        for (String[] args : List.of(new String[] {"deploy", "dns", "--network", "lab", "--subnet", "10.0.0.0/30"},
                new String[] {"deploy", "dns", "--network", "lab", "--subnet", "10.0.0.1/24"},
                new String[] {"deploy", "dns", "--network", "lab", "--subnet", "10.7.0.0/29", "--count", "6",
                    "--backend", "docker"},
                new String[] {"deploy", "dns", "--lab", "x"},
                new String[] {"lab", "create", "Bad_Name"})) {
            DeployItSupport.Run r = unibench(args);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        }
        assertThat(unibench("lab", "list").out()).contains("no labs");
        assertThat(Ip.namespaceExists(Lab.namespaceFor(state.toString(), "default"))).isFalse();

        // without root: one line naming --network forward, exit 2
        // (the fat jar, copied where that user can read it: the build's class path is root's)
        Path nobodyState = Files.createTempDirectory(Path.of("/tmp"), "ubit-nobody");
        try {
            Path jar = Path.of(System.getProperty("unibench.home", "."), "target", "unibench.jar");
            assertThat(jar).as("the fat jar is built before the integration tests (mvn verify)").exists();
            Files.copy(jar, nobodyState.resolve("unibench.jar"));
            run(List.of("chmod", "-R", "a+rwX", nobodyState.toString()), 5);
            String cp = nobodyState.resolve("unibench.jar").toString();
            DeployItSupport.Proc p = run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString(), "-cp", cp, "-Dunibench.home=" + System.getProperty("unibench.home", "."),
                    "-D" + StateStore.DIR_PROPERTY + "=" + nobodyState, "io.unibench.cli.Main", "deploy", "dns",
                    "--network", "lab"), 60);
            assertThat(p.exit()).as(p.out()).isEqualTo(2);
            assertThat(p.out().strip()).contains("lab networking needs root").contains("--network forward works without it");
            assertThat(p.out().strip().lines().count()).isEqualTo(1);
        } finally {
            DeployItSupport.deleteTree(nobodyState);
        }
    }

    @Test
    void coldBootsInALabIncludeTheirPlumbing() throws Exception {
        Path out = state.resolve("boot");
        DeployItSupport.Run r = unibench("bench", "boot", "--network", "lab", "--cold", "5", "--backend", "qemu,docker,gvisor,native",
                "--quiet", "--output", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> events = Files.readAllLines(out.resolve("boot-events.csv"));
        assertThat(events.get(0).split(",")).contains("plumbing_ms");
        assertThat(events).hasSize(21);
        for (String e : events.subList(1, events.size())) {
            String[] f = e.split(",", -1);
            assertThat(f[10]).as(e).isEqualTo("ready");
            assertThat(Double.parseDouble(f[11])).as("plumbing of " + e).isPositive()
                    .isLessThan(Double.parseDouble(f[9]));
        }
        JsonNode meta = DeployItSupport.JSON.readTree(out.resolve("run.json").toFile());
        assertThat(meta.at("/network/mode").asText()).isEqualTo("lab");
        assertThat(meta.at("/network/path/qemu").asText()).isEqualTo("tap+bridge");
        for (String b : List.of("docker", "gvisor", "native")) {
            assertThat(meta.at("/network/path/" + b).asText()).as(b).isEqualTo("veth+bridge");
        }
    }

    /** The MAC of the lab's default bridge, br-dmz. */
    private static String bridgeMac(String namespace) {
        DeployItSupport.Proc p = run(List.of("ip", "-n", namespace, "-br", "link", "show", "br-dmz"), 10);
        assertThat(p.exit()).as(p.out()).isZero();
        return p.out().strip().split("\\s+")[2];
    }
}
