package io.unibench.deploy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetSocketAddress;

/**
 * One service port of an instance as reachable from this host: {@code host:port} (always loopback in
 * forward mode) in front of the service's own port inside the guest or container.
 *
 * @param name      the manifest's port name, e.g. {@code dns} or {@code http}
 * @param protocol  {@code udp} or {@code tcp}
 * @param host      address to connect to, e.g. {@code 127.0.0.1}
 * @param port      host port
 * @param guestPort the service's port inside the guest/container
 */
public record Endpoint(@JsonProperty("name") String name, @JsonProperty("protocol") String protocol,
                       @JsonProperty("host") String host, @JsonProperty("port") int port,
                       @JsonProperty("guest_port") int guestPort) {

    /** {@code host:port}, the form scripts and {@code --target} take. */
    @JsonProperty(value = "address", access = JsonProperty.Access.READ_ONLY)
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @JsonIgnore
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return address() + "/" + protocol;
    }
}
