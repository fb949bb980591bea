package io.unibench.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StudyRunnerTest {

    @Test
    void theForwarderCaveatSaysHowEachBackendIsReached() {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("qemu", Map.of("network", "forward: QEMU user networking (slirp) hostfwd on 127.0.0.1"));
        facts.put("native", Map.of("network", "forward: the service binds 127.0.0.1:PORT itself (no proxy in the path)"));
        facts.put("docker", Map.of("error", "no daemon"));
        assertThat(StudyRunner.forwarderCaveat(facts)).contains("qemu: forward: QEMU user networking (slirp)",
                "; native: forward: the service binds 127.0.0.1:PORT itself").doesNotContain("docker");
        assertThat(StudyRunner.forwarderCaveat(Map.of())).contains("QEMU slirp hostfwd, docker-proxy");
    }
}
