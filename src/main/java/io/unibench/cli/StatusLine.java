package io.unibench.cli;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The one live progress line of every long command (ramps, boot, study): rewritten in place only when
 * <em>stderr</em> is a terminal (so {@code 2>log} gets plain lines, and a caller that captures stdout
 * still sees progress), cut to the terminal's width so it never wraps, and plain lines otherwise.
 * {@code NO_COLOR} (https://no-color.org) turns the warning colour off; {@code TERM=dumb} turns the live
 * line off.
 */
final class StatusLine {
    private static final String CLEAR = "\r\033[K";
    private final PrintWriter err;
    private final boolean quiet;
    private final boolean live;
    private final boolean color;
    private final int width;
    private boolean dirty;

    StatusLine(PrintWriter err, boolean quiet) {
        this(err, quiet, stderrIsTerminal() && !"dumb".equals(System.getenv("TERM")));
    }

    StatusLine(PrintWriter err, boolean quiet, boolean live) {
        this.err = err;
        this.quiet = quiet;
        this.live = live;
        String noColor = System.getenv("NO_COLOR");
        this.color = live && (noColor == null || noColor.isEmpty());
        this.width = live ? terminalWidth() : 0;
    }

    boolean live() {
        return live;
    }

    /** Rewrites the live line (nothing off a terminal or with --quiet). */
    synchronized void update(String text) {
        if (quiet || !live) {
            return;
        }
        err.print(CLEAR + fit(text, width));
        err.flush();
        dirty = true;
    }

    /** A line that stays (clears the live line first); nothing with --quiet. */
    synchronized void line(String text) {
        if (!quiet) {
            print(text);
        }
    }

    /** A warning: always printed, in yellow on a terminal unless NO_COLOR is set. */
    synchronized void warning(String message) {
        print(color ? "\033[33mwarning:\033[0m " + message : "warning: " + message);
    }

    /** Removes the live line (before something else writes to the terminal). */
    synchronized void clear() {
        if (dirty) {
            err.print(CLEAR);
            err.flush();
            dirty = false;
        }
    }

    private void print(String text) {
        clear();
        err.println(text);
        err.flush();
    }

    /** Cut to one character less than the width, so the cursor never wraps to a new line. */
    static String fit(String text, int width) {
        return width <= 1 || text.length() < width ? text : text.substring(0, width - 2) + "\u2026";
    }

    /** True when file descriptor 2 is a terminal (Linux: /proc/self/fd/2 points to a tty or pty). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.matches("/dev/tty[0-9]*");
        } catch (Exception notLinux) {
            return false;
        }
    }

    /** $COLUMNS, else what {@code stty size} says of the terminal, else 80. */
    static int terminalWidth() {
        try {
            String c = System.getenv("COLUMNS");
            if (c != null && c.matches("[1-9][0-9]*")) {
                return Integer.parseInt(c);
            }
            Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(500, TimeUnit.MILLISECONDS) && p.exitValue() == 0) {
                String[] f = new String(p.getInputStream().readAllBytes()).strip().split("\\s+");
                if (f.length == 2 && f[1].matches("[1-9][0-9]*")) {
                    return Integer.parseInt(f[1]);
                }
            } else {
                p.destroyForcibly();
            }
        } catch (Exception e) {
            // no terminal to ask
        }
        return 80;
    }
}
