package io.unibench.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import io.unibench.bench.dns.DnsEngine;
import io.unibench.load.IntervalSample;
import io.unibench.load.LoadProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summary.json and --fail-on on folders written by the real writers (RampCsvSink, BootCsv, RunMetadata). */
class RunSummaryTest {
    static final LoadProtocol DNS = DnsEngine.PROTOCOL;

    @TempDir
    Path tmp;

    static StepResult step(int n, double rate, long sent, long lost, long micros) {
        Histogram lat = new Histogram(3);
        Histogram svc = new Histogram(3);
        Histogram lag = new Histogram(3);
        for (long i = 0; i < sent - lost; i++) {
            lat.recordValue(micros * 1000);
            svc.recordValue(micros * 500);
            lag.recordValue(5_000);
        }
        long[] outcomes = new long[DNS.outcomes().size()];
        outcomes[0] = sent - lost;
        IntervalSample s = new IntervalSample(sent, sent - lost, lost, outcomes, new long[DNS.errors().size()],
                new long[DNS.extras().size()], lat, svc, lag);
        return StepResult.of(n, rate, 4, 1_000_000_000L, s, DNS);
    }

    Path ramp() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dns"));
        RunMetadata meta = new RunMetadata("dns", List.of("unibench", "bench", "dns"), Instant.now());
        meta.put(RunMetadata.LABEL, "qemu");
        meta.write(dir);
        try (RampCsvSink sink = new RampCsvSink(dir, DNS, null, "qemu")) {
            sink.step(step(1, 1000, 1000, 0, 200), null, null);
            sink.step(step(2, 2000, 2000, 1, 400), null, null);
            sink.step(step(3, 3000, 3000, 300, 9000), StopReason.LOSS, "10 % lost");
        }
        meta.finish(Instant.now(), StopReason.LOSS, "10 % lost").write(dir);
        return dir;
    }

    @Test
    void anAutoRampsBreakPointIsTheHeldRateBelowTheFirstFailureInRateOrder() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("auto"));
        RunMetadata meta = new RunMetadata("dns", List.of("unibench", "bench", "dns"), Instant.now());
        meta.put("parameters", java.util.Map.of("stop_max_loss_pct", 1.0, "stop_max_p99_s", 1.0));
        meta.write(dir);
        try (RampCsvSink sink = new RampCsvSink(dir, DNS, null, "qemu")) {
            sink.step(step(1, 10_000, 10_000, 0, 200), null, null);
            sink.step(step(2, 60_000, 60_000, 6000, 900), null, null); // failed; the ramp goes on bisecting
            sink.step(step(3, 35_000, 35_000, 0, 300), null, null);
            sink.step(step(4, 47_500, 47_500, 2000, 700), null, null); // failed, written as a plain row
            sink.step(step(5, 41_250, 41_250, 0, 400), StopReason.BREAK_POINT, "between 41250 and 47500");
        }
        meta.finish(Instant.now(), StopReason.BREAK_POINT, "between 41250 and 47500").write(dir);

        assertThat(RunSummary.of(dir).document().get("headline").get("break_point_qps").asDouble()).isEqualTo(41_250);
    }

    @Test
    void rampHeadlineAndRules() throws Exception {
        Path dir = ramp();
        RunSummary s = RunSummary.of(dir);
        assertThat(s.document().get("stop_reason").asText()).isEqualTo("loss");
        assertThat(s.document().get("headline").get("break_point_qps").asDouble()).isEqualTo(2000);
        assertThat(s.document().get("headline").get("worst_loss_pct").asDouble()).isEqualTo(10);
        assertThat(s.figures().get("p99").value()).isBetween(8.9, 9.1);
        assertThat(s.figures().get("p99").where()).isEqualTo("step 3, 3k qps");

        List<FailOn.Rule> rules = FailOn.parse("loss>1%, p99>=10ms,break_point<5k", FailOn.RAMP, "bench dns");
        List<FailOn.Violation> broken = FailOn.check(rules, s.figures());
        assertThat(broken).extracting(v -> v.rule().metric()).containsExactly("loss", "break_point");
        assertThat(broken.get(0).message()).isEqualTo("--fail-on loss>1% violated: loss = 10.000 % (step 3, 3k qps)");
        s.withRules(rules, broken).write(dir);
        Schemas.assertValid("summary.schema.json", dir.resolve(RunSummary.FILE));
        // steps.csv names its run on every row
        List<String> lines = Files.readAllLines(dir.resolve(RampCsvSink.STEPS_FILE));
        assertThat(lines.get(0)).endsWith(",backend,label");
        assertThat(lines.get(1)).endsWith(",,qemu");
    }

    @Test
    void bootHeadlineAndRules() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("boot"));
        new RunMetadata("boot", List.of("unibench", "bench", "boot"), Instant.now()).write(dir);
        List<BootEvent> qemu = new ArrayList<>();
        List<BootEvent> docker = new ArrayList<>();
        try (BootCsv csv = new BootCsv(dir)) {
            for (int i = 1; i <= 5; i++) {
                qemu.add(new BootEvent(BootEvent.Kind.cold, "qemu", "dns", 1, i, "q" + i, 1.0, 5.0, 30.0, 38.0 + i,
                        BootEvent.Outcome.ready, null));
                docker.add(new BootEvent(BootEvent.Kind.cold, "docker", "dns", 1, i, "d" + i, 1.0, 5.0, 150.0,
                        180.0 + i, i == 5 ? BootEvent.Outcome.timeout : BootEvent.Outcome.ready, null));
            }
            for (BootEvent e : qemu) {
                csv.event(e);
            }
            csv.summary(qemu);
            csv.summary(docker);
        }
        RunSummary s = RunSummary.of(dir);
        assertThat(s.document().get("headline")).hasSize(2);
        Map<String, FailOn.Figure> f = s.figures();
        assertThat(f.get("boot_p50").value()).isEqualTo(182.5); // the slower group decides
        assertThat(f.get("boot_p50").where()).isEqualTo("cold boots on docker");
        assertThat(f.get("boot_failures").value()).isEqualTo(1);
        assertThat(FailOn.check(FailOn.parse("boot_p50>60ms,boot_failures>0", FailOn.BOOT, "bench boot"), f))
                .hasSize(2);
        assertThat(FailOn.check(FailOn.parse("boot_p50>1s", FailOn.BOOT, "bench boot"), f)).isEmpty();
        Schemas.assertValid("summary.schema.json", s.document());
    }

    @Test
    void badRulesAreUsageErrors() {
        for (String bad : List.of("loss", "loss>>1", "loss>lots", "loss>150%", "p99>10 parsecs", "boot_p50>1s",
                "speed>1")) {
            assertThatThrownBy(() -> FailOn.parse(bad, FailOn.RAMP, "bench dns")).as(bad)
                    .isInstanceOf(UsageException.class).hasMessageStartingWith("--fail-on: ");
        }
        assertThat(FailOn.parse("p99 > 1.5ms", FailOn.RAMP, "bench dns").get(0).limit()).isEqualTo(1.5);
        assertThat(FailOn.parse("break_point<2k", FailOn.RAMP, "bench dns").get(0).limit()).isEqualTo(2000);
    }
}
