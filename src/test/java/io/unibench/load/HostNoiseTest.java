package io.unibench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostNoiseTest {

    /** /proc/stat with the given user, system and idle jiffies; /proc/PID/stat with utime and stime. */
    private static void write(Path proc, long user, long system, long idle, long pid, long utime, long stime)
            throws Exception {
        Files.writeString(proc.resolve("stat"), "cpu  " + user + " 0 " + system + " " + idle + " 0 0 500 0 0 0\n"
                + "cpu0 1 2 3 4\n");
        Path p = Files.createDirectories(proc.resolve(Long.toString(pid)));
        // comm with a space and a parenthesis, as stat(5) allows
        Files.writeString(p.resolve("stat"), pid + " (we (ird) x) S 1 1 1 0 -1 0 0 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 1 0 0 0 0\n");
    }

    @Test
    void cpuOfProcessesOutsideTheBenchmarkIsNoiseAndTheExcludedOnesAreNot(@TempDir Path proc) throws Exception {
        long server = 4242;
        write(proc, 1000, 1000, 8000, server, 100, 100);
        HostNoise noise = new HostNoise(proc, Set.of(server));
        assertThat(noise.samplePct()).isNull(); // the first call only sets the baseline
        // 1000 jiffies later: 600 busy, of which the server used 300 and unibench itself (this JVM, not in
        // the fake /proc) none: 300 of 1000 are others' = 30 %
        write(proc, 1400, 1200, 8400, server, 250, 250);
        assertThat(noise.samplePct()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
        // a quiet second: only the server worked
        write(proc, 1500, 1300, 9200, server, 300, 400);
        assertThat(noise.samplePct()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-9));
        // the server's process gone: what others use still counts (100 of 1000), nothing is subtracted
        Files.delete(proc.resolve(Long.toString(server)).resolve("stat"));
        write(proc, 1600, 1300, 10100, 1, 0, 0);
        assertThat(noise.samplePct()).isCloseTo(10.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void anIntervalTooShortToTellIsNotMeasuredRatherThanReadFromATick(@TempDir Path proc) throws Exception {
        long server = 4242;
        write(proc, 1000, 1000, 8000, server, 100, 100);
        HostNoise noise = new HostNoise(proc, Set.of(server));
        noise.samplePct();
        // a step's tail: 3 ticks later (one CPU), 1 of them busy and not the server's, would read 33 %
        write(proc, 1001, 1000, 8002, server, 100, 100);
        assertThat(noise.samplePct()).isNull();
        // the next full interval counts from there
        write(proc, 1101, 1000, 8902, server, 150, 100);
        assertThat(noise.samplePct()).isCloseTo(5.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aServerWithoutALoopbackSocketCountsThroughItsCpuTime(@TempDir Path proc) throws Exception {
        // a lab unikernel: QEMU owns no socket here; its CPU time comes from the backend (ns)
        long[] serverNs = {0};
        HostNoise noise = new HostNoise(proc, Set.of()).withServerCpu(() -> serverNs[0]);
        write(proc, 1000, 1000, 8000, 1, 0, 0);
        assertThat(noise.samplePct()).isNull();
        // 1000 jiffies: 400 busy, all of them the server's (4 s of CPU = 400 ticks of 10 ms): no noise
        serverNs[0] = 4_000_000_000L;
        write(proc, 1300, 1100, 8600, 1, 0, 0);
        assertThat(noise.samplePct()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-9));
        // without it the same second was 40 % "noise"
        HostNoise blind = new HostNoise(proc, Set.of());
        write(proc, 1000, 1000, 8000, 1, 0, 0);
        blind.samplePct();
        write(proc, 1300, 1100, 8600, 1, 0, 0);
        assertThat(blind.samplePct()).isCloseTo(40.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theServerUnderTestIsFoundByItsSocket() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            // our own socket: found, then dropped (unibench itself is always excluded anyway)
            assertThat(HostNoise.socketOwners(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    s.getLocalPort()))).doesNotContain(ProcessHandle.current().pid());
        }
        Process nc = new ProcessBuilder("python3", "-c",
                "import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0));"
                        + " print(s.getsockname()[1], flush=True); time.sleep(5)").start();
        try {
            int port = Integer.parseInt(new String(nc.getInputStream().readNBytes(6)).trim().split("\\s")[0]);
            assertThat(HostNoise.socketOwners(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
                    .contains(nc.pid());
        } finally {
            nc.destroy();
        }
    }
}
