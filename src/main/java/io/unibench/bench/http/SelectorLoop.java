package io.unibench.bench.http;

import io.unibench.load.LoadMeter;
import io.unibench.load.StepSchedule;
import io.unibench.load.Waker;
import io.unibench.protocol.HttpResponseParser;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.function.Consumer;

/**
 * One sending thread of the {@link HttpEngine}: a selector over its share of the connections. Each loop
 * pass serves the connections whose next instant has come (a due request, a timeout, a connect retry;
 * kept in a {@link WakeHeap}, so a pass costs O(log n), not a scan of all connections), then blocks in
 * select until a socket is ready or that next instant (never spinning). A connection that becomes
 * ready (answer read, connect done) sends a request already due at once. Everything is
 * preallocated: one read buffer for all connections (the parser keeps no reference to it), one parser
 * and one view of the pre-encoded requests per connection.
 *
 * <p>Answers are stamped when the select that found them returned (the first key of a pass takes the
 * clock), not when the loop got round to parsing them: answers read later in the same pass are not charged
 * the time spent on earlier ones. What the loop cannot see is how long an answer waited before that select:
 * it arrived at the earliest when the loop last looked (the previous select's return) or when its request
 * went out, whichever is later, and the loop was busy from then until it entered this select. That window
 * plus the parse delay within the pass is the answer's receive lag ({@link LoadMeter.Worker#completed(long,
 * long, long, int, long)}): an upper bound, microseconds when the loop keeps up, which flags the step when a
 * slow read side would otherwise pass for a slow server.
 */
final class SelectorLoop {
    private static final int CLOSED = 0;
    private static final int CONNECTING = 1;
    private static final int OPEN = 2;
    private static final int BACKOFF = 3;

    /** Backoff after a failed connect (or a connection closed before any answer), doubling up to the max. */
    static final long MIN_BACKOFF_NANOS = 10_000_000L;
    static final long MAX_BACKOFF_NANOS = 1_000_000_000L;
    /** A connection closed this soon after opening, without answering anything, backs off before reopening. */
    static final long QUICK_CLOSE_NANOS = 100_000_000L;
    private static final long MS = 1_000_000L;
    /** Beyond this past the end of the sending window a step is abandoned, whatever is still out. */
    private static final long DRAIN_GRACE_NANOS = 2_000_000_000L;
    private static final long GUARD_NANOS = 50_000L;
    /**
     * A request due within this much of now goes out now when its connection is free, rather than after
     * one more wake-up: the {@link Waker} and the scheduler wake the loop 20-60 us late, which would
     * otherwise show as send lag on every request at low rates (measured at 2k rps: send lag p50 30 us
     * before, 0 after), and nearby due times share one wake-up. Such a request counts as due when it
     * was sent, so its corrected latency never drops below its service time.
     */
    static final long EARLY_NANOS = 50_000L;

    private final int index;
    private final HttpEngine.Options options;
    private final Selector selector;
    private final Conn[] conns;
    private final ByteBuffer readBuf = ByteBuffer.allocateDirect(64 * 1024);
    private final int requestLen;
    private final Consumer<SelectionKey> onKey = this::onKey;
    private final WakeHeap heap;
    /** Connections that still have requests to send or answers to wait for in this step. */
    private int pendingCount;

    // state of the step being run (only touched by the step's thread)
    private StepSchedule schedule;
    private LoadMeter.Worker worker;
    private long timeout;
    private long sendUntil;
    /** When the loop entered the current select, when that select returned (0 until its first key), and when
     * the loop returned from the select before it (the last time it looked at its sockets). */
    private long selectEntered;
    private long passStamp;
    private long lookedAt;

    /** Called once per parsed answer, in the loop's thread; tests make the read side slow with it. */
    static volatile Runnable onAnswerForTest;

    SelectorLoop(int index, HttpEngine.Options options, List<Integer> clients, ByteBuffer requests, int requestLen)
            throws IOException {
        this.index = index;
        this.options = options;
        this.requestLen = requestLen;
        this.selector = Selector.open();
        this.conns = new Conn[clients.size()];
        this.heap = new WakeHeap(conns.length);
        for (int i = 0; i < conns.length; i++) {
            conns[i] = new Conn(i, clients.get(i), requests.duplicate());
        }
    }

    int index() {
        return index;
    }

    /** Starts connecting every closed connection (before the first step; see {@link HttpEngine#prepare}). */
    void openAll() {
        long now = System.nanoTime();
        for (Conn c : conns) {
            if (c.state == CLOSED) {
                c.connect(now);
            }
        }
    }

    /**
     * Waits until no connection is still connecting, or the deadline. Failed connects stay in backoff and
     * connections still connecting at the deadline are left as they are: the first step treats both as usual.
     */
    void awaitOpen(long deadlineNanos) throws IOException {
        while (true) {
            boolean connecting = false;
            for (Conn c : conns) {
                connecting |= c.state == CONNECTING;
            }
            long left = deadlineNanos - System.nanoTime();
            if (!connecting || left <= 0) {
                return;
            }
            selector.select(Math.max(1, Math.min(100, left / 1_000_000)));
            for (SelectionKey k : selector.selectedKeys()) {
                if (k.isValid() && k.isConnectable()) {
                    ((Conn) k.attachment()).onConnectable(System.nanoTime());
                }
            }
            selector.selectedKeys().clear();
        }
    }

    void runStep(StepSchedule s, LoadMeter meter) throws IOException, InterruptedException {
        schedule = s;
        worker = meter.newWorker();
        timeout = s.timeoutNanos();
        long end = s.endNanos();
        sendUntil = end;
        Waker waker = new Waker(selector, "unibench-http-waker-" + index);
        try {
            long now = System.nanoTime();
            pendingCount = 0;
            lookedAt = now;
            selectEntered = now;
            passStamp = 0;
            for (Conn c : conns) {
                c.beginStep();
                if (c.state == CLOSED) {
                    c.connect(now);
                }
                refile(c, now);
            }
            while (true) {
                now = System.nanoTime();
                long stopAt = meter.stopRequestedNanos();
                long until = stopAt != 0 ? Math.min(end, stopAt) : end;
                if (until != sendUntil) {
                    // stopped early: nothing more is due, every connection only drains
                    sendUntil = until;
                    for (Conn c : conns) {
                        c.service(now);
                        refile(c, now);
                    }
                }
                // only the connections whose next instant has come: due requests, timeouts, retries
                while (heap.peekKey() <= now) {
                    Conn c = conns[heap.peek()];
                    long t = System.nanoTime(); // sends later in the pass are stamped when they happen
                    c.service(t);
                    refile(c, t);
                }
                if (pendingCount == 0) {
                    break;
                }
                if (now - sendUntil > 2 * timeout + DRAIN_GRACE_NANOS) {
                    // cannot happen while every timeout is enforced; never let a step hang regardless
                    for (Conn c : conns) {
                        c.abandon(now);
                    }
                    break;
                }
                long wake = heap.peekKey();
                long t0 = System.nanoTime();
                long wait = wake - t0;
                if (wait <= 0) {
                    select(t0, 0);
                } else if (wait > 2 * MS) {
                    // coarse sleep that ends about a millisecond early; the next pass waits precisely
                    select(t0, (wait - MS) / MS);
                } else {
                    waker.arm(wake);
                    waker.selecting(true);
                    // re-read the clock after announcing the select: a deadline that passed meanwhile was
                    // skipped by the waker (we were not selecting yet), so do not block on it
                    t0 = System.nanoTime();
                    wait = wake - t0;
                    select(t0, wait <= 0 ? 0 : (wait + MS - 1) / MS);
                    waker.selecting(false);
                }
                if (Thread.interrupted()) {
                    meter.requestStop();
                }
            }
        } finally {
            waker.stop();
        }
    }

    /** One select: {@code millis} 0 = do not block; stamps the pass (see the class comment). */
    private void select(long enteredNanos, long millis) throws IOException {
        selectEntered = enteredNanos;
        passStamp = 0;
        if (millis <= 0) {
            selector.selectNow(onKey);
        } else {
            selector.select(onKey, millis);
        }
        lookedAt = passStamp != 0 ? passStamp : System.nanoTime();
    }

    private void onKey(SelectionKey key) {
        long now = System.nanoTime();
        if (passStamp == 0) {
            passStamp = now;
        }
        Conn c = (Conn) key.attachment();
        if (c.key != key || !key.isValid()) {
            return; // a channel closed earlier in this pass
        }
        int ready = key.readyOps();
        if ((ready & SelectionKey.OP_CONNECT) != 0) {
            c.onConnectable(now);
        } else {
            if ((ready & SelectionKey.OP_READ) != 0) {
                c.onReadable(now);
            }
            if (c.key == key && key.isValid() && (ready & SelectionKey.OP_WRITE) != 0) {
                c.onWritable(now);
            }
        }
        // a request already due goes out now that the connection is free, not at the next pass
        long t = System.nanoTime();
        c.service(t);
        refile(c, t);
    }

    /** Files a connection after anything happened to it: its next instant, and whether it holds the step open. */
    private void refile(Conn c, long now) {
        long w = c.wakeAt();
        if (w <= now) {
            w = now + GUARD_NANOS; // service() leaves nothing due; if it ever did, retry soon rather than spin
        }
        heap.set(c.slot, w);
        boolean p = c.pending();
        if (p != c.pend) {
            c.pend = p;
            pendingCount += p ? 1 : -1;
        }
    }

    void close() {
        for (Conn c : conns) {
            c.close();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** One keep-alive connection and the requests in flight on it (a FIFO, at most pipeline long). */
    private final class Conn {
        final int slot;
        final int client;
        boolean pend;
        final ByteBuffer out;
        final HttpResponseParser parser = new HttpResponseParser().expectBodyContains(options.expectBody());
        final long[] inDue = new long[options.pipeline()];
        final long[] inSent = new long[options.pipeline()];
        int inHead;
        int inCount;
        SocketChannel ch;
        SelectionKey key;
        int state = CLOSED;
        boolean writePending;
        boolean answeredSinceOpen;
        long connectStart;
        long openedAt;
        long retryAt;
        long backoff;
        /** When the connection last became free to carry one more request (send lag counts from then). */
        long freeAt;
        long seq;
        long nextDue;

        Conn(int slot, int client, ByteBuffer out) {
            this.slot = slot;
            this.client = client;
            this.out = out;
            parser.reset(options.head());
        }

        void beginStep() {
            pend = false;
            seq = 0;
            nextDue = schedule.dueNanos(client, 0);
        }

        private void advance() {
            seq++;
            nextDue = schedule.dueNanos(client, seq);
        }

        boolean pending() {
            return inCount > 0 || nextDue < sendUntil;
        }

        /** The next instant this connection needs the loop: a due request, a timeout, a retry. */
        long wakeAt() {
            long t = Long.MAX_VALUE;
            if (state == BACKOFF) {
                t = retryAt;
            } else if (state == CONNECTING) {
                t = connectStart + timeout;
            }
            if (inCount > 0) {
                t = Math.min(t, inSent[inHead] + timeout);
            }
            if (nextDue < sendUntil) {
                boolean free = state == BACKOFF || (state == OPEN && !writePending && inCount < inDue.length);
                // a request waiting for a busy connection needs the loop again only when it times out
                t = Math.min(t, free ? nextDue - early(nextDue, nextDue - EARLY_NANOS) : nextDue + timeout);
            }
            return t;
        }

        /** Retries, timeouts and due requests at {@code now}. */
        void service(long now) {
            if (state == BACKOFF && now >= retryAt) {
                connect(now);
            }
            if (state == CONNECTING && now - connectStart >= timeout) {
                connectFailed(now);
            }
            if (inCount > 0 && now - inSent[inHead] >= timeout) {
                long cause = inDue[inHead];
                for (int i = 0; i < inCount; i++) {
                    worker.lost(inDue[(inHead + i) % inDue.length]);
                }
                inCount = 0;
                reopen(now, false, cause);
            }
            int batch = 0;
            while (nextDue < sendUntil) {
                long due = nextDue;
                boolean free = state == OPEN && !writePending && inCount < inDue.length;
                if (due > now + (free ? early(due, now) : 0)) {
                    break;
                }
                if (state == BACKOFF) {
                    // no usable connection: counted without touching the network, at the offered rate; not
                    // sent, and no send lag (the wait is the server's refusal, not the generator's delay)
                    worker.error(due, HttpEngine.E_CONNECT);
                } else if (now - due >= timeout) {
                    // waited for a busy (or still connecting) connection longer than the timeout: the
                    // server's delay, not the generator's (no send lag)
                    worker.sent(due, now, now);
                    worker.lost(due);
                } else if (free) {
                    // sent up to EARLY_NANOS before its due time, it counts as due when sent
                    long d = Math.min(due, now);
                    int slot = (inHead + inCount) % inDue.length;
                    inDue[slot] = d;
                    inSent[slot] = now;
                    inCount++;
                    batch++;
                    worker.sent(d, now, freeAt);
                } else {
                    break; // the request waits; its latency keeps counting from its due time
                }
                advance();
            }
            if (batch > 0) {
                write(batch, now);
            }
        }

        /**
         * How early a request due at {@code due} may go out at {@code now}: {@link #EARLY_NANOS}, except
         * that a measured request is never sent during the warm-up (its counts must stay in the step).
         */
        private long early(long due, long now) {
            long measureStart = schedule.measureStartNanos();
            return due >= measureStart && now < measureStart ? 0 : EARLY_NANOS;
        }

        private void write(int requests, long now) {
            out.clear();
            out.limit(requests * requestLen);
            try {
                ch.write(out);
            } catch (IOException e) {
                fail(HttpEngine.E_WRITE, now);
                return;
            }
            if (out.hasRemaining()) {
                writePending = true;
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }

        void onWritable(long now) {
            try {
                ch.write(out);
            } catch (IOException e) {
                fail(HttpEngine.E_WRITE, now);
                return;
            }
            if (!out.hasRemaining()) {
                writePending = false;
                freeAt = now;
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        void onReadable(long now) {
            ByteBuffer b = readBuf;
            b.clear();
            int n;
            try {
                n = ch.read(b);
            } catch (IOException e) {
                fail(HttpEngine.E_READ, now);
                return;
            }
            if (n < 0) {
                onEndOfStream(now);
                return;
            }
            if (n == 0) {
                return;
            }
            worker.heard(now);
            if (inCount > 0 ? worker.measured(inDue[inHead]) : worker.measured(now)) {
                worker.extra(HttpEngine.X_BYTES_READ, n);
            }
            b.flip();
            while (b.hasRemaining()) {
                if (inCount == 0) {
                    // bytes nobody asked for (e.g. a 408 before an idle close): this connection is done
                    reopen(now, true, now);
                    return;
                }
                HttpResponseParser.Result r = parser.feed(b);
                if (r == HttpResponseParser.Result.NEED_MORE) {
                    return;
                }
                if (r == HttpResponseParser.Result.ERROR) {
                    fail(HttpEngine.E_PARSE, now);
                    return;
                }
                boolean close = parser.mustClose();
                long due = responseComplete(now);
                if (close) {
                    failInFlight(HttpEngine.E_READ); // pipelined requests the server will not answer
                    reopen(now, true, due);
                    return;
                }
            }
        }

        private void onEndOfStream(long now) {
            long cause = inCount > 0 ? inDue[inHead] : now;
            if (inCount > 0 && parser.endOfInput() == HttpResponseParser.Result.COMPLETE) {
                responseComplete(now); // a body delimited by the close
            }
            failInFlight(HttpEngine.E_READ);
            reopen(now, true, cause);
        }

        /**
         * Records the answer to the oldest request in flight, stamped when this pass's select returned, with
         * its receive lag; returns that request's due time.
         */
        private long responseComplete(long now) {
            long due = inDue[inHead];
            long sent = inSent[inHead];
            Runnable slow = onAnswerForTest;
            if (slow != null) {
                slow.run();
            }
            long arrived = passStamp != 0 && passStamp <= now ? passStamp : now;
            long unseen = Math.max(0, selectEntered - Math.max(lookedAt, sent));
            if (passStamp == 0) {
                unseen = 0; // read outside a select pass (e.g. the end of a stream): stamped when read
            }
            long recvLag = unseen + (now - arrived);
            inHead = (inHead + 1) % inDue.length;
            inCount--;
            freeAt = now;
            answeredSinceOpen = true;
            backoff = 0;
            int status = parser.status();
            if (status >= 600) {
                worker.error(due, HttpEngine.E_PARSE);
            } else if (status / 100 == 2 && !parser.bodyMatched()) {
                worker.error(due, HttpEngine.E_BODY);
            } else {
                worker.completed(due, sent, Math.max(arrived, sent), status / 100 - 1, recvLag);
            }
            parser.reset(options.head());
            return due;
        }

        private void failInFlight(int kind) {
            for (int i = 0; i < inCount; i++) {
                worker.error(inDue[(inHead + i) % inDue.length], kind);
            }
            inCount = 0;
            parser.reset(options.head());
        }

        private void fail(int kind, long now) {
            long cause = inCount > 0 ? inDue[inHead] : now;
            failInFlight(kind);
            reopen(now, true, cause);
        }

        /**
         * Closes and opens again. A connection that failed or was closed soon after it opened, without
         * answering anything, waits a backoff first, so a server that accepts and drops every connection
         * does not get a connect storm; one closed after idling (a server's idle timeout) reopens at once.
         * Each reopening counts as a reconnect of this step when the request that led to it was measured
         * ({@code causeDue}, or the time of an idle close), like every other count.
         */
        private void reopen(long now, boolean closedByPeerOrError, long causeDue) {
            if (worker.measured(causeDue)) {
                worker.extra(HttpEngine.X_RECONNECTS, 1);
            }
            boolean quickFailure = closedByPeerOrError && !answeredSinceOpen && now - openedAt < QUICK_CLOSE_NANOS;
            close();
            if (quickFailure) {
                enterBackoff(now);
            } else {
                connect(now);
            }
        }

        void connect(long now) {
            try {
                ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean done = ch.connect(options.address());
                key = ch.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
                if (done) {
                    opened(now);
                } else {
                    state = CONNECTING;
                    connectStart = now;
                }
            } catch (IOException e) {
                connectFailed(now);
            }
        }

        void onConnectable(long now) {
            try {
                if (ch.finishConnect()) {
                    key.interestOps(SelectionKey.OP_READ);
                    opened(now);
                }
            } catch (IOException e) {
                connectFailed(now);
            }
        }

        private void opened(long now) {
            state = OPEN;
            openedAt = now;
            freeAt = now;
            answeredSinceOpen = false;
        }

        private void connectFailed(long now) {
            close();
            enterBackoff(now);
        }

        private void enterBackoff(long now) {
            state = BACKOFF;
            backoff = backoff == 0 ? MIN_BACKOFF_NANOS : Math.min(MAX_BACKOFF_NANOS, backoff * 2);
            retryAt = now + backoff;
            // requests already waiting for this connection fail now; later ones as they come due
            while (nextDue < sendUntil && nextDue <= now) {
                worker.error(nextDue, HttpEngine.E_CONNECT);
                advance();
            }
        }

        /** Gives up on whatever is still out (only when a step overran all its timeouts). */
        void abandon(long now) {
            for (int i = 0; i < inCount; i++) {
                worker.lost(inDue[(inHead + i) % inDue.length]);
            }
            inCount = 0;
            while (nextDue < sendUntil) {
                worker.unsent(nextDue); // never written: the generator gave up on the step
                advance();
            }
            close();
        }

        void close() {
            if (key != null) {
                key.cancel();
                key = null;
            }
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                ch = null;
            }
            state = CLOSED;
            writePending = false;
            parser.reset(options.head());
        }
    }
}
