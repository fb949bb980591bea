package io.unibench.results;

/**
 * The version of every JSON document unibench writes (run.json, summary.json, the {@code --json} output
 * of each command), in the {@code schema_version} key. Bump it when a key is removed or changes meaning;
 * adding keys keeps it. The JSON Schemas are in the jar under {@code /schema/} and in {@code docs/schema/}.
 */
public final class Schema {
    public static final int VERSION = 1;
    public static final String KEY = "schema_version";

    private Schema() {
    }
}
