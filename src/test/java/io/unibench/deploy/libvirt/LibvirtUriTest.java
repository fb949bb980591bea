package io.unibench.deploy.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import io.unibench.deploy.remote.SshTarget;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LibvirtUriTest {
    @Test
    void localAndRemoteUris() {
        LibvirtUri local = LibvirtUri.parse("qemu:///system");
        assertThat(local.remote()).isFalse();
        assertThat(local.defaultAdvertiseAddress()).isEqualTo("127.0.0.1");

        LibvirtUri ssh = LibvirtUri.parse("qemu+ssh://root@127.0.0.1:2222/system?keyfile=/k&no_verify=1");
        assertThat(ssh.remote()).isTrue();
        assertThat(ssh.transport()).isEqualTo("ssh");
        assertThat(ssh.user()).isEqualTo("root");
        assertThat(ssh.host()).isEqualTo("127.0.0.1");
        assertThat(ssh.port()).isEqualTo(2222);
        assertThat(ssh.defaultAdvertiseAddress()).isEqualTo("127.0.0.1");
        assertThat(ssh.display()).isEqualTo("qemu+ssh://root@127.0.0.1:2222/system");
    }

    @Test
    void otherDriversTransportsAndMalformedUrisAreUsageErrors() {
        assertThatThrownBy(() -> LibvirtUri.parse("xen:///system")).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown libvirt URI scheme 'xen'");
        assertThatThrownBy(() -> LibvirtUri.parse("qemu+carrier-pigeon://h/system")).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown libvirt transport");
        assertThatThrownBy(() -> LibvirtUri.parse("qemu+ssh:///system")).isInstanceOf(UsageException.class)
                .hasMessageContaining("needs a host");
        assertThatThrownBy(() -> LibvirtUri.parse("qemu:///session")).isInstanceOf(UsageException.class)
                .hasMessageContaining("/system");
        assertThatThrownBy(() -> LibvirtUri.parse("qemu://host/system")).isInstanceOf(UsageException.class)
                .hasMessageContaining("no transport");
        assertThatThrownBy(() -> LibvirtUri.parse("not a uri")).isInstanceOf(UsageException.class)
                .hasMessageContaining("malformed libvirt URI");
    }

    @Test
    void sshServerBecomesQemuSshOrLibssh2WithKnownHosts() {
        SshTarget t = SshTarget.parse("ssh://root@127.0.0.1:2222");
        assertThat(LibvirtUri.forSsh(t, null, null).text()).isEqualTo("qemu+ssh://root@127.0.0.1:2222/system");
        assertThat(LibvirtUri.forSsh(t, Path.of("/k/id"), Path.of("/k/kh")).text())
                .isEqualTo("qemu+libssh2://root@127.0.0.1:2222/system?keyfile=/k/id&known_hosts=/k/kh&sshauth=privkey");
        assertThat(SshTarget.parse("ssh://server").user()).isEqualTo("root");
        assertThatThrownBy(() -> SshTarget.parse("http://server")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> SshTarget.parse("ssh://")).isInstanceOf(UsageException.class);
    }
}
