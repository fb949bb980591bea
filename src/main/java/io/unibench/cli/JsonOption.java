package io.unibench.cli;

import picocli.CommandLine.Option;

/** {@code --json}: one JSON document (with schema_version) on stdout instead of text. One spelling for all. */
final class JsonOption {
    @Option(names = "--json", description = "Print one JSON document on stdout (with schema_version) instead of text.")
    boolean json;

    boolean on() {
        return json;
    }
}
