package io.unibench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadMeterTest {
    private static final LoadProtocol P = new LoadProtocol("t", "rps", "requests", "lost", List.of("ok"),
            List.of(), List.of(), List.of(0));

    @Test
    void eachSampleTakesOnlyWhatCameSinceThePreviousOne() {
        LoadMeter meter = new LoadMeter(P, 0);
        LoadMeter.Worker w = meter.newWorker();
        w.sent(1_000, 2_000);
        w.completed(1_000, 2_000, 50_000, 0, 7_000);
        IntervalSample first = meter.sample();
        assertThat(first.latency().getTotalCount()).isEqualTo(1);
        assertThat(first.recvLag().getTotalCount()).isEqualTo(1);
        assertThat(first.recvLag().getMaxValue()).isBetween(6_990L, 7_010L);

        w.completed(3_000, 3_000, 10_000, 0);
        IntervalSample second = meter.sample();
        assertThat(second.latency().getTotalCount()).isEqualTo(1);
        assertThat(second.latency().getMaxValue()).isBetween(6_990L, 7_010L);
        // an answer recorded without a receive lag adds nothing to the receive-lag histogram
        assertThat(second.recvLag().getTotalCount()).isZero();
        assertThat(second.lag().getTotalCount()).isZero();
        assertThat(meter.sample().service().getTotalCount()).isZero();
    }

    @Test
    void nothingRecordedWhileSamplingIsLostOrCountedTwice() throws Exception {
        LoadMeter meter = new LoadMeter(P, 0);
        int writers = 3;
        int perWriter = 300_000;
        CountDownLatch done = new CountDownLatch(writers);
        for (int t = 0; t < writers; t++) {
            LoadMeter.Worker w = meter.newWorker();
            Thread th = new Thread(() -> {
                for (int i = 1; i <= perWriter; i++) {
                    w.sent(i, i + (i % 1_000));
                    w.completed(i, i + 10, i + 10 + (i % 5_000), 0, i % 3);
                }
                done.countDown();
            });
            th.setDaemon(true);
            th.start();
        }
        long sent = 0;
        long lag = 0;
        long latency = 0;
        long service = 0;
        long recvLag = 0;
        long completed = 0;
        boolean finished = false;
        while (!finished) {
            finished = done.await(1, TimeUnit.MILLISECONDS);
            IntervalSample s = meter.sample();
            sent += s.sent();
            completed += s.completed();
            lag += s.lag().getTotalCount();
            latency += s.latency().getTotalCount();
            service += s.service().getTotalCount();
            recvLag += s.recvLag().getTotalCount();
        }
        IntervalSample last = meter.sample();
        long total = (long) writers * perWriter;
        assertThat(sent + last.sent()).isEqualTo(total);
        assertThat(completed + last.completed()).isEqualTo(total);
        assertThat(lag + last.lag().getTotalCount()).isEqualTo(total);
        assertThat(latency + last.latency().getTotalCount()).isEqualTo(total);
        assertThat(service + last.service().getTotalCount()).isEqualTo(total);
        assertThat(recvLag + last.recvLag().getTotalCount()).isEqualTo(total);
    }
}
