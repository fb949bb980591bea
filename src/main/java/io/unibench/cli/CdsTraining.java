package io.unibench.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Run once at build time under {@code -XX:ArchiveClassesAtExit} to record the classes short commands
 * load ({@code --help}, a subcommand's help, {@code status}, {@code --version}) in the jar's AppCDS
 * archive. Output is discarded; the state folder is a throw-away one given by the build.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) {
        for (String[] a : new String[][] {{"--help"}, {"--version"}, {"bench", "dns", "--help"}, {"status", "--no-probe"},
            {"compare", "--help"}}) {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(new StringWriter()));
            cl.execute(a);
        }
    }
}
