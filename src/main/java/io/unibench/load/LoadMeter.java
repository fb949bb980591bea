package io.unibench.load;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * Records one step of load. Each sending thread takes its own {@link Worker} and records without locks
 * (its own histograms, as wrk2 keeps one histogram per thread); a sampler thread calls {@link #sample()}
 * about once a second to take what happened since the previous call. A worker's four histograms share one
 * {@link WriterReaderPhaser}, so an answer recorded in three of them costs one pair of atomic increments,
 * not three as with one HdrHistogram recorder per histogram.
 *
 * <p>Every exchange is attributed by its intended send time: exchanges due before the end of the
 * warm-up are not recorded at all, so the counts satisfy sent = completed + lost + errors exactly.
 *
 * <p>Three histograms, all in nanoseconds: latency from the intended send time to the answer
 * (coordinated-omission corrected), service time from the actual send to the answer, and send lag
 * (actual minus intended send time, which tells whether the generator kept its schedule). A fourth, receive
 * lag, is recorded by engines that can tell how long an answer may have waited unread on the generator's side
 * ({@link Worker#completed(long, long, long, int, long)}).
 */
public final class LoadMeter {
    static final int SENT = 0;
    static final int COMPLETED = 1;
    static final int LOST = 2;
    static final int UNSENT = 3;
    static final int CLIENT_RX_DROPS = 4;
    static final int FIXED = 5;

    private final LoadProtocol protocol;
    private final long measureStartNanos;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private volatile boolean stopRequested;
    private volatile long stopRequestedNanos;
    private final java.util.Map<String, String> limits = new java.util.concurrent.ConcurrentHashMap<>();

    public LoadMeter(LoadProtocol protocol, long measureStartNanos) {
        this.protocol = protocol;
        this.measureStartNanos = measureStartNanos;
    }

    public LoadProtocol protocol() {
        return protocol;
    }

    /**
     * Asks the engine to end the step early (the target stopped answering, or the user pressed Ctrl-C).
     * Engines check {@link #stopRequested()} in their send loop, stop sending and drain what is out.
     */
    public void requestStop() {
        if (!stopRequested) {
            stopRequestedNanos = System.nanoTime();
            stopRequested = true;
        }
    }

    /** When {@link #requestStop()} was first called, on {@link System#nanoTime()}; 0 if never. */
    public long stopRequestedNanos() {
        return stopRequested ? stopRequestedNanos : 0;
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    /** Latest {@link System#nanoTime()} at which any worker got any answer (warm-up included), or 0. */
    public long lastAnswerNanos() {
        long last = 0;
        for (Worker w : workers) {
            last = Math.max(last, w.lastAnswerNanos);
        }
        return last;
    }

    /**
     * Latest {@link System#nanoTime()} at which anything at all came back from the target (a correct
     * answer, a wrong one, a late one, garbage; warm-up included), or 0. A target that answers everything
     * wrongly is failing, not unresponsive.
     */
    public long lastHeardNanos() {
        long last = 0;
        for (Worker w : workers) {
            last = Math.max(last, Math.max(w.lastAnswerNanos, w.lastHeardNanos));
        }
        return last;
    }

    /**
     * Says what held the generator back in this step, in words for the terminal and the CSV
     * (e.g. "in-flight limit of 4096 queries reached on 3 of 4 sockets"); the same key replaces its text.
     */
    public void limit(String key, String text) {
        limits.put(key, text);
    }

    private volatile ServerCounts serverCounts;

    /** The server's own counters over this step, when the engine could ask it (else none). */
    public void serverCounts(ServerCounts counts) {
        serverCounts = counts;
    }

    public ServerCounts serverCounts() {
        return serverCounts;
    }

    /** The limits reported in this step, sorted by key. */
    public List<String> limits() {
        return new java.util.TreeMap<>(limits).values().stream().toList();
    }

    /** A recorder for one sending thread; only that thread may call its recording methods. */
    public Worker newWorker() {
        Worker w = new Worker(FIXED + protocol.outcomes().size() + protocol.errors().size()
                + protocol.extras().size());
        workers.add(w);
        return w;
    }

    /** What all workers recorded since the previous call (or since the meter was made). */
    public synchronized IntervalSample sample() {
        int n = FIXED + protocol.outcomes().size() + protocol.errors().size() + protocol.extras().size();
        long[] counts = new long[n];
        Histogram latency = new Histogram(3);
        Histogram service = new Histogram(3);
        Histogram lag = new Histogram(3);
        Histogram recvLag = new Histogram(3);
        for (Worker w : workers) {
            w.drainInto(counts, latency, service, lag, recvLag);
        }
        int o = protocol.outcomes().size();
        int e = protocol.errors().size();
        long[] outcomes = java.util.Arrays.copyOfRange(counts, FIXED, FIXED + o);
        long[] errors = java.util.Arrays.copyOfRange(counts, FIXED + o, FIXED + o + e);
        long[] extras = java.util.Arrays.copyOfRange(counts, FIXED + o + e, n);
        return new IntervalSample(counts[SENT], counts[COMPLETED], counts[LOST], outcomes, errors, extras,
                latency, service, lag, counts[UNSENT], counts[CLIENT_RX_DROPS], Double.NaN, recvLag);
    }

    /** Single-writer recorder owned by one sending thread. */
    public final class Worker {
        private final AtomicLongArray counts;
        private final long[] drained;
        private final WriterReaderPhaser phaser = new WriterReaderPhaser();
        /** What the writer records into; swapped with {@link #inactive} by the sampler under the phaser. */
        private volatile Histograms active = new Histograms();
        private Histograms inactive = new Histograms();
        private volatile long lastAnswerNanos;
        private volatile long lastHeardNanos;

        private Worker(int n) {
            counts = new AtomicLongArray(n);
            drained = new long[n];
        }

        /** True when an exchange due at this time belongs to the measurement (not the warm-up). */
        public boolean measured(long dueNanos) {
            return dueNanos >= measureStartNanos;
        }

        /**
         * An exchange was sent at {@code actualNanos}, due at {@code dueNanos}, by a generator whose channel
         * can be busy (HTTP: one request in flight per connection): {@code readyNanos} is when the channel
         * was free to carry it. The send lag then counts only the generator's own delay, actual minus
         * max(due, ready); waiting for the busy channel is the server's time and stays in the corrected
         * latency, which runs from the due time.
         */
        public void sent(long dueNanos, long actualNanos, long readyNanos) {
            sent(dueNanos, actualNanos - (Math.max(dueNanos, readyNanos) - dueNanos));
        }

        /** An exchange was sent (or attempted) at {@code actualNanos}; it was due at {@code dueNanos}. */
        public void sent(long dueNanos, long actualNanos) {
            if (dueNanos < measureStartNanos) {
                return;
            }
            bump(SENT, 1);
            long c = phaser.writerCriticalSectionEnter();
            try {
                active.lag.recordValue(Math.max(0, actualNanos - dueNanos));
            } finally {
                phaser.writerCriticalSectionExit(c);
            }
        }

        /**
         * An exchange was sent by an external generator that does not say when (dnsperf): it is counted,
         * but no send-lag sample is recorded, so the send-lag columns stay empty rather than claim 0.
         */
        public void sentUntimed(long dueNanos) {
            if (dueNanos < measureStartNanos) {
                return;
            }
            bump(SENT, 1);
        }

        /**
         * An exchange due at {@code dueNanos} was never sent: the generator fell too far behind its
         * schedule, or had nothing to send it with (every query ID of its socket in flight). Flags the step.
         */
        public void unsent(long dueNanos) {
            if (dueNanos < measureStartNanos) {
                return;
            }
            bump(UNSENT, 1);
        }

        /** Answers the generator's own sockets dropped (receive buffer full) during the measurement. */
        public void clientRxDrops(long n) {
            bump(CLIENT_RX_DROPS, n);
        }

        /** Something came back from the target at {@code nanos}, right or wrong (not recorded as a count). */
        public void heard(long nanos) {
            lastHeardNanos = nanos;
        }

        /**
         * An answer measured by a generator that only knows its actual send time (dnsperf): it goes into the
         * service-time histogram only, so the corrected-latency columns stay empty rather than claim a
         * correction that was not made.
         */
        public void completedUncorrected(long sentNanos, long doneNanos, int outcome) {
            lastAnswerNanos = doneNanos;
            if (sentNanos < measureStartNanos) {
                return;
            }
            bump(COMPLETED, 1);
            bump(FIXED + outcome, 1);
            long c = phaser.writerCriticalSectionEnter();
            try {
                active.service.recordValue(Math.max(0, doneNanos - sentNanos));
            } finally {
                phaser.writerCriticalSectionExit(c);
            }
        }

        /** An exchange got a matching, well-formed answer of the given outcome kind. */
        public void completed(long dueNanos, long sentNanos, long doneNanos, int outcome) {
            completed(dueNanos, sentNanos, doneNanos, outcome, false, 0);
        }

        /**
         * An answer stamped at {@code doneNanos}, the closest the engine saw it arrive, that may have waited
         * up to {@code recvLagNanos} more on the generator's read side before it was read (a loop busy with
         * other answers): that wait goes into the receive-lag histogram, which flags the step when its p99
         * is high, since latency the generator adds must not pass for the server's.
         */
        public void completed(long dueNanos, long sentNanos, long doneNanos, int outcome, long recvLagNanos) {
            completed(dueNanos, sentNanos, doneNanos, outcome, true, recvLagNanos);
        }

        private void completed(long dueNanos, long sentNanos, long doneNanos, int outcome, boolean withRecvLag,
                long recvLagNanos) {
            lastAnswerNanos = doneNanos;
            if (dueNanos < measureStartNanos) {
                return;
            }
            bump(COMPLETED, 1);
            bump(FIXED + outcome, 1);
            long c = phaser.writerCriticalSectionEnter();
            try {
                Histograms h = active;
                h.latency.recordValue(Math.max(0, doneNanos - dueNanos));
                h.service.recordValue(Math.max(0, doneNanos - sentNanos));
                if (withRecvLag) {
                    h.recvLag.recordValue(Math.max(0, recvLagNanos));
                }
            } finally {
                phaser.writerCriticalSectionExit(c);
            }
        }

        /** An exchange got no answer within the timeout. Lost exchanges stay out of the latency. */
        public void lost(long dueNanos) {
            if (dueNanos < measureStartNanos) {
                return;
            }
            bump(LOST, 1);
        }

        /** An exchange failed with an error of the given kind (socket error, malformed answer...). */
        public void error(long dueNanos, int kind) {
            if (dueNanos < measureStartNanos) {
                return;
            }
            bump(FIXED + protocol.outcomes().size() + kind, 1);
        }

        /** An event outside the balance: late or duplicate answers, reconnects, bytes read. */
        public void extra(int kind, long n) {
            bump(FIXED + protocol.outcomes().size() + protocol.errors().size() + kind, n);
        }

        /**
         * An event outside the balance that belongs to the exchange due at {@code dueNanos} (a late,
         * duplicate or mismatched answer): counted only when that exchange is measured in this step, so
         * answers to warm-up queries, or to an earlier step's, do not land in this step's columns.
         */
        public void extra(int kind, long n, long dueNanos) {
            if (dueNanos < measureStartNanos) {
                return;
            }
            extra(kind, n);
        }

        private void bump(int i, long n) {
            counts.setRelease(i, counts.getPlain(i) + n);
        }

        private synchronized void drainInto(long[] into, Histogram lat, Histogram svc, Histogram lg, Histogram rl) {
            for (int i = 0; i < drained.length; i++) {
                long now = counts.getAcquire(i);
                into[i] += now - drained[i];
                drained[i] = now;
            }
            Histograms taken;
            phaser.readerLock();
            try {
                taken = active;
                active = inactive;
                phaser.flipPhase();
            } finally {
                phaser.readerUnlock();
            }
            lat.add(taken.latency);
            svc.add(taken.service);
            lg.add(taken.lag);
            rl.add(taken.recvLag);
            taken.reset();
            inactive = taken;
        }
    }

    /** One worker's four histograms, in nanoseconds; written by the worker, read only after a phase flip. */
    private static final class Histograms {
        final Histogram latency = new Histogram(3);
        final Histogram service = new Histogram(3);
        final Histogram lag = new Histogram(3);
        final Histogram recvLag = new Histogram(3);

        void reset() {
            latency.reset();
            service.reset();
            lag.reset();
            recvLag.reset();
        }
    }
}
