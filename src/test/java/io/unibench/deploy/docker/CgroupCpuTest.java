package io.unibench.deploy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void v1CgroupfsDriver() throws Exception {
        Path f = write("cpuacct/docker/" + ID + "/cpuacct.usage", "123456789\n");
        CgroupCpu c = CgroupCpu.of(root, ID).orElseThrow();
        assertThat(c.file()).isEqualTo(f);
        assertThat(c.nanos()).isEqualTo(123_456_789L);
    }

    @Test
    void v1SystemdDriverUnderTheJointCpuHierarchy() throws Exception {
        Path f = write("cpu,cpuacct/system.slice/docker-" + ID + ".scope/cpuacct.usage", "42\n");
        CgroupCpu c = CgroupCpu.of(root, ID).orElseThrow();
        assertThat(c.file()).isEqualTo(f);
        assertThat(c.nanos()).isEqualTo(42L);
    }

    @Test
    void v2CgroupfsDriver() throws Exception {
        Path f = write("docker/" + ID + "/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
        CgroupCpu c = CgroupCpu.of(root, ID).orElseThrow();
        assertThat(c.file()).isEqualTo(f);
        assertThat(c.nanos()).isEqualTo(1_500_000L);
    }

    @Test
    void v2SystemdDriver() throws Exception {
        Path f = write("system.slice/docker-" + ID + ".scope/cpu.stat", "usage_usec 7\nuser_usec 7\n");
        CgroupCpu c = CgroupCpu.of(root, ID).orElseThrow();
        assertThat(c.file()).isEqualTo(f);
        assertThat(c.nanos()).isEqualTo(7_000L);
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
