package io.unibench.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small helpers to run short external commands (version queries, make, git) with a time limit. */
public final class Processes {
    private Processes() {
    }

    /** Result of a finished command; exit -1 when it could not start or timed out. */
    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }

        public String firstLine() {
            String s = output.strip();
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl).strip();
        }
    }

    /** Runs a command with stdout and stderr merged, waiting at most {@code timeoutMillis}. */
    public static Result run(List<String> command, Path dir, long timeoutMillis) {
        return run(command, dir, timeoutMillis, null);
    }

    /**
     * Runs a command with stdout and stderr merged (kept in a temporary file, so a chatty or hanging
     * command can never block us), feeding {@code stdin} when not null, waiting at most
     * {@code timeoutMillis} before killing it.
     */
    public static Result run(List<String> command, Path dir, long timeoutMillis, String stdin) {
        java.io.File out;
        try {
            out = java.io.File.createTempFile("unibench-cmd", ".out");
        } catch (IOException e) {
            return new Result(-1, "cannot create a temporary file: " + e.getMessage());
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(out));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                return new Result(-1, "cannot start " + command.get(0) + ": " + e.getMessage());
            }
            try {
                if (stdin != null) {
                    try (var w = p.getOutputStream()) {
                        w.write(stdin.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException ignored) {
                        // the command exited before reading everything; its output says why
                    }
                }
                if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                    return new Result(-1, command.get(0) + " did not finish within " + timeoutMillis + " ms");
                }
                return new Result(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                return new Result(-1, String.valueOf(e.getMessage()));
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                return new Result(-1, "interrupted");
            }
        } finally {
            out.delete();
        }
    }

    public static Result run(String... command) {
        return run(List.of(command), null, 10_000);
    }

    /** First line of {@code command}'s output when it exits 0, else null. */
    public static String firstLineOrNull(String... command) {
        Result r = run(command);
        return r.ok() && !r.output().isBlank() ? r.firstLine() : null;
    }

    /** True when an executable of this name is on the PATH. */
    public static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(":")) {
            if (!d.isEmpty() && java.nio.file.Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }
}
