package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.ourContainers;
import static io.unibench.cli.DeployItSupport.ourQemus;
import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults of a deploy, each one clear line, exit 1, nothing left behind: a guest that crashes while
 * booting, a service that never gives the expected answer, an image not built, a container that exits,
 * a failure after another instance of the same deploy was already up.
 */
class DeployFaultsIT {
    private static Path home;
    private static String realHome;
    private Path state;

    @BeforeAll
    static void manifests() throws IOException {
        DeployItSupport.requireTools();
        DeployItSupport.buildImages();
        realHome = System.getProperty("unibench.home");
        Path dnsElf = ServiceCatalog.home().resolve("unikernels/build/dns.elf");
        home = Files.createTempDirectory(Path.of("/tmp"), "ubhome");
        Path services = Files.createDirectories(home.resolve("unikernels/services"));
        Path crash = buildCrashKernel(home, "crash", List.of());
        Path int3 = buildCrashKernel(home, "int3", List.of("--defsym", "INT3=1"));
        String unikernel = "\"boot\": \"pvh\", \"machine\": \"microvm\", "
                + "\"machine_options\": \"x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off,ioapic2=off\", "
                + "\"memory\": \"8M\", \"vcpus\": 1, \"cmdline\": \"ip=10.0.2.15/24 gw=10.0.2.2\", "
                + "\"net_device\": \"virtio-net-device\", \"ready_line\": \"unibench: dns ready\"";
        String ports = "\"ports\": [{\"name\": \"dns\", \"protocol\": \"udp\", \"port\": 53}]";
        String probe = "\"probe\": {\"type\": \"dns\", \"name\": \"www.cetic.be\", \"qtype\": \"A\", \"expect\": \"%s\"}";
        String container = "\"container\": {\"image\": \"%s\", \"context\": \"containers/dns\", \"memory\": \"128M\", "
                + "\"cpus\": 1, \"args\": %s}";
        write(services.resolve("crash.json"), "{\"service\": \"crash\", " + ports + ", "
                + probe.formatted("10.0.0.5") + ", \"unikernel\": {\"image\": \"" + crash + "\", " + unikernel + "}}");
        write(services.resolve("int3.json"), "{\"service\": \"int3\", " + ports + ", "
                + probe.formatted("10.0.0.5") + ", \"unikernel\": {\"image\": \"" + int3 + "\", " + unikernel + "}}");
        write(services.resolve("wrong.json"), "{\"service\": \"wrong\", " + ports + ", "
                + probe.formatted("10.9.9.9") + ", \"unikernel\": {\"image\": \"" + dnsElf + "\", " + unikernel + "}}");
        write(services.resolve("unbuilt.json"), "{\"service\": \"unbuilt\", " + ports + ", "
                + probe.formatted("10.0.0.5") + ", \"unikernel\": {\"image\": \"unbuilt.elf\", " + unikernel + "}, "
                + container.formatted("unibench/unbuilt-" + ProcessHandle.current().pid(), "[]") + "}");
        write(services.resolve("exits.json"), "{\"service\": \"exits\", " + ports + ", "
                + probe.formatted("10.0.0.5") + ", \"unikernel\": {\"image\": \"" + dnsElf + "\", " + unikernel + "}, "
                + container.formatted("unibench/dns:" + io.unibench.deploy.ServiceSpec.ContainerSpec.defaultTag(), "[\"--no-such-option\"]") + "}");
        System.setProperty("unibench.home", home.toString());
    }

    private static Path buildCrashKernel(Path dir, String name, List<String> asFlags) throws IOException {
        Path src = dir.resolve("crash.S");
        if (!Files.exists(src)) {
            try (InputStream in = DeployFaultsIT.class.getResourceAsStream("/crash-kernel/crash.S")) {
                Files.copy(in, src);
            }
        }
        Path obj = dir.resolve(name + ".o");
        List<String> as = new java.util.ArrayList<>(List.of("as", "--32"));
        as.addAll(asFlags);
        as.addAll(List.of(src.toString(), "-o", obj.toString()));
        DeployItSupport.Proc asRun = run(as, 30);
        assertThat(asRun.exit()).as("as (binutils) builds the crash kernel: " + asRun.out()).isZero();
        Path elf = dir.resolve(name + ".elf");
        DeployItSupport.Proc ld = run(List.of("ld", "-m", "elf_i386", "-Ttext=0x100000", "-e", "start32", "-o",
                elf.toString(), obj.toString()), 30);
        assertThat(ld.exit()).as("ld links the crash kernel: " + ld.out()).isZero();
        return elf;
    }

    private static void write(Path p, String json) throws IOException {
        Files.writeString(p, json);
    }

    @AfterAll
    static void restoreHome() {
        if (realHome == null) {
            System.clearProperty("unibench.home");
        } else {
            System.setProperty("unibench.home", realHome);
        }
        DeployItSupport.deleteTree(home);
    }

    @BeforeEach
    void stateDir() throws IOException {
        state = DeployItSupport.freshStateDir();
    }

    @AfterEach
    void nothingLeft() throws IOException {
        try {
            assertThat(ourQemus(state)).as("no QEMU of ours left").isEmpty();
            assertThat(ourContainers(state)).as("no container of ours left").isEmpty();
            try (var s = Files.list(state.resolve("instances"))) {
                assertThat(s.toList()).as("no instance records left").isEmpty();
            }
        } finally {
            for (String c : ourContainers(state)) {
                run(List.of("docker", "rm", "-f", c), 30);
            }
            for (String q : ourQemus(state)) {
                ProcessHandle.of(Long.parseLong(q.split(" ")[0])).ifPresent(ProcessHandle::destroyForcibly);
            }
            System.clearProperty(StateStore.DIR_PROPERTY);
            DeployItSupport.deleteTree(state);
        }
    }

    private static String lastLine(String s) {
        List<String> lines = s.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Test
    void aGuestCrashingDuringBootIsReportedWithItsLastConsoleLines() {
        DeployItSupport.Run r = unibench("deploy", "crash", "--backend", "qemu", "--timeout", "20s");
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        String line = lastLine(r.err());
        assertThat(line).contains("qemu-crash-1 failed to start").contains("crash-kernel: booted, now faulting")
                .contains("qemu-crash-1.console.log");
        assertThat(state.resolve("logs/qemu-crash-1.console.log")).exists();
    }

    @Test
    void aGuestPausedByAnEmulationFailureCountsAsCrashed() {
        // under nested PVM KVM (this project's machines) QEMU stays alive with the guest paused
        DeployItSupport.Run r = unibench("deploy", "int3", "--backend", "qemu", "--timeout", "20s");
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(lastLine(r.err())).contains("qemu-int3-1 failed to start").contains("crash-kernel: booted")
                .doesNotContain("no correct answer");
    }

    @Test
    void noCorrectAnswerTimesOutNamingTheInstanceAndItsLog() {
        long t0 = System.nanoTime();
        DeployItSupport.Run r = unibench("deploy", "wrong", "--backend", "qemu", "--timeout", "2s");
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(15);
        assertThat(lastLine(r.err())).contains("qemu-wrong-1 failed to start").contains("within 2s")
                .contains("lacks 10.9.9.9").contains("unibench: dns ready").contains("log: ");
    }

    @Test
    void imagesNotBuiltSayWhichBuildToRun() {
        DeployItSupport.Run r = unibench("deploy", "unbuilt", "--backend", "qemu");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).contains("is not built; run 'unibench build unikernels'").doesNotContain("\n");
        r = unibench("deploy", "unbuilt", "--backend", "docker");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).contains("is not built; run 'unibench build containers'").doesNotContain("\n");
    }

    @Test
    void aFailureTearsDownWhatTheSameDeployAlreadyStarted() throws IOException {
        // the QEMU instance comes up first; the container then exits at once (bad option): both must go
        DeployItSupport.Run r = unibench("deploy", "exits", "--backend", "both", "--timeout", "10s");
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("qemu-exits-1 answers after");
        assertThat(lastLine(r.err())).contains("docker-exits-1 failed to start").contains("exit code 2")
                .contains("unknown option");
        assertThat(state.resolve("logs/docker-exits-1.console.log")).exists();
    }
}
