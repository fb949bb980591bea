package io.unibench;

/**
 * Bad input from the user: an option, argument or file that cannot be used. Reported as one line on
 * stderr with exit code 2, before anything is started or written.
 */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
