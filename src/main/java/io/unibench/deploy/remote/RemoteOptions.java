package io.unibench.deploy.remote;

import io.unibench.UsageException;
import io.unibench.deploy.docker.DockerEndpoint;
import io.unibench.deploy.libvirt.LibvirtOptions;
import io.unibench.deploy.libvirt.LibvirtUri;
import io.unibench.deploy.qemu.QemuOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the engines that run the services are: libvirt ({@code --libvirt-uri}) and Docker ({@code --docker-host}),
 * on this host or on a server, and the address clients reach that server's ports on ({@code --advertise-address},
 * default: the host part of the URI). {@code --host ssh://user@server} sets both engines to that server.
 *
 * @param libvirtUri       null for {@code qemu:///system}
 * @param docker           the Docker engine
 * @param advertiseAddress null for the default (each engine's host; 127.0.0.1 for this host)
 */
public record RemoteOptions(LibvirtUri libvirtUri, DockerEndpoint docker, String advertiseAddress) {

    public static RemoteOptions local() {
        return new RemoteOptions(null, DockerEndpoint.local(), null);
    }

    /**
     * Checks and combines the command line's remote options (usage errors, exit 2): an explicit URI wins over
     * the one {@code --host} implies.
     */
    public static RemoteOptions of(String host, String libvirtUri, String dockerHost, String advertiseAddress,
                                   Path sshKey, Path knownHosts, Path dockerTls) {
        if (sshKey != null && !Files.isReadable(sshKey)) {
            throw new UsageException("--ssh-key " + sshKey + " is not a readable file");
        }
        if (knownHosts != null && !Files.isReadable(knownHosts)) {
            throw new UsageException("--ssh-known-hosts " + knownHosts + " is not a readable file");
        }
        if (dockerTls != null && !Files.isDirectory(dockerTls)) {
            throw new UsageException("--docker-tls " + dockerTls + " is not a folder (with ca.pem, cert.pem, key.pem)");
        }
        SshTarget server = host == null ? null : SshTarget.parse(host);
        LibvirtUri lv = libvirtUri != null ? LibvirtUri.parse(libvirtUri)
                : server != null ? LibvirtUri.forSsh(server, sshKey, knownHosts) : null;
        String dh = dockerHost != null ? dockerHost : server != null ? server.toString() : null;
        DockerEndpoint d = DockerEndpoint.parse(dh, dockerTls, sshKey, knownHosts);
        if (advertiseAddress != null) {
            checkAddress(advertiseAddress);
        }
        return new RemoteOptions(lv, d, advertiseAddress);
    }

    private static void checkAddress(String a) {
        String t = a.strip();
        if (t.isEmpty() || t.contains("/") || t.contains(" ")) {
            throw new UsageException("--advertise-address '" + a + "' must be a host name or an IP address");
        }
        if (t.chars().allMatch(c -> Character.isDigit(c) || c == '.') || t.contains(":")) {
            try {
                InetAddress.getByName(t); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new UsageException("--advertise-address '" + a + "' is not a valid IP address");
            }
        }
    }

    /** The libvirt backend's settings with these engines and the given QEMU machine/accelerator. */
    public LibvirtOptions libvirt(QemuOptions qemu) {
        LibvirtUri u = libvirtUri != null ? libvirtUri : LibvirtUri.parse(LibvirtUri.LOCAL);
        return new LibvirtOptions(u, advertiseAddress != null ? advertiseAddress : u.defaultAdvertiseAddress(), qemu);
    }

    /** Null for the default (the engine's host, or 127.0.0.1 for this host). */
    public String dockerAdvertiseAddress() {
        return docker.remote() ? advertiseAddress : null;
    }

    /** True when an engine named here is on another host. */
    public boolean remote() {
        return docker.remote() || (libvirtUri != null && libvirtUri.remote());
    }
}
