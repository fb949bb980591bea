package io.unibench.load;

/**
 * The open-loop schedule of one step: {@code rate} exchanges per second spread evenly over
 * {@code clients}, from {@code startNanos} (on {@link System#nanoTime()}) for {@code warmupNanos +
 * measureNanos}. Exchange k (over all clients) is due at {@code startNanos + k * 1e9 / rate}; client c
 * owns k = c, c + clients, c + 2 clients... (wrk2 splits the rate per connection the same way).
 * Exchanges due before {@link #measureStartNanos()} are warm-up and are not recorded.
 */
public record StepSchedule(int step, double rate, int clients, long startNanos, long warmupNanos,
                           long measureNanos, long timeoutNanos) {

    public StepSchedule {
        if (!(rate > 0) || clients < 1 || measureNanos <= 0 || warmupNanos < 0 || timeoutNanos <= 0) {
            throw new IllegalArgumentException("bad schedule: rate=" + rate + " clients=" + clients
                    + " measure=" + measureNanos + " warmup=" + warmupNanos + " timeout=" + timeoutNanos);
        }
    }

    public long measureStartNanos() {
        return startNanos + warmupNanos;
    }

    /** End of the schedule: nothing is due at or after this instant. */
    public long endNanos() {
        return startNanos + warmupNanos + measureNanos;
    }

    /** Nanoseconds between two exchanges of one client. */
    public double clientIntervalNanos() {
        return 1e9 * clients / rate;
    }

    /** Intended send time of the i-th exchange (0-based) of client {@code client}. */
    public long dueNanos(int client, long i) {
        double k = (double) i * clients + client;
        return startNanos + (long) (k * 1e9 / rate);
    }

    /** Number of exchanges the schedule holds within the measured window: offered rate × duration. */
    public long scheduledInMeasurement() {
        return Math.round(rate * measureNanos / 1e9);
    }
}
