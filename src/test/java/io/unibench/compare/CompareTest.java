package io.unibench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare on fixture runs whose true difference is known: detected when real, not when it is noise. */
class CompareTest {
    static final String[] BACKENDS = {"qemu", "docker"};

    @TempDir
    Path tmp;

    static Comparison compare(Path a, Path b, String threshold) {
        return Compare.run(new Compare.Options(a, b, Set.of(), Compare.parseThreshold(threshold),
                Bootstrap.DEFAULT_SEED, Bootstrap.DEFAULT_RESAMPLES, 0.95));
    }

    static Comparison.Row row(Comparison c, String key) {
        return c.rows().stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void sameDistributionDifferentDrawsIsNoSignificantDifference() throws Exception {
        Path a = FixtureRuns.boot(tmp.resolve("a"), 1, 30, 3, BACKENDS, new double[] {38, 187});
        Path b = FixtureRuns.boot(tmp.resolve("b"), 2, 30, 3, BACKENDS, new double[] {38, 187});
        Comparison c = compare(a, b, "5%");
        assertThat(c.rows()).hasSize(4); // p50, p90 x 2 backends
        assertThat(c.rows()).allSatisfy(r -> {
            assertThat(r.verdict()).isEqualTo(Comparison.Verdict.same);
            assertThat(r.low()).isLessThan(1).isLessThan(r.ratio());
            assertThat(r.high()).isGreaterThan(1).isGreaterThan(r.ratio());
            assertThat(r.baselineSamples()).isEqualTo(30); // the timed-out boot is no boot time
        });
        assertThat(c.regressed()).isFalse();
    }

    @Test
    void tenMillisecondsMoreBootIsARegressionOfThatBackendOnly() throws Exception {
        Path a = FixtureRuns.boot(tmp.resolve("a"), 1, 30, 3, BACKENDS, new double[] {38, 187});
        Path b = FixtureRuns.boot(tmp.resolve("b"), 2, 30, 3, BACKENDS, new double[] {48, 187});
        Comparison c = compare(a, b, "5%");
        Comparison.Row qemu = row(c, "boot/boot_p50/cold/dns/qemu");
        assertThat(qemu.verdict()).isEqualTo(Comparison.Verdict.worse);
        assertThat(qemu.regression()).isTrue();
        assertThat(qemu.ratio()).isBetween(1.15, 1.40); // 48 / 38 = 1.26
        assertThat(qemu.low()).isGreaterThan(1.05);
        assertThat(row(c, "boot/boot_p50/cold/dns/docker").verdict()).isEqualTo(Comparison.Verdict.same);
        assertThat(c.regressions()).extracting(Comparison.Row::metric).containsOnly("boot_p50", "boot_p90");
        // beyond a 50 % threshold the same slowdown is worse, but no regression
        Comparison lenient = compare(a, b, "50%");
        assertThat(row(lenient, "boot/boot_p50/cold/dns/qemu").verdict()).isEqualTo(Comparison.Verdict.worse);
        assertThat(lenient.regressed()).isFalse();
        // and the other way round it is better
        assertThat(row(compare(b, a, "5%"), "boot/boot_p50/cold/dns/qemu").verdict())
                .isEqualTo(Comparison.Verdict.better);
    }

    @Test
    void fewerThanTenEventsASideGetNoVerdict() throws Exception {
        // three boots each (a smoke study): even a +50 % shift is "too few samples", not a verdict
        Path a = FixtureRuns.boot(tmp.resolve("a"), 1, 3, 1, BACKENDS, new double[] {38, 187});
        Path b = FixtureRuns.boot(tmp.resolve("b"), 2, 3, 1, BACKENDS, new double[] {57, 187});
        Comparison c = compare(a, b, "5%");
        assertThat(c.rows()).allSatisfy(r -> assertThat(r.verdict()).isEqualTo(Comparison.Verdict.too_few));
        assertThat(c.regressed()).isFalse();
        assertThat(CompareFormat.text.format(c)).contains("too few samples").contains("n/a");
    }

    @Test
    void seededIntervalsRepeatExactly() throws Exception {
        Path a = FixtureRuns.boot(tmp.resolve("a"), 1, 20, 3, BACKENDS, new double[] {38, 187});
        Path b = FixtureRuns.boot(tmp.resolve("b"), 2, 20, 3, BACKENDS, new double[] {40, 187});
        assertThat(CompareFormat.json.format(compare(a, b, "5%"))).isEqualTo(CompareFormat.json.format(compare(a, b, "5%")));
        Comparison other = Compare.run(new Compare.Options(a, b, Set.of(), 5, 99, 2000, 0.95));
        assertThat(other.rows().get(0).low()).isNotEqualTo(compare(a, b, "5%").rows().get(0).low());
        // a figure's interval does not depend on which other figures are compared
        Comparison only = Compare.run(new Compare.Options(a, b, Set.of("boot_p90"), 5, 15, 2000, 0.95));
        assertThat(row(only, "boot/boot_p90/cold/dns/qemu").low())
                .isEqualTo(row(compare(a, b, "5%"), "boot/boot_p90/cold/dns/qemu").low());
    }

    @Test
    void rampBreakPointAndP99AtMatchedRates() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        FixtureRuns.dnsRamp(a.resolve("dns-qemu"), "qemu", 1, 10, 10, 6000, 300);
        FixtureRuns.dnsRamp(b.resolve("dns-qemu"), "qemu", 2, 10, 10, 4000, 300);
        FixtureRuns.dnsRamp(a.resolve("dns-docker"), "docker", 3, 10, 10, 8000, 200);
        FixtureRuns.dnsRamp(b.resolve("dns-docker"), "docker", 4, 10, 10, 8000, 400);
        Comparison c = compare(a, b, "5%");
        Comparison.Row qemuBreak = row(c, "dns/break_point/qemu");
        assertThat(qemuBreak.baseline()).isEqualTo(5000);
        assertThat(qemuBreak.candidate()).isEqualTo(3000);
        assertThat(qemuBreak.verdict()).isEqualTo(Comparison.Verdict.worse);
        assertThat(qemuBreak.regression()).isTrue();
        assertThat(row(c, "dns/break_point/docker").verdict()).isEqualTo(Comparison.Verdict.same);
        // p99 only at the rates both ran: docker's p99 doubled, qemu's did not change
        Comparison.Row dockerP99 = row(c, "dns/p99/2k/docker");
        assertThat(dockerP99.verdict()).isEqualTo(Comparison.Verdict.worse);
        assertThat(dockerP99.ratio()).isBetween(1.8, 2.2);
        assertThat(row(c, "dns/p99/2k/qemu").verdict()).isEqualTo(Comparison.Verdict.same);
        assertThat(c.onlyInBaseline()).contains("dns p99 at 5k qps (qemu)");
    }

    @Test
    void footprintImageSizeIsExactAndOneInstanceIsTooFewForMemory() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        FixtureRuns.footprint(a, 61440, 41943040);
        FixtureRuns.footprint(b, 65536, 41943040);
        Comparison c = compare(a, b, "5%");
        Comparison.Row image = row(c, "footprint/image_size/dns/qemu");
        assertThat(image.verdict()).isEqualTo(Comparison.Verdict.worse);
        assertThat(image.low()).isEqualTo(image.high()).isEqualTo(65536.0 / 61440);
        assertThat(image.regression()).isTrue(); // +6.7 % > 5 %, no sampling error
        assertThat(row(c, "footprint/image_size/dns/docker").verdict()).isEqualTo(Comparison.Verdict.same);
        assertThat(row(c, "footprint/idle_memory/dns/qemu").verdict()).isEqualTo(Comparison.Verdict.too_few);
        assertThat(CompareFormat.text.format(c)).contains("image size (dns, qemu)", "60.0 KiB", "+6.7 %",
                "REGRESSION", "seed 15");
        assertThat(CompareFormat.markdown.format(c)).startsWith("| FIGURE | BASELINE |");
    }

    @Test
    void badInputIsAUsageError() throws Exception {
        Path boot = FixtureRuns.boot(tmp.resolve("boot"), 1, 5, 3, BACKENDS, new double[] {38, 187});
        Path dns = FixtureRuns.dnsRamp(tmp.resolve("dns"), null, 1, 3, 3, 9000, 300);
        assertThatThrownBy(() -> compare(boot, dns, "5%")).isInstanceOf(UsageException.class)
                .hasMessageContaining("share no comparable figure");
        assertThatThrownBy(() -> compare(boot, tmp.resolve("nope"), "5%")).isInstanceOf(UsageException.class)
                .hasMessageContaining("no such folder");
        java.nio.file.Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> compare(boot, tmp.resolve("empty"), "5%")).isInstanceOf(UsageException.class)
                .hasMessageContaining("is not a run folder");
        for (String t : List.of("five", "-5%", "5%%", "", "2000%")) {
            assertThatThrownBy(() -> Compare.parseThreshold(t)).isInstanceOf(UsageException.class)
                    .hasMessageContaining("--threshold");
        }
        assertThat(Compare.parseThreshold("0.5%")).isEqualTo(0.5);
        assertThat(Compare.parseThreshold("10")).isEqualTo(10);
    }
}
