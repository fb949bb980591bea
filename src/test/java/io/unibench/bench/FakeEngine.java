package io.unibench.bench;

import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.LoadProtocol;
import io.unibench.load.StepSchedule;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A load engine with a perfectly known server: every exchange is sent at its due time (one thread,
 * sleeping until due) and "answered" after {@code serviceNanos}, except every {@code loseEvery}-th,
 * which is lost. {@code sendCostNanos} makes the generator slower than its schedule.
 */
final class FakeEngine implements LoadEngine {
    static final LoadProtocol PROTOCOL = new LoadProtocol("fake", "qps", "sent", "lost",
            List.of("ok", "bad"), List.of("malformed"), List.of("late"), List.of(0));

    private final long serviceNanos;
    private final int loseEvery;
    private final long sendCostNanos;
    private final boolean answers;
    int steps;

    FakeEngine(long serviceNanos, int loseEvery, long sendCostNanos, boolean answers) {
        this.serviceNanos = serviceNanos;
        this.loseEvery = loseEvery;
        this.sendCostNanos = sendCostNanos;
        this.answers = answers;
    }

    @Override
    public LoadProtocol protocol() {
        return PROTOCOL;
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public void runStep(StepSchedule s, LoadMeter meter) {
        steps++;
        LoadMeter.Worker w = meter.newWorker();
        long n = 0;
        for (long i = 0; ; i++) {
            int client = (int) (i % s.clients());
            long due = s.dueNanos(client, i / s.clients());
            if (due >= s.endNanos() || meter.stopRequested()) {
                break;
            }
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            if (sendCostNanos > 0) {
                long until = now + sendCostNanos;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            long sent = System.nanoTime();
            w.sent(due, sent);
            n++;
            if (!answers || (loseEvery > 0 && n % loseEvery == 0)) {
                w.lost(due);
            } else {
                w.completed(due, sent, sent + serviceNanos, 0);
            }
        }
    }

    @Override
    public void close() {
    }
}
