package io.unibench.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.unibench.load.IntervalSample;
import io.unibench.load.LoadProtocol;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class StepResultTest {

    @Test
    void answersThatAreNotSuccessesCountAsFailures() {
        LoadProtocol p = new LoadProtocol("t", "rps", "requests", "errors_timeout",
                List.of("good", "also_good", "bad"), List.of("broken"), List.of(), List.of(0, 1));
        // 100 sent: 80 + 5 good, 10 bad answers, 3 lost, 2 errors
        IntervalSample s = new IntervalSample(100, 95, 3, new long[] {80, 5, 10}, new long[] {2}, new long[0],
                new Histogram(3), new Histogram(3), new Histogram(3));
        StepResult r = StepResult.of(1, 100, 1, 1_000_000_000L, s, p);
        assertThat(r.successes()).isEqualTo(85);
        assertThat(r.lossPct()).isCloseTo(3, within(1e-9));
        assertThat(r.errorPct()).isCloseTo(2, within(1e-9));
        assertThat(r.unsuccessfulPct()).isCloseTo(10, within(1e-9));
        assertThat(r.failurePct()).isCloseTo(15, within(1e-9));
    }

    private static final LoadProtocol P = new LoadProtocol("t", "qps", "sent", "lost", List.of("ok"), List.of("bad"),
            List.of(), List.of(0));

    private static IntervalSample sample(long sent, long completed, long lost, Histogram lag, long unsent,
                                         long clientDrops) {
        return new IntervalSample(sent, completed, lost, new long[] {completed}, new long[] {0}, new long[0],
                new Histogram(3), new Histogram(3), lag, unsent, clientDrops);
    }

    @Test
    void aStallHittingTwoPercentOfSendsFlagsTheStepThoughTheMedianIsZero() {
        Histogram lag = new Histogram(3);
        lag.recordValueWithCount(20_000, 980); // 20 us
        lag.recordValueWithCount(50_000_000, 20); // 2 % stalled 50 ms
        StepResult r = StepResult.of(1, 1000, 1, 1_000_000_000L, sample(1000, 1000, 0, lag, 0, 0), P);
        assertThat(r.saturated()).isTrue();
        assertThat(r.generatorTrouble()).anyMatch(s -> s.startsWith("send lag p99 50.0 ms"));
    }

    @Test
    void unsentQueriesAndClientDropsFlagTheStepAndClientDropsAreNotTheServersLoss() {
        Histogram lag = new Histogram(3);
        lag.recordValueWithCount(20_000, 1000);
        StepResult unsent = StepResult.of(1, 1000, 1, 1_000_000_000L, sample(995, 995, 0, lag, 5, 0), P);
        assertThat(unsent.saturated()).isTrue();
        assertThat(unsent.generatorTrouble()).contains("5 never sent");

        StepResult drops = StepResult.of(1, 1000, 1, 1_000_000_000L, sample(1000, 970, 30, lag, 0, 20), P);
        assertThat(drops.saturated()).isTrue();
        assertThat(drops.generatorTrouble()).contains("its sockets dropped 20 answers unread");
        assertThat(drops.lossPct()).isCloseTo(3.0, within(1e-9));
        assertThat(drops.failurePct()).isCloseTo(1.0, within(1e-9)); // 10 of the 30 lost are the server's
    }

    @Test
    void connectFailuresAreNotSentButStillCountInTheBalance() {
        LoadProtocol http = new LoadProtocol("h", "rps", "requests", "errors_timeout", List.of("ok"),
                List.of("errors_connect", "errors_read"), List.of(), List.of(0), List.of(0));
        Histogram lag = new Histogram(3);
        IntervalSample s = new IntervalSample(0, 0, 0, new long[] {0}, new long[] {1000, 0}, new long[0],
                new Histogram(3), new Histogram(3), lag, 0, 0);
        StepResult r = StepResult.of(1, 1000, 1, 1_000_000_000L, s, http);
        assertThat(r.attempted()).isEqualTo(1000);
        assertThat(r.achievedSendRate()).isZero(); // nothing written
        assertThat(r.saturated()).as("a refused connection is the server's doing").isFalse();
        assertThat(r.errorPct()).isCloseTo(100, within(1e-9));
    }
}
