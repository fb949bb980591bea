package io.unibench.cli;

import io.unibench.UnibenchException;

/** Commands whose implementation has not landed say so and exit 1; they never pretend. */
final class NotBuiltYet {
    private NotBuiltYet() {
    }

    static UnibenchException of(String command, int issue) {
        return new UnibenchException("'" + command + "' is not built yet (tracked in issue " + issue + ")");
    }
}
