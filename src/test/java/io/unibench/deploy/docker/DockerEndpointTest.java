package io.unibench.deploy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DockerEndpointTest {
    @Test
    void formsOfDockerHost() {
        assertThat(DockerEndpoint.parse(null, null, null, null).remote()).isFalse();
        assertThat(DockerEndpoint.parse("unix:///var/run/docker.sock", null, null, null).remote()).isFalse();
        DockerEndpoint ssh = DockerEndpoint.parse("ssh://root@127.0.0.1:2222", null, Path.of("/k"), Path.of("/kh"));
        assertThat(ssh.ssh()).isTrue();
        assertThat(ssh.serverHost()).isEqualTo("127.0.0.1");
        assertThat(ssh.sshKey()).isEqualTo(Path.of("/k"));
        DockerEndpoint tcp = DockerEndpoint.parse("tcp://127.0.0.1:2375", null, Path.of("/k"), null);
        assertThat(tcp.tls()).isFalse();
        assertThat(tcp.sshKey()).isNull();
        assertThat(tcp.serverHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void badFormsAreUsageErrors() {
        assertThatThrownBy(() -> DockerEndpoint.parse("http://h:1", null, null, null)).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown --docker-host scheme");
        assertThatThrownBy(() -> DockerEndpoint.parse("tcp://h", null, null, null)).isInstanceOf(UsageException.class)
                .hasMessageContaining("tcp://host:port");
        assertThatThrownBy(() -> DockerEndpoint.parse("tcp://h:2376", null, null, null))
                .isInstanceOf(UsageException.class).hasMessageContaining("--docker-tls");
        assertThatThrownBy(() -> DockerEndpoint.parse("tcp://h:2376", Path.of("/nonexistent"), null, null))
                .isInstanceOf(UsageException.class).hasMessageContaining("lacks ca.pem");
        assertThatThrownBy(() -> DockerEndpoint.parse("ssh://", null, null, null)).isInstanceOf(UsageException.class);
    }

    @Test
    void apiVersionsCompareNumerically() {
        assertThat(DockerClients.compareVersions("1.41", "1.25")).isPositive();
        assertThat(DockerClients.compareVersions("1.9", "1.25")).isNegative();
        assertThat(DockerClients.compareVersions("1.25", "1.25")).isZero();
    }
}
