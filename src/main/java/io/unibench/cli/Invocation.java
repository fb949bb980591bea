package io.unibench.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** The command line of this invocation, as recorded in run.json to reproduce a run. */
final class Invocation {
    private Invocation() {
    }

    /** {@code unibench} followed by every argument as the user typed it (subcommand names included). */
    static List<String> commandLine(CommandSpec spec) {
        List<String> line = new ArrayList<>(List.of("unibench"));
        line.addAll(spec.commandLine().getParseResult().originalArgs());
        return line;
    }
}
