package io.unibench.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkComparisonTest {
    @TempDir
    Path dir;

    private void steps(Path run, String unit, String... rows) throws Exception {
        Files.createDirectories(run);
        StringBuilder b = new StringBuilder("step,offered_" + unit + ",completed_" + unit
                + ",loss_pct,error_pct,generator_saturated\n");
        for (String r : rows) {
            b.append(r).append('\n');
        }
        Files.writeString(run.resolve("steps.csv"), b);
    }

    @Test
    void capacityIsTheHighestCleanStepAndTheRatioIsLabOverForward() throws Exception {
        // forward: 20k clean, 40k lossy; lab: 60k clean, 80k saturated generator (not the server's limit)
        steps(dir.resolve("forward/dns-qemu"), "qps", "1,20000,19990,0.05,0,false", "2,40000,30000,25,0,false");
        steps(dir.resolve("lab/dns-qemu"), "qps", "1,20000,20000,0,0,false", "2,60000,59900,0.2,0,false",
                "3,80000,70000,0.1,0,true");
        steps(dir.resolve("forward/http-qemu"), "rps", "1,1000,1000,0,0,false");
        List<NetworkComparison.Row> rows = NetworkComparison.write(dir, dir.resolve("forward"), dir.resolve("lab"));
        assertThat(rows).hasSize(2);
        NetworkComparison.Row dns = rows.get(0);
        assertThat(dns.benchmark()).isEqualTo("dns");
        assertThat(dns.backend()).isEqualTo("qemu");
        assertThat(dns.unit()).isEqualTo("qps");
        assertThat(dns.forward()).isEqualTo(19990.0);
        assertThat(dns.lab()).isEqualTo(59900.0);
        assertThat(dns.ratio()).isCloseTo(59900.0 / 19990, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(rows.get(1).lab()).as("no lab run: no capacity").isNull();
        assertThat(rows.get(1).ratio()).isNull();
        List<String> csv = Files.readAllLines(dir.resolve(NetworkComparison.FILE));
        assertThat(csv.get(0)).isEqualTo(String.join(",", NetworkComparison.COLUMNS));
        assertThat(csv.get(2)).isEqualTo("http,qemu,rps,1000,,");
    }
}
