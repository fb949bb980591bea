package io.unibench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.results.BreakPoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BreakPointEstimateTest {
    private static final BreakPoint.Criteria ONE_PCT_1S = new BreakPoint.Criteria(1, 1_000_000);

    private static Estimates.Step step(double rate, double lossPct, boolean generatorSaturated) {
        List<Estimates.Second> secs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long sent = (long) rate;
            secs.add(new Estimates.Second(sent, Math.round(sent * lossPct / 100), 500));
        }
        return new Estimates.Step(rate, secs, generatorSaturated);
    }

    @Test
    void anAutoRampsRefinedStepsCountInRateOrderNotInStepOrder() {
        // steps as --max-rate auto runs them: 2k..32k held, 38k broke, then bisection 35k held, 36.5k broke
        List<Estimates.Step> steps = new ArrayList<>();
        for (double r = 2000; r <= 32000; r += 6000) {
            steps.add(step(r, 0, false));
        }
        steps.add(step(38000, 5, false));
        steps.add(step(35000, 0, false));
        steps.add(step(36500, 3, false));

        assertThat(Estimates.breakPoint(steps, ONE_PCT_1S).value()).isEqualTo(35000);
        assertThat(Estimates.breakPointReached(steps, ONE_PCT_1S)).isTrue();
    }

    @Test
    void aRampTheGeneratorCouldNotDriveHasNoBreakPoint() {
        // the host stalled the generator at its first step: the server was never shown to break
        List<Estimates.Step> steps = List.of(step(5000, 0.9, true));
        assertThat(Estimates.breakPointReached(steps, ONE_PCT_1S)).isFalse();

        // a saturated step neither holds nor breaks: the break point is where the server broke
        List<Estimates.Step> mixed = List.of(step(5000, 0, false), step(15000, 30, true), step(25000, 0, false),
                step(35000, 8, false));
        assertThat(Estimates.breakPoint(mixed, ONE_PCT_1S).value()).isEqualTo(25000);
        assertThat(Estimates.breakPointReached(mixed, ONE_PCT_1S)).isTrue();

        // a ramp that ended at its --max-rate with every step held: a lower bound only
        assertThat(Estimates.breakPointReached(List.of(step(5000, 0, false), step(6000, 0, false)), ONE_PCT_1S))
                .isFalse();
        // the first step already broke: the break point is known to be below it
        assertThat(Estimates.breakPointReached(List.of(step(5000, 20, false)), ONE_PCT_1S)).isTrue();
    }

    @Test
    void secondsWithoutACorrectedP99AreJudgedOnTheirLossAndTheRunnersVerdictHoldsOnEveryResample() {
        // dnsperf's seconds have no corrected latency: they used to read as unanswered, break point 0
        List<Estimates.Second> quiet = List.of(new Estimates.Second(1000, 0, Double.NaN),
                new Estimates.Second(1000, 1, Double.NaN));
        List<Estimates.Step> dnsperf = List.of(new Estimates.Step(1000, quiet, false), step(2000, 20, false));
        assertThat(Estimates.breakPoint(dnsperf, ONE_PCT_1S).value()).isEqualTo(1000);
        // a step the runner stopped on (throughput) breaks whatever its seconds say
        List<Estimates.Step> stopped = List.of(step(1000, 0, false),
                new Estimates.Step(2000, step(2000, 0, false).seconds(), false, true));
        Estimate e = Estimates.breakPoint(stopped, ONE_PCT_1S);
        assertThat(e.value()).isEqualTo(1000);
        assertThat(e.resample(new java.util.SplittableRandom(1))).isEqualTo(1000);
        assertThat(Estimates.breakPointReached(stopped, ONE_PCT_1S)).isTrue();
    }
}
