package io.unibench.cli;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point. Exit codes: 0 success, 1 runtime failure (with the reason), 2 bad input (one line on
 * stderr, nothing started or written), 3 a --fail-on rule broken, 130 interrupted (partial results kept).
 */
public final class Main {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    /** A --fail-on rule was broken (the run itself finished and its results are kept). */
    public static final int EXIT_THRESHOLD = 3;
    public static final int EXIT_INTERRUPTED = 130;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    /** The command tree with unibench's error handling (tests use it to capture stdout and stderr). */
    public static CommandLine commandLine() {
        System.setProperty("unibench.backends", io.unibench.deploy.Backend.names());
        UnibenchCommand root = new UnibenchCommand();
        CommandLine cl = new CommandLine(root);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // help fills the terminal's width (picocli asks the terminal only when it prints help)
        cl.setUsageHelpAutoWidth(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(prefix(ex.getCommandLine()) + ": " + ex.getMessage()
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            boolean verbose = root.verbose;
            if (ex instanceof UsageException) {
                err.println(prefix(commandLine) + ": " + ex.getMessage());
                err.flush();
                return EXIT_USAGE;
            }
            if (ex instanceof UnibenchException) {
                err.println(prefix(commandLine) + ": error: " + ex.getMessage());
            } else {
                err.println(prefix(commandLine) + ": internal error: " + ex
                        + (verbose ? "" : " (run with --verbose for the stack trace)"));
            }
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return EXIT_FAILURE;
        });
        return cl;
    }

    private static String prefix(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName();
    }
}
