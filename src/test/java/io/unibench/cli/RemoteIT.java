package io.unibench.cli;

import static io.unibench.cli.DeployItSupport.curl;
import static io.unibench.cli.DeployItSupport.dig;
import static io.unibench.cli.DeployItSupport.ourContainers;
import static io.unibench.cli.DeployItSupport.run;
import static io.unibench.cli.DeployItSupport.unibench;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.unibench.deploy.ServiceCatalog;
import io.unibench.deploy.ServiceSpec;
import io.unibench.deploy.libvirt.DomainXml;
import io.unibench.results.BootCsv;
import io.unibench.results.RunMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two hosts on one machine, loopback only: the libvirt backend through the local libvirtd (qemu:///system) and
 * through libvirt's own remote transport (qemu+ssh://root@127.0.0.1), Docker through an SSH tunnel
 * (ssh://root@127.0.0.1), all against the real sshd and libvirtd that scripts/test.sh starts on 127.0.0.1
 * (scripts/lib/host.sh: ensure_loopback_sshd, ensure_libvirtd). Also: destroy --all spares a foreign libvirt
 * domain and a foreign container, bad remotes fail in one line with nothing left, and bench boot --cold runs
 * through libvirt, with the client-server round trip in run.json for a server.
 */
class RemoteIT {
    private static final String SSH_DIR = env("UNIBENCH_TEST_SSH_DIR", "/var/lib/unibench-test-sshd");
    private static final String SSH_PORT = env("UNIBENCH_TEST_SSH_PORT", "2222");
    private static final String KEY = env("UNIBENCH_TEST_SSH_KEY", SSH_DIR + "/client_ed25519");
    private static final String KNOWN_HOSTS = env("UNIBENCH_TEST_SSH_KNOWN_HOSTS", SSH_DIR + "/known_hosts");
    private static final String SERVER = "ssh://root@127.0.0.1:" + SSH_PORT;
    private static final String QEMU_SSH = "qemu+ssh://root@127.0.0.1:" + SSH_PORT + "/system?keyfile=" + KEY
            + "&no_verify=1";

    private final List<String> foreign = new ArrayList<>();
    private final List<Path> foreignFiles = new ArrayList<>();
    @RegisterExtension
    final DeployItSupport.Dirs dirs = new DeployItSupport.Dirs("unibench-remote-it", this::destroyLeftovers);

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    @BeforeAll
    static void prerequisites() {
        DeployItSupport.requireTools();
        assertThat(Files.isReadable(Path.of(KEY))).as("the loopback sshd's client key " + KEY + " (scripts/lib/host.sh "
                + "ensure_loopback_sshd makes it)").isTrue();
        DeployItSupport.Proc ssh = run(List.of("ssh", "-p", SSH_PORT, "-i", KEY, "-o", "BatchMode=yes", "-o",
                "UserKnownHostsFile=" + KNOWN_HOSTS, "root@127.0.0.1", "true"), 30);
        assertThat(ssh.exit()).as("sshd on 127.0.0.1:" + SSH_PORT + " (ensure_loopback_sshd): " + ssh.out()).isZero();
        DeployItSupport.Proc virsh = run(List.of("virsh", "-c", "qemu:///system", "version"), 60);
        assertThat(virsh.exit()).as("libvirtd must run (ensure_libvirtd): " + virsh.out()).isZero();
        DeployItSupport.buildImages();
    }

    /** After unibench's own teardown: this test's domains, then the foreign domains and containers it made. */
    private void destroyLeftovers() {
        for (String d : ourDomains()) {
            run(List.of("virsh", "-c", "qemu:///system", "destroy", d), 60);
        }
        for (String f : foreign) {
            run(List.of("virsh", "-c", "qemu:///system", "destroy", f), 60);
            run(List.of("docker", "rm", "-f", f), 60);
        }
        for (Path f : foreignFiles) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // a copy under /tmp: left for the system's cleaner
            }
        }
    }

    /** Running domains whose unibench metadata names this test's state directory as owner. */
    private List<String> ourDomains() {
        List<String> out = new ArrayList<>();
        DeployItSupport.Proc list = run(List.of("virsh", "-c", "qemu:///system", "list", "--name"), 60);
        for (String name : list.out().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            DeployItSupport.Proc meta = run(List.of("virsh", "-c", "qemu:///system", "metadata", name,
                    DomainXml.NAMESPACE), 60);
            if (meta.exit() == 0 && meta.out().contains(">" + dirs.state() + "/unibench<")
                    || meta.out().contains(">" + dirs.state() + "<")) {
                out.add(name);
            }
        }
        return out;
    }

    private static void answers(JsonNode instance) {
        String address = instance.get("endpoints").get(0).get("address").asText();
        assertThat(address).startsWith("127.0.0.1:");
        if (instance.get("service").asText().equals("dns")) {
            assertThat(dig(address)).as("dig through " + address).isEqualTo("10.0.0.5");
        } else {
            assertThat(curl(address).out()).as("curl through " + address).contains("unibench").endsWith("200");
        }
    }

    @Test
    void libvirtLocallyAndOverQemuSshDeploysAnswersAndDestroyLeavesNothing() {
        DeployItSupport.Run local = unibench("deploy", "poc", "--backend", "libvirt", "--json");
        assertThat(local.exit()).as(local.err()).isZero();
        for (JsonNode i : local.json().get("instances")) {
            assertThat(i.get("backend").asText()).isEqualTo("libvirt");
            assertThat(i.get("host").asText()).isEqualTo("localhost");
            assertThat(i.get("details").get("libvirt_uri").asText()).isEqualTo("qemu:///system");
            assertThat(i.get("details").get("image").asText()).startsWith("/var/lib/libvirt/unibench/");
            answers(i);
        }
        DeployItSupport.Run remote = unibench("deploy", "dns", "--backend", "libvirt", "--libvirt-uri", QEMU_SSH,
                "--json");
        assertThat(remote.exit()).as(remote.err()).isZero();
        JsonNode r = remote.json().get("instances").get(0);
        assertThat(r.get("host").asText()).as("the server it lives on").isEqualTo("127.0.0.1");
        assertThat(r.get("details").get("libvirt_uri").asText()).startsWith("qemu+ssh://root@127.0.0.1:");
        answers(r);
        assertThat(ourDomains()).hasSize(3);

        DeployItSupport.Run status = unibench("status", "--json");
        assertThat(status.exit()).as(status.err()).isZero();
        for (JsonNode i : status.json().get("instances")) {
            assertThat(i.get("healthy").asBoolean()).as(i.toString()).isTrue();
            assertThat(i.get("memory_bytes").asLong()).as(i.toString()).isPositive();
        }
        // without any remote option: each instance is found through the URI its record names
        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(destroy.out()).contains("libvirt-dns-1", "libvirt-web-1", "libvirt-dns-2", "on 127.0.0.1");
        assertThat(ourDomains()).isEmpty();
        assertThat(Files.exists(dirs.state().resolve("unibench/logs/libvirt-dns-2.console.log"))
                || Files.exists(dirs.state().resolve("logs/libvirt-dns-2.console.log")))
                .as("the remote console was copied back before the domain went").isTrue();
    }

    @Test
    void dockerOverSshDeploysAnswersAndDestroyLeavesNothing() {
        DeployItSupport.Run d = unibench("deploy", "poc", "--backend", "docker", "--docker-host", SERVER, "--ssh-key",
                KEY, "--ssh-known-hosts", KNOWN_HOSTS, "--json");
        assertThat(d.exit()).as(d.err()).isZero();
        for (JsonNode i : d.json().get("instances")) {
            assertThat(i.get("host").asText()).isEqualTo("127.0.0.1");
            assertThat(i.get("details").get("docker_endpoint").asText()).isEqualTo(SERVER);
            answers(i);
        }
        assertThat(ourContainers(dirs.state())).hasSize(2);
        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(destroy.out()).contains("docker-dns-1", "docker-web-1", "stopped and removed");
        assertThat(ourContainers(dirs.state())).isEmpty();
    }

    /** A domain tagged as unibench's but by another owner, and a labelled container of another owner, survive. */
    @Test
    void destroyAllSparesAForeignDomainAndAForeignContainer() throws IOException {
        String tag = "unibench-remote-it-foreign-" + ThreadLocalRandom.current().nextInt(1_000_000);
        foreign.add(tag);
        ServiceSpec dns = ServiceCatalog.load().get("dns");
        // A copy directly under /tmp: the checkout may sit below a 0700 directory (a mktemp clone) that libvirt's
        // QEMU user cannot traverse. The deployer itself uploads a storage volume and does not depend on this.
        Path kernel = Files.createTempFile("unibench-remote-it-foreign", ".elf");
        foreignFiles.add(kernel);
        Files.copy(ServiceCatalog.load().unikernelImage(dns), kernel, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(kernel, PosixFilePermissions.fromString("rw-r--r--"));
        Path xml = dirs.results().resolve("foreign.xml");
        Files.writeString(xml, "<domain type='kvm'><name>" + tag + "</name><metadata>"
                + DomainXml.metadata("libvirt-dns-1", "/somebody/else", "dns", "elsewhere")
                + "</metadata><memory unit='MiB'>8</memory><os><type arch='x86_64' machine='microvm'>hvm</type>"
                + "<kernel>" + kernel + "</kernel></os><devices><controller type='usb' model='none'/>"
                + "<memballoon model='none'/></devices></domain>");
        DeployItSupport.Proc created = run(List.of("virsh", "-c", "qemu:///system", "create", xml.toString()), 120);
        assertThat(created.exit()).as(created.out()).isZero();
        DeployItSupport.Proc c = run(List.of("docker", "create", "--name", tag, "--label", "unibench.managed=true",
                "--label", "unibench.owner=/somebody/else", "--label", "unibench.id=docker-dns-1",
                "unibench/dns:" + ServiceSpec.ContainerSpec.defaultTag()), 60);
        assertThat(c.exit()).as(c.out()).isZero();

        DeployItSupport.Run d = unibench("deploy", "dns", "--backend", "libvirt,docker");
        assertThat(d.exit()).as(d.err()).isZero();
        DeployItSupport.Run destroy = unibench("destroy", "--all");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(destroy.out()).contains("libvirt-dns-1", "docker-dns-1");
        assertThat(run(List.of("virsh", "-c", "qemu:///system", "domstate", tag), 60).out().strip())
                .as("the foreign domain still runs").isEqualTo("running");
        assertThat(run(List.of("docker", "inspect", "-f", "{{.Name}}", tag), 60).exit())
                .as("the foreign container is still there").isZero();
        assertThat(ourDomains()).isEmpty();
        assertThat(ourContainers(dirs.state())).isEmpty();
    }

    @Test
    void badRemotesFailInOneLineAndLeaveNothing() throws IOException {
        DeployItSupport.Run scheme = unibench("deploy", "dns", "--backend", "libvirt", "--libvirt-uri", "xen:///system");
        assertThat(scheme.exit()).isEqualTo(2);
        assertThat(scheme.err().strip()).contains("unknown libvirt URI scheme 'xen'").doesNotContain("\n");
        DeployItSupport.Run host = unibench("deploy", "dns", "--host", "http://127.0.0.1");
        assertThat(host.exit()).isEqualTo(2);

        DeployItSupport.Run unreachable = unibench("deploy", "dns", "--backend", "libvirt", "--libvirt-uri",
                "qemu+ssh://root@127.0.0.1:1/system?keyfile=" + KEY + "&no_verify=1");
        assertThat(unreachable.exit()).as(unreachable.err()).isEqualTo(1);
        assertThat(unreachable.err().strip()).contains("127.0.0.1", "not reachable").doesNotContain("\n");

        Path stranger = dirs.results().resolve("stranger");
        assertThat(run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString()), 30).exit())
                .isZero();
        DeployItSupport.Run refused = unibench("deploy", "dns", "--backend", "docker", "--docker-host", SERVER,
                "--ssh-key", stranger.toString(), "--ssh-known-hosts", KNOWN_HOSTS);
        assertThat(refused.exit()).as(refused.err()).isEqualTo(1);
        assertThat(refused.err().strip()).contains(SERVER, "refused the key").doesNotContain("\n");
        DeployItSupport.Run refusedLibvirt = unibench("deploy", "dns", "--host", SERVER, "--ssh-key",
                stranger.toString(), "--ssh-known-hosts", KNOWN_HOSTS, "--backend", "libvirt");
        assertThat(refusedLibvirt.exit()).as(refusedLibvirt.err()).isEqualTo(1);
        assertThat(refusedLibvirt.err().strip()).contains("127.0.0.1").doesNotContain("\n");

        assertThat(unibench("status", "--json").json().get("instances")).as("nothing recorded").isEmpty();
        assertThat(ourDomains()).isEmpty();
    }

    @Test
    void coldBootsThroughLibvirtLocallyAndOverSshWithTheRoundTrip() throws IOException {
        Path out = dirs.results().resolve("cold-libvirt");
        DeployItSupport.Run r = unibench("bench", "boot", "--backend", "libvirt", "--cold", "5", "--quiet",
                "--output", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(out.resolve(BootCsv.SUMMARY.file()));
        assertThat(lines.get(1)).as("5 cold boots, none failed").startsWith("cold,libvirt,dns,1,5,0,");
        JsonNode run = RunMetadata.read(out);
        JsonNode lv = run.path("backends").path("libvirt");
        assertThat(lv.path("domain_type").asText()).isNotEmpty();
        assertThat(lv.path("restart").asText()).contains("virDomainCreateXML");
        assertThat(lv.path("client_server_rtt_ms").isMissingNode()).as("no round trip to this host").isTrue();

        Path overSsh = dirs.results().resolve("cold-libvirt-ssh");
        DeployItSupport.Run s = unibench("bench", "boot", "--backend", "libvirt", "--cold", "2", "--quiet",
                "--libvirt-uri", QEMU_SSH, "--output", overSsh.toString());
        assertThat(s.exit()).as(s.err()).isZero();
        JsonNode remote = RunMetadata.read(overSsh).path("backends").path("libvirt");
        assertThat(remote.path("client_server_rtt_ms").asDouble()).as(remote.toString()).isPositive();
        assertThat(remote.path("server").asText()).isEqualTo("127.0.0.1");
        assertThat(ourDomains()).isEmpty();
    }
}
