package io.unibench.report;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code unibench report} was asked to do.
 *
 * @param inputs      result folders (runs, studies, or folders of runs), compared side by side
 * @param output      the report folder to create, or null for {@code <first input>/report} (or -2, -3, ...)
 * @param commandLine the report command as typed, shown in the report's "reproduce" section
 */
public record ReportOptions(List<Path> inputs, Path output, List<String> commandLine) {
    public ReportOptions {
        inputs = List.copyOf(inputs);
        commandLine = List.copyOf(commandLine);
    }
}
