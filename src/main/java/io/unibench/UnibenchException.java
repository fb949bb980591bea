package io.unibench;

/**
 * A runtime failure with a reason a user can act on (daemon not reachable, image not built, guest
 * crashed...). Reported as one line on stderr with exit code 1; the stack trace only with --verbose.
 */
public class UnibenchException extends RuntimeException {
    public UnibenchException(String message) {
        super(message);
    }

    public UnibenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
