package io.unibench.cli;

import io.unibench.deploy.remote.RemoteOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the engines are (this host or a server): shared by every command that starts, observes or removes instances. */
final class RemoteOptionsMixin {
    @Option(names = "--host", paramLabel = "ssh://USER@SERVER[:PORT]",
            description = {"Run the services on a server: libvirt through qemu+ssh and Docker through an SSH tunnel",
                "to its socket (an explicit --libvirt-uri or --docker-host wins)."})
    String host;

    @Option(names = "--libvirt-uri", paramLabel = "URI",
            description = "libvirt daemon of the libvirt backend: qemu:///system (default) or qemu+ssh://user@host/system.")
    String libvirtUri;

    @Option(names = "--docker-host", paramLabel = "URI",
            description = "Docker engine: unix:///var/run/docker.sock (default: DOCKER_HOST or the local socket), "
                    + "tcp://host:2376 (TLS with --docker-tls) or ssh://user@host.")
    String dockerHost;

    @Option(names = "--docker-tls", paramLabel = "DIR",
            description = "TLS client certificates for a tcp:// Docker engine: ca.pem, cert.pem, key.pem.")
    Path dockerTls;

    @Option(names = "--advertise-address", paramLabel = "ADDRESS",
            description = "Address clients reach a server's services on, and that its forwarded ports are bound to "
                    + "(default: the server's host from the URI; 127.0.0.1 on this host).")
    String advertiseAddress;

    @Option(names = "--ssh-key", paramLabel = "FILE",
            description = "SSH private key for --host / ssh:// (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa).")
    Path sshKey;

    @Option(names = "--ssh-known-hosts", paramLabel = "FILE",
            description = "Known-hosts file with the server's host key (default: ~/.ssh/known_hosts).")
    Path sshKnownHosts;

    /** The validated options; a usage error for a malformed URI or a missing file. */
    RemoteOptions options() {
        return RemoteOptions.of(host, libvirtUri, dockerHost, advertiseAddress, sshKey, sshKnownHosts, dockerTls);
    }
}
