package io.unibench.protocol;

/** A DNS message that cannot be parsed: truncated, a bad label, a compression loop, trailing garbage in a record. */
public class DnsFormatException extends Exception {
    public DnsFormatException(String message) {
        super(message);
    }
}
