package io.unibench.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.load.IntervalSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one break-point rule, on the cases where summary.json, compare and the report's / study's capacity
 * used to disagree.
 */
class BreakPointTest {
    static final BreakPoint.Criteria ONE_PCT_1S = new BreakPoint.Criteria(1, 1_000_000);

    @TempDir
    Path tmp;

    static BreakPoint.Step step(int n, double rate, double failedPct, double p99Us) {
        return new BreakPoint.Step(n, rate, failedPct, p99Us, rate * (1 - failedPct / 100), false, false);
    }

    @Test
    void rateOrderNotFileOrder() {
        // an auto ramp: 10k held, 60k broke, bisection 35k held, 47.5k broke, 41.25k held
        List<BreakPoint.Step> steps = List.of(step(1, 10_000, 0, 200), step(2, 60_000, 10, 900),
                step(3, 35_000, 0, 300), step(4, 47_500, 4, 700), step(5, 41_250, 0, 400));
        BreakPoint.Result r = BreakPoint.of(steps, ONE_PCT_1S);
        assertThat(r.rate()).isEqualTo(41_250);
        assertThat(r.reached()).isTrue();
        assertThat(r.capacity()).isEqualTo(41_250);
    }

    @Test
    void aCleanStepAboveTheFirstFailureIsNotTheCapacity() {
        // the capacity used to be the highest clean step anywhere: 30k here, above a step that broke
        List<BreakPoint.Step> steps = List.of(step(1, 10_000, 0, 200), step(2, 20_000, 5, 300),
                step(3, 30_000, 0, 300));
        assertThat(BreakPoint.of(steps, ONE_PCT_1S).capacity()).isEqualTo(10_000);
        assertThat(BreakPoint.of(steps, ONE_PCT_1S).rate()).isEqualTo(10_000);
    }

    @Test
    void theRunsOwnCriteriaDecideIncludingItsP99() {
        // the capacity used to take lost + failed <= 1 % whatever the run's --max-loss, and no p99 at all
        List<BreakPoint.Step> steps = List.of(step(1, 10_000, 0.5, 200), step(2, 20_000, 0, 3_000_000));
        assertThat(BreakPoint.of(steps, ONE_PCT_1S).rate()).isEqualTo(10_000);
        assertThat(BreakPoint.of(steps, new BreakPoint.Criteria(0.1, 1_000_000)).rate()).isZero();
        assertThat(BreakPoint.of(steps, new BreakPoint.Criteria(0.1, 1_000_000)).capacity()).isNaN();
        assertThat(BreakPoint.of(steps, new BreakPoint.Criteria(1, 5_000_000)).reached()).isFalse();
    }

    @Test
    void generatorSaturatedStepsNeitherHoldNorBreak() {
        List<BreakPoint.Step> steps = List.of(step(1, 5000, 0, 200),
                new BreakPoint.Step(2, 15_000, 30, 900, 10_000, true, false), step(3, 25_000, 0, 300));
        BreakPoint.Result r = BreakPoint.of(steps, ONE_PCT_1S);
        assertThat(r.rate()).isEqualTo(25_000);
        assertThat(r.reached()).as("nothing broke: a lower bound").isFalse();
        assertThat(BreakPoint.of(List.of(new BreakPoint.Step(1, 500, 0, 9, 500, true, true)), ONE_PCT_1S))
                .isEqualTo(new BreakPoint.Result(0, false, Double.NaN));
    }

    @Test
    void theRunnersVerdictAndEveryStepAtARateCount() {
        // stopped on throughput with loss and p99 in bounds: not held
        List<BreakPoint.Step> steps = List.of(step(1, 1000, 0, 100),
                new BreakPoint.Step(2, 2000, 0, 100, 1200, false, true));
        assertThat(BreakPoint.of(steps, ONE_PCT_1S)).isEqualTo(new BreakPoint.Result(1000, true, 1000));
        // one of two steps at the same rate broke: that rate is not held
        assertThat(BreakPoint.of(List.of(step(1, 1000, 0, 100), step(2, 2000, 0, 100), step(3, 2000, 5, 100)),
                ONE_PCT_1S).rate()).isEqualTo(1000);
    }

    @Test
    void aStepWithoutACorrectedP99IsJudgedOnItsLoss() {
        // dnsperf records service time only: compare used to take such a step as unanswered (break point 0)
        List<BreakPoint.Step> steps = List.of(step(1, 1000, 0, Double.NaN), step(2, 2000, 20, Double.NaN));
        assertThat(BreakPoint.of(steps, ONE_PCT_1S)).isEqualTo(new BreakPoint.Result(1000, true, 1000));
        assertThat(BreakPoint.stepP99(new double[] {Double.NaN, Double.NaN})).isNaN();
        assertThat(BreakPoint.stepP99(new double[] {300, Double.NaN, 1_400_000, 500})).isEqualTo(1_400_000);
        // a step without data ends the held steps but shows no failure
        assertThat(BreakPoint.of(List.of(step(1, 1000, 0, 10), step(2, 2000, Double.NaN, Double.NaN),
                step(3, 3000, 50, 10)), ONE_PCT_1S)).isEqualTo(new BreakPoint.Result(1000, false, 1000));
    }

    @Test
    void criteriaFromRunJsonWithTheCliDefaults() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(BreakPoint.Criteria.of(json.readTree("{\"stop_max_loss_pct\": 0.5, \"stop_max_p99_s\": 0.25}")))
                .isEqualTo(new BreakPoint.Criteria(0.5, 250_000));
        assertThat(BreakPoint.Criteria.of(json.readTree("{\"max_loss_pct\": 0.1}")))
                .isEqualTo(new BreakPoint.Criteria(0.1, 1_000_000));
        assertThat(BreakPoint.Criteria.of(null)).isEqualTo(BreakPoint.Criteria.DEFAULTS);
    }

    private static IntervalSample second(long sent, long lost, long micros) {
        Histogram lat = new Histogram(3);
        for (long i = 0; i < sent - lost; i++) {
            lat.recordValue(micros * 1000);
        }
        long[] outcomes = new long[RunSummaryTest.DNS.outcomes().size()];
        outcomes[0] = sent - lost;
        return new IntervalSample(sent, sent - lost, lost, outcomes, new long[RunSummaryTest.DNS.errors().size()],
                new long[RunSummaryTest.DNS.extras().size()], lat, new Histogram(3), new Histogram(3));
    }

    @Test
    void summaryJsonTakesAStepsP99AsTheLargestOfItsSecondsAndSaysWhenItIsALowerBound() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dns"));
        RunMetadata meta = new RunMetadata("dns", List.of("unibench", "bench", "dns"), Instant.now());
        meta.put("parameters", Map.of("stop_max_loss_pct", 1.0, "stop_max_p99_s", 0.01));
        meta.write(dir);
        try (RampCsvSink sink = new RampCsvSink(dir, RunSummaryTest.DNS, null, "qemu")) {
            // step 1: every second 2 ms; step 2: its histogram's p99 is 2 ms, but one second had 15 ms
            for (int s = 0; s < 4; s++) {
                sink.second(s, 1, 1000, second(1000, 0, 2000));
            }
            sink.step(RunSummaryTest.step(1, 1000, 4000, 0, 2000), null, null);
            for (int s = 4; s < 8; s++) {
                sink.second(s, 2, 2000, second(s == 7 ? 20 : 2000, 0, s == 7 ? 15_000 : 2000));
            }
            sink.step(RunSummaryTest.step(2, 2000, 8000, 0, 2000), StopReason.MAX_RATE, "reached --max-rate 2k");
        }
        meta.finish(Instant.now(), StopReason.MAX_RATE, "reached --max-rate 2k").write(dir);

        BreakPoint.Ramp ramp = BreakPoint.read(dir);
        assertThat(ramp.rateUnit()).isEqualTo("qps");
        assertThat(ramp.steps().get(0).p99Us()).isBetween(2000.0, 2010.0);
        assertThat(ramp.steps().get(1).p99Us()).as("the slow second's").isBetween(15_000.0, 15_020.0);
        var headline = RunSummary.of(dir).document().get("headline");
        assertThat(headline.get("break_point_qps").asDouble()).isEqualTo(1000);
        assertThat(headline.get("break_point_reached").asBoolean()).isTrue();

        // without the second that was slow, the ramp ended at its --max-rate with nothing broken: a lower bound
        Files.writeString(dir.resolve(RampCsvSink.SECONDS_FILE), String.join("\n",
                Files.readAllLines(dir.resolve(RampCsvSink.SECONDS_FILE)).subList(0, 8)) + "\n");
        headline = RunSummary.of(dir).document().get("headline");
        assertThat(headline.get("break_point_qps").asDouble()).isEqualTo(2000);
        assertThat(headline.get("break_point_reached").asBoolean()).isFalse();
        Schemas.assertValid("summary.schema.json", RunSummary.of(dir).document());
    }

    @Test
    void anUnreadableSecondsCsvLeavesTheStepsOwnP99() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("cut"));
        Files.writeString(dir.resolve(RampCsvSink.STEPS_FILE), "step,offered_qps,completed_qps,loss_pct,error_pct,"
                + "latency_p99_us,generator_saturated,stop_reason\n1,1000,1000,0,0,900,false,\n"
                + "2,2000,1500,25,0,4000,false,loss\n");
        Files.writeString(dir.resolve(RampCsvSink.SECONDS_FILE), "run_second,step,offered_qps,sent,completed,lost,"
                + "errors,unsent,latency_p50_us,latency_p99_us\n0,1,1000,1000,1000,0,0,0,100,not-a-number\n");
        BreakPoint.Ramp ramp = BreakPoint.read(dir);
        assertThat(ramp.steps()).extracting(BreakPoint.Step::p99Us).containsExactly(900.0, 4000.0);
        assertThat(ramp.steps().get(1).stopped()).isTrue();
        assertThat(ramp.under(ONE_PCT_1S)).isEqualTo(new BreakPoint.Result(1000, true, 1000));
        assertThat(BreakPoint.read(tmp)).as("no steps.csv").isNull();
    }
}
