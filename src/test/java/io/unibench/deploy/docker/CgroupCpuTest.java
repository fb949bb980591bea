package io.unibench.deploy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CgroupCpuTest {
    private static final String ID = "4f2a9c0e1b7d";

    @TempDir
    Path root;

    private Path write(String relative, String content) throws Exception {
        Path f = root.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        return f;
    }

    /** Each layout docker's cgroup drivers leave: where the container's CPU file is, what it holds, its nanoseconds. */
    static Stream<Arguments> layouts() {
        return Stream.of(
                arguments("v1 cgroupfs driver", "cpuacct/docker/" + ID + "/cpuacct.usage", "123456789\n",
                        123_456_789L),
                arguments("v1 systemd driver under the joint cpu hierarchy",
                        "cpu,cpuacct/system.slice/docker-" + ID + ".scope/cpuacct.usage", "42\n", 42L),
                arguments("v2 cgroupfs driver", "docker/" + ID + "/cpu.stat",
                        "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n", 1_500_000L),
                arguments("v2 systemd driver", "system.slice/docker-" + ID + ".scope/cpu.stat",
                        "usage_usec 7\nuser_usec 7\n", 7_000L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void findsAndReadsTheContainersCpuFile(String layout, String relative, String content, long nanos)
            throws Exception {
        Path f = write(relative, content);
        CgroupCpu c = CgroupCpu.of(root, ID).orElseThrow();
        assertThat(c.file()).isEqualTo(f);
        assertThat(c.nanos()).isEqualTo(nanos);
    }

    @Test
    void resolvedOnceThenReadsOnlyThatFile() throws Exception {
        Path f = write("cpuacct/docker/" + ID + "/cpuacct.usage", "100\n");
        CgroupCpu c = CgroupCpu.of(root, ID).orElseThrow();
        Files.writeString(f, "250\n");
        // a v2 file appearing later is not looked at: the resolved file stays the one read
        write("docker/" + ID + "/cpu.stat", "usage_usec 999\n");
        assertThat(c.nanos()).isEqualTo(250L);
        Files.delete(f);
        assertThat(c.nanos()).as("the container's cgroup is gone").isEqualTo(-1L);
    }

    @Test
    void noneWhenNoLayoutHoldsTheContainer() throws Exception {
        write("cpuacct/docker/another/cpuacct.usage", "1\n");
        write("docker/" + ID + "/cpu.stat", "user_usec 3\n"); // no usage_usec line
        assertThat(CgroupCpu.of(root, ID)).isEmpty();
    }
}
