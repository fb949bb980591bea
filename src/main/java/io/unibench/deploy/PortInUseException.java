package io.unibench.deploy;

import io.unibench.UnibenchException;

/** A host port given to an instance was taken by something else by the time the instance bound it. */
public final class PortInUseException extends UnibenchException {
    private final int port;

    public PortInUseException(int port, String message) {
        super(message);
        this.port = port;
    }

    public int port() {
        return port;
    }
}
