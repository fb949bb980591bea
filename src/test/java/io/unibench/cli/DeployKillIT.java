package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.ourContainers;
import static io.unibench.cli.DeployItSupport.ourQemus;
import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.deploy.StateStore;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** unibench as a separate JVM, killed (SIGKILL) or interrupted (SIGINT) in the middle of a deploy. */
class DeployKillIT {
    @RegisterExtension
    final DeployItSupport.Dirs dirs = new DeployItSupport.Dirs("unibench-deploy-kill-it");

    @BeforeAll
    static void images() {
        DeployItSupport.requireTools();
        DeployItSupport.buildImages();
    }

    /** Starts 'unibench ARGS' in its own JVM with this test's state directory, output to unibench.out. */
    private Process spawn(Map<String, String> env, String... args) throws IOException {
        return spawn(dirs.state().resolve("unibench.out"), env, args);
    }

    private Process spawn(Path output, Map<String, String> env, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "-Dunibench.home=" + System.getProperty("unibench.home", "."),
                "-D" + StateStore.DIR_PROPERTY + "=" + dirs.state(), "io.unibench.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private int recorded() throws IOException {
        try (Stream<Path> s = Files.list(dirs.state().resolve("instances"))) {
            return (int) s.filter(p -> p.toString().endsWith(".json")).count();
        }
    }

    private void waitForRecords(Process p, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (recorded() < n) {
            assertThat(p.isAlive()).as("unibench ended before recording " + n + " instances: "
                    + Files.readString(dirs.state().resolve("unibench.out"))).isTrue();
            assertThat(System.nanoTime() < deadline).as("no " + n + " records within 60 s").isTrue();
            Thread.sleep(2);
        }
    }

    @Test
    void sigkillMidDeployLeavesOrphansThatStatusShowsAndDestroyRemoves() throws Exception {
        Process p = spawn(Map.of(), "deploy", "dns", "--backend", "both", "--count", "3");
        try {
            // three QEMU guests up (or booting), the first container being recorded/created: kill now
            waitForRecords(p, 4);
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook runs
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(p.exitValue()).isEqualTo(137);
        Thread.sleep(300); // a container create call in flight when we killed may still complete
        assertThat(ourQemus(dirs.state())).as("orphaned QEMU guests").isNotEmpty();

        DeployItSupport.Run status = unibench("status", "--json");
        assertThat(status.exit()).as(status.err()).isZero();
        JsonNode instances = status.json().get("instances");
        assertThat(instances.size()).isGreaterThanOrEqualTo(3);
        long running = 0;
        for (JsonNode i : instances) {
            running += i.get("state").asText().equals("running") ? 1 : 0;
        }
        assertThat(running).as(instances.toString()).isGreaterThanOrEqualTo(2);

        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(ourQemus(dirs.state())).isEmpty();
        assertThat(ourContainers(dirs.state())).isEmpty();
        assertThat(unibench("status", "--json").json().get("instances")).isEmpty();
    }

    @Test
    void ctrlCMidDeployTearsDownWhatItStarted() throws Exception {
        Process p = spawn(Map.of(), "deploy", "dns", "--backend", "both", "--count", "3");
        try {
            waitForRecords(p, 2);
            run(List.of("kill", "-INT", Long.toString(p.pid())), 10);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("unibench exits after Ctrl-C").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).isEqualTo(130);
        assertThat(ourQemus(dirs.state())).isEmpty();
        assertThat(ourContainers(dirs.state())).isEmpty();
        try (Stream<Path> s = Files.list(dirs.state().resolve("instances"))) {
            assertThat(s.toList()).as("no records left").isEmpty();
        }
    }

    @Test
    void twoUnibenchProcessesDeployingAtOnceNeverShareAnIdOrAPort() throws Exception {
        Path outA = dirs.state().resolve("a.out");
        Path outB = dirs.state().resolve("b.out");
        Process a = spawn(outA, Map.of(), "deploy", "dns", "--backend", "both", "--count", "2", "--json");
        Process b = spawn(outB, Map.of(), "deploy", "dns", "--backend", "both", "--count", "2", "--json");
        try {
            assertThat(a.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(b.waitFor(120, TimeUnit.SECONDS)).isTrue();
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
        assertThat(a.exitValue()).as(Files.readString(outA)).isZero();
        assertThat(b.exitValue()).as(Files.readString(outB)).isZero();
        DeployItSupport.Run status = unibench("status", "--json");
        JsonNode instances = status.json().get("instances");
        assertThat(instances).hasSize(8);
        java.util.Set<String> ids = new java.util.HashSet<>();
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (JsonNode i : instances) {
            ids.add(i.get("id").asText());
            ports.add(i.get("endpoints").get(0).get("port").asInt());
            assertThat(i.get("healthy").asBoolean()).as(i.toString()).isTrue();
        }
        assertThat(ids).hasSize(8);
        assertThat(ports).hasSize(8);
    }

    @Test
    void unreachableDockerDaemonIsOneClearLineAndNothingStarts() throws Exception {
        Process p = spawn(Map.of("DOCKER_HOST", "unix://" + dirs.state().resolve("no-docker.sock")), "deploy", "poc",
                "--network", "forward");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dirs.state().resolve("unibench.out"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out.strip().lines().toList()).as(out).hasSize(1);
        assertThat(out).contains("Docker daemon not reachable").contains("dockerd");
        assertThat(ourQemus(dirs.state())).isEmpty();
        assertThat(new File(dirs.state().resolve("instances").toString()).list()).isEmpty();
    }
}
