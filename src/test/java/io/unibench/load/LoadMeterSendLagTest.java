package io.unibench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadMeterSendLagTest {
    private static final LoadProtocol P = new LoadProtocol("t", "rps", "requests", "lost", List.of("ok"),
            List.of(), List.of(), List.of(0));

    @Test
    void sendLagCountsFromWhenTheChannelWasFree() {
        LoadMeter meter = new LoadMeter(P, 0);
        LoadMeter.Worker w = meter.newWorker();
        // due at 1 ms, channel busy until 5 ms, sent at 5.2 ms: 0.2 ms of generator lag, not 4.2 ms
        w.sent(1_000_000, 5_200_000, 5_000_000);
        // channel free before the due time: lag from the due time
        w.sent(10_000_000, 10_300_000, 2_000_000);
        w.completed(1_000_000, 5_200_000, 6_000_000, 0);
        IntervalSample s = meter.sample();
        assertThat(s.sent()).isEqualTo(2);
        assertThat(s.lag().getMaxValue()).isBetween(299_000L, 301_000L);
        assertThat(s.lag().getMinValue()).isBetween(199_000L, 201_000L);
        // the corrected latency still runs from the due time
        assertThat(s.latency().getMaxValue()).isBetween(4_990_000L, 5_010_000L);
        assertThat(s.service().getMaxValue()).isBetween(799_000L, 801_000L);
    }
}
