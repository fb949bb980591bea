package io.unibench.deploy.lab;

import io.unibench.UnibenchException;
import io.unibench.util.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The iproute2 commands a lab needs, and nothing else: add and delete a named network namespace, change
 * links inside it ({@code ip -n NS -batch -}, one process per change set), and run a program inside it
 * ({@code ip netns exec NS ...}). Every command is scoped to a lab namespace by construction: no method
 * here touches the host's default namespace.
 */
public final class Ip {
    /** Where iproute2 keeps named namespaces. */
    public static final Path NETNS_DIR = Path.of("/run/netns");
    private static final long TIMEOUT_MS = 15_000;
    private static final Pattern ALIAS = Pattern.compile("\\\\?\\s*alias (.*?)\\s*$");

    private Ip() {
    }

    public static boolean namespaceExists(String ns) {
        return Files.exists(NETNS_DIR.resolve(ns));
    }

    /** The namespace's file, e.g. {@code /run/netns/ub-1a2b3c-default} (for {@code nsenter --net=}). */
    public static Path namespacePath(String ns) {
        return NETNS_DIR.resolve(ns);
    }

    public static void addNamespace(String ns) {
        check(Processes.run(List.of("ip", "netns", "add", ns), null, TIMEOUT_MS), "ip netns add " + ns);
    }

    public static void deleteNamespace(String ns) {
        check(Processes.run(List.of("ip", "netns", "delete", ns), null, TIMEOUT_MS), "ip netns delete " + ns);
    }

    /**
     * Runs iproute2 commands (each without the leading {@code ip}, e.g. {@code link set lo up}) inside
     * {@code ns}, in one {@code ip -n NS -batch -} process; the first failing one fails them all.
     */
    public static void batch(String ns, List<String> commands) {
        Processes.Result r = Processes.run(List.of("ip", "-n", ns, "-batch", "-"), null, TIMEOUT_MS,
                String.join("\n", commands) + "\n");
        check(r, "ip -n " + ns + " -batch (" + String.join("; ", commands) + ")");
    }

    /** The argument vector that runs {@code argv} inside {@code ns}. */
    public static List<String> inNamespace(String ns, List<String> argv) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(argv);
        return c;
    }

    /** True when device {@code dev} exists in {@code ns}. */
    public static boolean linkExists(String ns, String dev) {
        return Processes.run(List.of("ip", "-n", ns, "link", "show", "dev", dev), null, TIMEOUT_MS).ok();
    }

    /** The alias of {@code dev} in {@code ns} (where unibench writes its marker), null when none or no such device. */
    public static String alias(String ns, String dev) {
        Processes.Result r = Processes.run(List.of("ip", "-n", ns, "-o", "link", "show", "dev", dev), null, TIMEOUT_MS);
        if (!r.ok()) {
            return null;
        }
        // -o joins the lines with '\': "... link/loopback ... brd ...\    alias TEXT"
        for (String part : r.output().strip().split("\\\\")) {
            Matcher m = ALIAS.matcher(part);
            if (m.find() && part.strip().startsWith("alias ")) {
                return m.group(1);
            }
        }
        return null;
    }

    /** Names of the devices in {@code ns} (for status and tests). */
    public static List<String> links(String ns) {
        Processes.Result r = Processes.run(List.of("ip", "-n", ns, "-br", "link"), null, TIMEOUT_MS);
        check(r, "ip -n " + ns + " -br link");
        List<String> out = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty()) {
                int at = name.indexOf('@');
                out.add(at > 0 ? name.substring(0, at) : name);
            }
        }
        return out;
    }

    private static void check(Processes.Result r, String what) {
        if (!r.ok()) {
            throw new UnibenchException(what + " failed: " + r.output().strip().replace('\n', ' '));
        }
    }
}
