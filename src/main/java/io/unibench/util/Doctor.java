package io.unibench.util;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Host checks behind {@code unibench doctor}; also used by commands to fail early with a clear line.
 * Each check says which commands need it.
 */
public final class Doctor {
    /** What the user wants to run; a check fails the doctor only for the purposes that need it. */
    public enum Purpose { all, bench_dns, bench_http, deploy, build, boot, study, lab }

    /** One check; {@code neededBy} empty: informational (reported, never fails the doctor). */
    public record Check(String name, boolean ok, String detail, Set<Purpose> neededBy) {
    }

    private Doctor() {
    }

    /** What the study's pair of backends needs (deploy, boot and study default to it). */
    public static final Set<Purpose> RUNNING = Set.copyOf(EnumSet.of(Purpose.deploy, Purpose.boot, Purpose.study));

    /**
     * The checks of everything but the backends, which report their own prerequisites
     * ({@code Deployer#prerequisites}, after {@code java} in the table).
     */
    public static List<Check> host() {
        List<Check> checks = new ArrayList<>();
        checks.add(new Check("java", true, System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                EnumSet.allOf(Purpose.class)));
        return checks;
    }

    /** Build tools and optional load generators. */
    public static List<Check> tools() {
        List<Check> checks = new ArrayList<>();
        String gcc = Processes.firstLineOrNull("gcc", "--version");
        checks.add(new Check("gcc", gcc != null, gcc != null ? gcc : "gcc not found (apt-get install gcc make)",
                EnumSet.of(Purpose.build, Purpose.study)));
        String make = Processes.firstLineOrNull("make", "--version");
        checks.add(new Check("make", make != null, make != null ? make : "make not found (apt-get install make)",
                EnumSet.of(Purpose.build, Purpose.study)));
        Processes.Result dnsperf = Processes.run("dnsperf", "-h");
        boolean hasDnsperf = Processes.onPath("dnsperf");
        checks.add(new Check("dnsperf", hasDnsperf, hasDnsperf ? versionOf(dnsperf.output(), "dnsperf")
                : "not found (optional: --driver dnsperf; apt-get install dnsperf)", EnumSet.noneOf(Purpose.class)));
        checks.addAll(labChecks());
        boolean hasWrk = Processes.onPath("wrk");
        checks.add(new Check("wrk", hasWrk, hasWrk ? "present (optional, for cross-checks)"
                : "not found (optional; apt-get install wrk)", EnumSet.noneOf(Purpose.class)));
        return checks;
    }

    /** What {@code --network lab} needs: root, ip, nsenter, the CNI plugins (each naming its Debian package). */
    static List<Check> labChecks() {
        Set<Purpose> lab = EnumSet.of(Purpose.lab, Purpose.study); // the study runs in a lab by default
        List<Check> out = new ArrayList<>();
        String priv = null;
        try {
            io.unibench.deploy.lab.Labs.requirePrivileges();
        } catch (io.unibench.UsageException e) {
            priv = e.getMessage();
        }
        out.add(new Check("lab: privileges", priv == null, priv == null ? "CAP_NET_ADMIN and CAP_SYS_ADMIN (root)" : priv, lab));
        String ip = Processes.firstLineOrNull("ip", "-V");
        out.add(new Check("lab: ip", ip != null, ip != null ? ip : "not found (apt-get install iproute2)", lab));
        boolean nsenter = Processes.onPath("nsenter");
        out.add(new Check("lab: nsenter", nsenter, nsenter ? "present (util-linux)" : "not found (apt-get install util-linux)", lab));
        java.nio.file.Path cni = io.unibench.deploy.lab.Cni.pluginDir();
        out.add(new Check("lab: cni plugins", cni != null, cni != null ? "bridge + static in " + cni
                : "not found (apt-get install containernetworking-plugins)", lab));
        return out;
    }

    private static String versionOf(String output, String name) {
        for (String line : output.split("\n")) {
            if (line.toLowerCase().contains("version")) {
                return line.strip();
            }
        }
        return name + " present";
    }

    /** "API x.y, Docker z" when the daemon answers on its unix socket, else the reason. */
    public static String dockerVersion() {
        String host = System.getenv("DOCKER_HOST");
        Path sock = Path.of("/var/run/docker.sock");
        if (host != null && !host.isBlank()) {
            if (!host.startsWith("unix://")) {
                return "DOCKER_HOST=" + host + " (only checked for unix sockets)";
            }
            sock = Path.of(host.substring("unix://".length()));
        }
        if (!Files.exists(sock)) {
            return "not running (no " + sock + "; start it: 'systemctl start docker' or 'dockerd &')";
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(ByteBuffer.wrap("GET /version HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) > 0 && buf.hasRemaining()) {
                // read until the daemon closes (HTTP/1.0)
            }
            String body = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            String api = jsonField(body, "ApiVersion");
            String version = jsonField(body, "Version");
            return api == null ? "socket " + sock + " answered unexpectedly" : "API " + api + ", Docker " + version;
        } catch (IOException e) {
            return "not reachable on " + sock + " (" + e.getMessage() + "); start it: 'systemctl start docker' or 'dockerd &'";
        }
    }

    private static String jsonField(String body, String field) {
        int i = body.indexOf("\"" + field + "\":\"");
        if (i < 0) {
            return null;
        }
        int s = i + field.length() + 4;
        int e = body.indexOf('"', s);
        return e < 0 ? null : body.substring(s, e);
    }

    /** Whether KVM can really be used, and why not. */
    public record KvmStatus(boolean usable, String detail) {
    }

    /** KVM detection: /dev/kvm must open read-write and answer KVM_GET_API_VERSION (12). */
    public static final class Kvm {
        private static KvmStatus cached;

        private Kvm() {
        }

        public static synchronized KvmStatus probe() {
            if (cached == null) {
                cached = doProbe();
            }
            return cached;
        }

        private static KvmStatus doProbe() {
            Path dev = Path.of("/dev/kvm");
            if (!Files.exists(dev)) {
                return new KvmStatus(false, "/dev/kvm does not exist: QEMU will use TCG (slower, recorded in run.json)");
            }
            if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
                return new KvmStatus(false, "/dev/kvm is not readable and writable by this user (add it to group kvm); TCG will be used");
            }
            // Java cannot issue ioctl(KVM_GET_API_VERSION); QEMU does, and QMP's query-kvm reports the result
            Processes.Result r = Processes.run(List.of("qemu-system-x86_64", "-accel", "kvm", "-M", "none",
                    "-nodefaults", "-display", "none", "-S", "-qmp", "stdio"), null, 10_000,
                    "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"query-kvm\"}\n{\"execute\":\"quit\"}\n");
            if (r.exit() == -1 && r.output().startsWith("cannot start")) {
                return new KvmStatus(false, "cannot check /dev/kvm without qemu-system-x86_64");
            }
            if (!r.output().contains("\"enabled\": true")) {
                String why = r.output().lines().filter(l -> !l.startsWith("{")).findFirst().orElse(r.firstLine());
                return new KvmStatus(false, "KVM unusable (" + why.strip() + "); QEMU will use TCG");
            }
            return new KvmStatus(true, "/dev/kvm opens and QEMU initialises the KVM accelerator");
        }
    }
}
