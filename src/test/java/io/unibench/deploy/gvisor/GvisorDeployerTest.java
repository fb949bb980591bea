package io.unibench.deploy.gvisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class GvisorDeployerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void aDaemonWithoutTheRuntimeIsBadInputWithTheFixBeforeAnythingStarts() {
        io.unibench.deploy.ServiceCatalog catalog = io.unibench.deploy.ServiceCatalog.load();
        GvisorDeployer d = new GvisorDeployer(new io.unibench.deploy.Deployer.Context(
                io.unibench.deploy.StateStore.open(dir), catalog, null, null), () -> null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.preflight(catalog.get("dns")))
                .isInstanceOf(io.unibench.UsageException.class)
                .hasMessageContaining("needs the 'runsc' runtime registered with Docker")
                .hasMessageContaining(GvisorDeployer.FIX).hasMessageNotContaining("\n");
    }

    @Test
    void theRegisteredRuntimeAndItsFlagsComeFromTheInfoDocument() throws Exception {
        GvisorDeployer.Registered r = GvisorDeployer.parse(JSON.readTree("{\"Runtimes\":{\"runc\":{\"path\":\"runc\"},"
                + "\"runsc\":{\"path\":\"/usr/bin/runsc\",\"runtimeArgs\":[\"--platform=ptrace\",\"--network=host\"]}}}"));
        assertThat(r.path()).isEqualTo("/usr/bin/runsc");
        assertThat(r.flag("platform")).isEqualTo("ptrace");
        assertThat(r.flag("network")).isEqualTo("host");
        assertThat(r.flag("debug")).isNull();
        assertThat(GvisorDeployer.parse(JSON.readTree("{\"Runtimes\":{\"runc\":{\"path\":\"runc\"}}}"))).isNull();
    }

    @Test
    void theFixIsTheSnippetTestShRegistersAndAReloadNotARestart() throws Exception {
        String runtime = "{\"path\":\"/usr/bin/runsc\",\"runtimeArgs\":[\"--platform=ptrace\",\"--network=host\"]}";
        assertThat(GvisorDeployer.FIX).contains("/etc/docker/daemon.json").contains(runtime)
                .contains("kill -HUP").doesNotContain("restart");
        assertThat(java.nio.file.Files.readString(io.unibench.deploy.ServiceCatalog.home()
                .resolve("scripts/lib/host.sh"))).as("scripts/test.sh registers the same runtime").contains(runtime);
    }
}
