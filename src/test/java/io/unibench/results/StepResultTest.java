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
}
