package io.unibench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's headline: each pair of backends, ratio B / A with its interval, on data of known ratios. */
class HeadlineTest {
    @TempDir
    Path tmp;

    static Headline.Row row(List<Headline.Row> rows, String figure) {
        return rows.stream().filter(r -> r.figure().equals(figure)).findFirst().orElseThrow();
    }

    @Test
    void pairsOfBackendsWithRatiosAndVerdicts() throws Exception {
        Path study = tmp.resolve("study");
        FixtureRuns.runJson(study, "study", null);
        FixtureRuns.boot(study.resolve("boot"), 1, 30, 3, new String[] {"docker", "qemu", "gvisor"},
                new double[] {187, 38.9, 187});
        FixtureRuns.dnsRamp(study.resolve("dns-qemu"), "qemu", 1, 10, 5, 6000, 300);
        FixtureRuns.dnsRamp(study.resolve("dns-docker"), "docker", 2, 10, 5, 8000, 300);
        FixtureRuns.footprint(study, 61440, 41943040);
        List<Headline.Row> rows = Headline.of(List.of(study), new Bootstrap(15, 2000, 0.95));

        Headline.Row boot = rows.stream().filter(r -> r.figure().equals("cold boot p50 (dns)") && r.b().equals("docker"))
                .findFirst().orElseThrow();
        assertThat(boot.a()).isEqualTo("qemu"); // the unikernel is A
        assertThat(boot.ratio()).isBetween(4.6, 5.0);
        assertThat(boot.low()).isGreaterThan(4.4).isLessThan(boot.ratio());
        assertThat(boot.high()).isLessThan(5.2).isGreaterThan(boot.ratio());
        assertThat(boot.verdict()).isEqualTo("qemu better");
        assertThat(boot.sentence()).matches("cold boot p50 \\(dns\\): qemu 3[89]\\.[0-9] ms vs docker 18[0-9]\\.[0-9] ms, 4\\.[0-9]+x \\(CI 4\\.[0-9]+-5?[0-9.]+x\\), qemu better");
        // three backends: three pairs; docker and gvisor boot alike
        assertThat(rows.stream().filter(r -> r.figure().equals("cold boot p50 (dns)"))).hasSize(3);
        Headline.Row same = rows.stream().filter(r -> r.figure().equals("cold boot p50 (dns)") && r.a().equals("docker"))
                .findFirst().orElseThrow();
        assertThat(same.b()).isEqualTo("gvisor");
        assertThat(same.verdict()).isEqualTo("no significant difference");

        Headline.Row brk = row(rows, "dns break point");
        assertThat(brk.aValue()).isEqualTo(5000);
        assertThat(brk.bValue()).isEqualTo(7000);
        assertThat(brk.verdict()).isEqualTo("docker better");
        // p99 only at the highest rate both ran (qemu's ramp ended at 6k)
        assertThat(rows.stream().filter(r -> r.metric().equals("p99"))).extracting(Headline.Row::figure)
                .containsExactly("dns p99 at 6k qps");
        assertThat(row(rows, "image size (dns)").low()).isEqualTo(row(rows, "image size (dns)").high());
    }

    @Test
    void aBreakPointOneRampNeverReachedIsShownAsABoundWithoutARatio() throws Exception {
        Path study = tmp.resolve("bound");
        FixtureRuns.runJson(study, "study", null);
        // qemu breaks at 6k; docker's ramp ends at its last step (10k) with every step held
        FixtureRuns.dnsRamp(study.resolve("dns-qemu"), "qemu", 1, 10, 5, 6000, 300);
        FixtureRuns.dnsRamp(study.resolve("dns-docker"), "docker", 2, 10, 5, 1e9, 300);
        Headline.Row brk = row(Headline.of(List.of(study), new Bootstrap(15, 200, 0.95)), "dns break point");

        assertThat(brk.comparable()).isFalse();
        assertThat(brk.aText()).isEqualTo("5k qps");
        assertThat(brk.bText()).startsWith("\u2265 10k");
        assertThat(brk.verdict()).startsWith("unknown: no break point on docker");
        assertThat(brk.sentence()).doesNotContain("x (");
    }
}
