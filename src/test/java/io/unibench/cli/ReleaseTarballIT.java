package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The release tarball that {@code ./mvnw package} builds, unpacked into an empty folder and used from
 * another one, as a user without a checkout would: no git, no make, no sources; build, deploy, bench,
 * report, destroy; completion and man pages in place.
 */
class ReleaseTarballIT {
    static Path install;
    static Path home;
    static Path work;
    static Path state;

    record Proc(int exit, String out, String err) {
    }

    @BeforeAll
    static void unpack() throws Exception {
        DeployItSupport.requireTools();
        Path target = Path.of("target").toAbsolutePath();
        Path tarball;
        try (Stream<Path> s = Files.list(target)) {
            tarball = s.filter(p -> p.getFileName().toString().matches("unibench-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/unibench-*.tar.gz: './mvnw package' builds it"));
        }
        install = Files.createTempDirectory(Path.of("/tmp"), "ubrel");
        work = Files.createTempDirectory(Path.of("/tmp"), "ubrelwork");
        state = Files.createTempDirectory(Path.of("/tmp"), "ubrelst");
        Proc tar = exec(install, List.of("tar", "xzf", tarball.toString()), 60);
        assertThat(tar.exit()).as(tar.err()).isZero();
        try (Stream<Path> s = Files.list(install)) {
            home = s.findFirst().orElseThrow();
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (home != null) {
            unibench(List.of("destroy", "--all"), 120);
        }
    }

    static Proc exec(Path dir, List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ubrel", ".out");
        Path err = Files.createTempFile("ubrel", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.put("XDG_STATE_HOME", state == null ? "/tmp" : state.toString());
        // a PATH without git or a checkout's scripts proves nothing at run time needs them
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
        }
        Proc r = new Proc(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    static Proc unibench(List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/unibench").toString()));
        cmd.addAll(args);
        return exec(work, cmd, timeoutSeconds);
    }

    @Test
    void holdsWhatARunNeedsAndNoSources() throws Exception {
        for (String f : List.of("bin/unibench", "lib/unibench.jar", "lib/unibench.classlist", "lib/jvm.options",
                "unikernels/services/dns.json", "unikernels/build/dns.elf", "unikernels/build/web.elf",
                "containers/dns/Dockerfile", "containers/dns/dns-server", "containers/web/web-server",
                "containers/firewall/firewall", "containers/router/router", "unikernels/services/firewall.rules",
                "share/bash-completion/completions/unibench", "share/zsh/site-functions/_unibench",
                "share/man/man1/unibench.1", "share/man/man1/unibench-compare.1", "share/man/man1/unibench-bench-dns.1",
                "share/doc/unibench/schema/run.schema.json")) {
            assertThat(home.resolve(f)).as(f).isRegularFile();
        }
        assertThat(home.resolve("src")).doesNotExist();
        assertThat(home.resolve("unikernels/Makefile")).doesNotExist();
        assertThat(home.resolve("containers/Makefile")).doesNotExist(); // else unibench build would run make
        assertThat(home.resolve("containers/posix")).doesNotExist();
        // completion: picocli's script registers the command and knows its subcommands, in bash
        Proc bash = exec(work, List.of("bash", "-c", "source " + home.resolve("share/bash-completion/completions/unibench")
                + " && complete -p unibench"), 30);
        assertThat(bash.exit()).as(bash.err()).isZero();
        assertThat(bash.out()).contains("unibench");
        assertThat(Files.readString(home.resolve("share/bash-completion/completions/unibench")))
                .contains("compare", "bench", "deploy", "--threshold");
        assertThat(Files.readString(home.resolve("share/man/man1/unibench-compare.1"))).startsWith("'\\\" t")
                .contains(".TH \"UNIBENCH\\-COMPARE\"", "\\-\\-threshold");
    }

    @Test
    void versionNamesTheBuiltCommitJavaAndPlatformWithoutGit() throws Exception {
        Proc v = unibench(List.of("--version"), 120);
        assertThat(v.exit()).as(v.err()).isZero();
        assertThat(v.out()).containsPattern("commit [0-9a-f]{40}").contains("java 17", "platform Linux");
        // the start-up archive was made once for this place and is used from then on
        assertThat(home.resolve("lib/unibench.jsa")).isRegularFile();
        assertThat(Files.readString(home.resolve("lib/unibench.jsa.for")).strip())
                .isEqualTo(home.resolve("lib/unibench.jar").toString());
        Proc again = unibench(List.of("--version"), 60);
        assertThat(again.err()).doesNotContain("start-up archive");
    }

    @Test
    void buildDeployBenchReportFromAnotherDirectory() throws Exception {
        Proc build = unibench(List.of("build"), 600);
        assertThat(build.exit()).as(build.out() + build.err()).isZero();
        assertThat(build.err() + build.out()).contains("prebuilt");

        Proc deploy = unibench(List.of("deploy", "dns", "--backend", "both", "--json"), 180);
        assertThat(deploy.exit()).as(deploy.err()).isZero();
        io.unibench.results.Schemas.assertValid("instances.schema.json", deploy.out());
        JsonNode doc = new ObjectMapper().readTree(deploy.out());
        String target = null;
        for (JsonNode i : doc.get("instances")) {
            if (i.get("backend").asText().equals("qemu")) {
                target = i.get("endpoints").get(0).get("address").asText();
            }
        }
        assertThat(target).as(deploy.out()).isNotNull();

        Proc bench = unibench(List.of("bench", "dns", "--target", target, "--rate", "200", "--duration", "2s",
                "--warmup", "500ms", "--label", "tarball", "-q"), 120);
        assertThat(bench.exit()).as(bench.err()).isZero();
        Path run = Path.of(bench.out().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(run).startsWith(work.resolve("results")).isDirectory(); // results/ in the current directory
        assertThat(run.resolve("steps.csv")).isRegularFile();
        io.unibench.results.Schemas.assertValid("run.schema.json", run.resolve("run.json"));
        String commit = new ObjectMapper().readTree(run.resolve("run.json").toFile()).path("unibench")
                .path("git_commit").asText();
        assertThat(commit).matches("[0-9a-f]{40}(-dirty)?");

        Proc report = unibench(List.of("report", run.toString()), 300);
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(Path.of(report.out().strip())).isRegularFile();
        assertThat(Files.readString(Path.of(report.out().strip()), StandardCharsets.UTF_8)).contains("<html");

        Proc destroy = unibench(List.of("destroy", "--all"), 120);
        assertThat(destroy.exit()).as(destroy.err()).isZero();
    }
}
