package io.unibench.deploy.lab;

import io.unibench.UnibenchException;
import io.unibench.deploy.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs work inside a lab's network namespace. A JVM cannot move its own sockets into another namespace,
 * so anything that has to talk to lab addresses (readiness probes, load generators) runs in a JVM started
 * inside the namespace: this same unibench, re-executed with {@code nsenter --net=/run/netns/NS} (only the
 * network namespace changes; mounts, cgroups and the state directory stay the same), marked by the
 * environment variable {@value #ENV}. Tools ({@code lab exec}) run the same way.
 */
public final class InsideLab {
    /** Set to the lab's name in a process unibench started inside that lab. */
    public static final String ENV = "UNIBENCH_INSIDE_LAB";
    /** Properties handed to the re-executed JVM (tests set some of them at run time). */
    private static final List<String> PROPERTIES = List.of("unibench.home", StateStore.DIR_PROPERTY,
            "unibench.image.tag", "unibench.ports", Cni.PATH_PROPERTY);

    private InsideLab() {
    }

    /** The lab this process was started in by {@link #run}, or null when none. */
    public static String labName() {
        String v = System.getenv(ENV);
        return v == null || v.isBlank() ? null : v;
    }

    /** True when this process's network namespace is {@code lab}'s. */
    public static boolean inside(Lab lab) {
        try {
            Object mine = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
            Object theirs = Files.getAttribute(Ip.namespacePath(lab.namespace()), "unix:ino");
            return mine.equals(theirs);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** How work gets into the lab, for run.json. */
    public static String how(Lab lab) {
        return "the JVM re-executed inside network namespace " + lab.namespace() + " with "
                + (lab.resolver() != null ? "ip netns exec (resolver " + lab.resolver() + ")"
                : "nsenter --net=" + Ip.namespacePath(lab.namespace()));
    }

    /**
     * {@code nsenter --net=/run/netns/NS -- argv...}; for a lab with a resolver (a topology's client side),
     * {@code ip netns exec NS argv...}, which also binds the lab's {@code /etc/netns/NS/resolv.conf} over
     * {@code /etc/resolv.conf}, so names resolve through the lab's DNS server.
     */
    public static List<String> command(Lab lab, List<String> argv) {
        if (lab.resolver() != null) {
            return Ip.inNamespace(lab.namespace(), argv);
        }
        List<String> c = new ArrayList<>(List.of("nsenter", "--net=" + Ip.namespacePath(lab.namespace()), "--"));
        c.addAll(argv);
        return c;
    }

    /** The command line of this unibench (same JVM, options and class path) with {@code args}. */
    public static List<String> unibenchCommand(List<String> args) {
        List<String> c = new ArrayList<>();
        c.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp")) {
                c.add(a);
            }
        }
        for (String p : PROPERTIES) {
            String v = System.getProperty(p);
            if (v != null) {
                c.add("-D" + p + "=" + v);
            }
        }
        // under the test harness the class path lives in this property; a normal run has it in java.class.path
        c.add("-cp");
        c.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        c.add("io.unibench.cli.Main");
        c.addAll(args);
        return c;
    }

    /**
     * Runs unibench with {@code args} inside {@code lab} and returns its exit code. Its output goes to
     * {@code out}/{@code err} (or, with {@code inheritIO}, straight to this process's terminal). Ctrl-C
     * reaches both processes; if this one is stopped otherwise, the child is asked to stop (SIGTERM: its
     * own teardown runs) and waited for.
     */
    public static int runUnibench(Lab lab, List<String> args, PrintWriter out, PrintWriter err, boolean inheritIO) {
        return run(lab, unibenchCommand(args), out, err, inheritIO);
    }

    /** Runs {@code argv} inside {@code lab}; see {@link #runUnibench}. */
    public static int run(Lab lab, List<String> argv, PrintWriter out, PrintWriter err, boolean inheritIO) {
        if (!Ip.namespaceExists(lab.namespace())) {
            throw new UnibenchException("lab " + lab.name() + " has no namespace (" + lab.namespace()
                    + " is gone); destroy it and create it again");
        }
        ProcessBuilder pb = new ProcessBuilder(command(lab, argv));
        pb.environment().put(ENV, lab.name());
        if (inheritIO) {
            pb.inheritIO();
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UnibenchException("cannot run nsenter (util-linux): " + e.getMessage(), e);
        }
        Thread hook = new Thread(() -> {
            if (p.isAlive()) {
                p.destroy();
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "unibench-lab-child");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Thread o = null;
            Thread e = null;
            if (!inheritIO) {
                o = copy(p.getInputStream(), out, "out");
                e = copy(p.getErrorStream(), err, "err");
            }
            int code = p.waitFor();
            if (o != null) {
                o.join();
                e.join();
            }
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new UnibenchException("interrupted");
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    private static Thread copy(InputStream in, PrintWriter to, String name) {
        Thread t = new Thread(() -> {
            try (Reader r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buf = new char[8192];
                int n;
                while ((n = r.read(buf)) > 0) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the child went away
            }
        }, "unibench-lab-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

}
