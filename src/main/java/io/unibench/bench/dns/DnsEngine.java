package io.unibench.bench.dns;

import io.unibench.UnibenchException;
import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.LoadProtocol;
import io.unibench.load.StepSchedule;
import io.unibench.protocol.DnsWire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Open-loop DNS over UDP, built for rate: {@code clients} connected UDP sockets (distinct source ports)
 * spread over {@code threads} sender threads. Each thread owns its sockets and does everything for them
 * in one loop, with no locks and no allocation per query: send the queries that are due (in small
 * batches, from pre-encoded messages with only the ID rewritten), read the replies that are there
 * (one {@link Selector} per thread, non-blocking), sweep timed-out queries; and when there is nothing
 * to do it parks for ~50 µs instead of spinning, so the server keeps its core.
 *
 * <p>Replies are matched by socket, then DNS ID (a per-socket table indexed by ID; an ID is not reused
 * while outstanding), then question (name ASCII case-insensitive, type, class). A reply for an ID
 * that is no longer outstanding counts as {@code late} (or {@code duplicate} when it was already
 * answered); same ID but another question is {@code mismatched} and the query stays outstanding; a
 * datagram that is not a DNS response at all is also {@code mismatched}. A reply that matches an ID but
 * does not parse ends that query as the error {@code malformed}.
 */
public final class DnsEngine implements LoadEngine {
    public static final LoadProtocol PROTOCOL = new LoadProtocol("dns", "qps", "sent", "lost",
            List.of("rcode_noerror", "rcode_nxdomain", "rcode_servfail", "rcode_refused", "rcode_other"),
            List.of("malformed"), List.of("late", "duplicate", "mismatched"), List.of(0, 1));

    static final int OUT_NOERROR = 0;
    static final int OUT_NXDOMAIN = 1;
    static final int OUT_SERVFAIL = 2;
    static final int OUT_REFUSED = 3;
    static final int OUT_OTHER = 4;
    static final int ERR_MALFORMED = 0;
    static final int X_LATE = 0;
    static final int X_DUPLICATE = 1;
    static final int X_MISMATCHED = 2;

    /** Queries sent back to back before the thread reads replies again. */
    static final int SEND_BATCH = 32;
    /** Replies read from one ready socket before moving on, when the thread owns few sockets. */
    static final int READ_BATCH = 32;
    /**
     * From this many sockets per thread on, read one reply per ready socket and round: each socket then
     * rarely holds more than one, and reading on until EAGAIN would cost one wasted system call per ready
     * socket; what is left is seen by the next (level-triggered) select.
     */
    static final int MANY_SOCKETS = 16;
    /** Sleep when there is nothing to send or read (a spinning sender steals the server's core). */
    static final long PARK_NANOS = 50_000;
    /** Queries still unsent this long after the end of the schedule are dropped from the step. */
    static final long END_GRACE_NANOS = 100_000_000;
    /** A thread this far behind its schedule catches up at twice its rate rather than in a burst. */
    static final long CATCH_UP_AFTER_NANOS = 1_000_000;
    /** Gaps of at least two of these are slept in a blocking select (millisecond resolution). */
    static final long LONG_WAIT_UNIT_NANOS = 1_000_000;
    /** Longest blocking wait, so a stop request is seen soon. */
    static final long MAX_BLOCK_MILLIS = 100;
    /** How often outstanding queries are checked for their timeout. */
    static final long SWEEP_NANOS = 1_000_000;
    /** Client socket buffers (the kernel caps them at net.core.[rw]mem_max). */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final InetSocketAddress target;
    private final QueryFile queryFile;
    private final byte[][] queries;
    private final int[] questionEnds;
    private final int clients;
    private final Sender[] senders;

    /**
     * Opens and connects the sockets.
     *
     * @throws UnibenchException when the sockets cannot be opened or connected
     */
    public DnsEngine(InetSocketAddress target, QueryFile queryFile, int clients, int threads) {
        if (clients < 1 || threads < 1 || threads > clients) {
            throw new IllegalArgumentException("clients=" + clients + " threads=" + threads);
        }
        this.target = target;
        this.queryFile = queryFile;
        this.clients = clients;
        List<QueryFile.Query> qs = queryFile.queries();
        this.queries = new byte[qs.size()][];
        this.questionEnds = new int[qs.size()];
        for (int i = 0; i < qs.size(); i++) {
            queries[i] = DnsWire.encodeQuery(0, qs.get(i).name(), qs.get(i).type());
            questionEnds[i] = DnsWire.questionEnd(queries[i]);
        }
        this.senders = new Sender[threads];
        SplittableRandom random = new SplittableRandom();
        try {
            for (int t = 0; t < threads; t++) {
                List<Integer> owned = new ArrayList<>();
                for (int c = t; c < clients; c += threads) {
                    owned.add(c);
                }
                senders[t] = new Sender(t, owned.stream().mapToInt(Integer::intValue).toArray(), random.split());
            }
        } catch (IOException e) {
            close();
            throw new UnibenchException("cannot open UDP sockets to " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LoadProtocol protocol() {
        return PROTOCOL;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "unibench udp: %d sockets, %d sender thread%s, %d queries from %s",
                clients, senders.length, senders.length == 1 ? "" : "s", queries.length, queryFile.source());
    }

    public InetSocketAddress target() {
        return target;
    }

    @Override
    public void runStep(StepSchedule schedule, LoadMeter meter) throws InterruptedException {
        if (schedule.clients() != clients) {
            throw new IllegalArgumentException("schedule for " + schedule.clients() + " clients, engine has " + clients);
        }
        // enough IDs per socket for every query that can be outstanding within the timeout, plus slack
        double perSocketInTimeout = schedule.rate() / clients * (schedule.timeoutNanos() / 1e9);
        int tableSize = Integer.highestOneBit((int) Math.min(65536, Math.max(256, perSocketInTimeout * 1.25 + 64)) * 2 - 1);
        tableSize = Math.min(65536, tableSize);
        Thread[] threads = new Thread[senders.length];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < senders.length; t++) {
            Sender s = senders[t];
            s.prepare(tableSize);
            threads[t] = new Thread(() -> {
                try {
                    s.run(schedule, meter);
                } catch (Throwable e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                    meter.requestStop();
                }
            }, "unibench-dns-" + t);
            threads[t].setDaemon(true);
        }
        for (Thread t : threads) {
            t.start();
        }
        InterruptedException interrupted = null;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = e;
                    meter.requestStop(); // senders stop sending and drain what is out
                }
            }
        }
        if (failure[0] != null) {
            Throwable e = failure[0];
            if (e instanceof UnibenchException u) {
                throw u;
            }
            throw new UnibenchException("DNS sender failed: " + e, e);
        }
        if (interrupted != null) {
            throw interrupted;
        }
    }

    @Override
    public void close() {
        for (Sender s : senders) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static final byte FREE = 0;
    private static final byte OUTSTANDING = 1;
    private static final byte ANSWERED = 2;
    private static final byte TIMED_OUT = 3;

    /** Queries of one socket, indexed by ID: a query's sequence number s uses ID s & 0xFFFF in slot s & mask. */
    private static final class Table {
        long[] due = new long[0];
        long[] sent = new long[0];
        int[] seq = new int[0];
        int[] query = new int[0];
        byte[] state = new byte[0];
        int mask;
        /** Sequence number of the next query; continues across steps so late replies stay late. */
        int nextSeq;
        /** No query before this sequence number is outstanding. */
        int oldestSeq;

        void prepare(int size) {
            if (state.length != size) {
                due = new long[size];
                sent = new long[size];
                seq = new int[size];
                query = new int[size];
                state = new byte[size];
            } else {
                Arrays.fill(state, FREE);
            }
            mask = size - 1;
            oldestSeq = nextSeq;
        }
    }

    /** One sender thread: its sockets, their tables, its buffers. */
    private final class Sender {
        final int index;
        final int[] owned;
        final DatagramChannel[] channels;
        final Table[] tables;
        final Selector selector;
        final ByteBuffer sendBuf = ByteBuffer.allocateDirect(512);
        final ByteBuffer recvBuf = ByteBuffer.allocateDirect(65536);
        final Consumer<SelectionKey> onReadable = this::drain;
        final int readBatch;
        int outstanding;
        int readThisRound;
        LoadMeter.Worker worker;
        IOException readFailure;

        Sender(int index, int[] owned, SplittableRandom random) throws IOException {
            this.index = index;
            this.owned = owned;
            this.channels = new DatagramChannel[owned.length];
            this.tables = new Table[owned.length];
            this.readBatch = owned.length >= MANY_SOCKETS ? 1 : READ_BATCH;
            this.selector = Selector.open();
            try {
                for (int i = 0; i < owned.length; i++) {
                    DatagramChannel ch = DatagramChannel.open();
                    channels[i] = ch;
                    ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
                    ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
                    ch.connect(target);
                    ch.configureBlocking(false);
                    ch.register(selector, SelectionKey.OP_READ, i);
                    tables[i] = new Table();
                    tables[i].nextSeq = random.nextInt(65536);
                }
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        void prepare(int tableSize) {
            for (Table t : tables) {
                t.prepare(tableSize);
            }
            outstanding = 0;
            readFailure = null;
        }

        void run(StepSchedule schedule, LoadMeter meter) throws IOException {
            LoadMeter.Worker w = meter.newWorker();
            worker = w;
            final int n = owned.length;
            final long end = schedule.endNanos();
            final long timeout = schedule.timeoutNanos();
            final int nq = queries.length;
            long round = 0;
            int pos = 0;
            long due = schedule.dueNanos(owned[0], 0);
            boolean sending = due < end;
            // wrk2's catch-up: a thread that fell behind (descheduled on a busy machine) sends its backlog
            // at twice its rate until it meets the schedule again, instead of in one burst that would
            // overflow the server's socket buffer; latency still counts from each query's own due time
            final double catchUpGap = 0.5e9 * clients / (schedule.rate() * n);
            boolean catchingUp = false;
            long catchUpStart = 0;
            long sentInCatchUp = 0;
            long sendAt = due;
            long nextSweep = System.nanoTime() + SWEEP_NANOS;
            while (true) {
                long now = System.nanoTime();
                int work = 0;
                if (sending && (meter.stopRequested() || now - end >= END_GRACE_NANOS)) {
                    // a generator still behind well after the step is over does not send the rest of its
                    // backlog: what it did not send in time shows as achieved < offered (saturated)
                    sending = false;
                }
                if (sending && !catchingUp && now - due > CATCH_UP_AFTER_NANOS) {
                    catchingUp = true;
                    catchUpStart = now;
                    sentInCatchUp = 0;
                    sendAt = now;
                }
                if (sending && sendAt <= now) {
                    for (int batch = 0; batch < SEND_BATCH && sendAt <= now; batch++) {
                        Table t = tables[pos];
                        int slot = t.nextSeq & t.mask;
                        if (t.state[slot] == OUTSTANDING) {
                            break; // every ID of this socket's table is in flight: wait for answers or timeouts
                        }
                        int q = (int) ((round * clients + owned[pos]) % nq);
                        sendBuf.clear();
                        sendBuf.put(queries[q]);
                        sendBuf.flip();
                        DnsWire.putId(sendBuf, t.nextSeq & 0xFFFF);
                        long actual = System.nanoTime();
                        if (!write(channels[pos], sendBuf)) {
                            break; // socket send buffer full: try again on the next round
                        }
                        t.due[slot] = due;
                        t.sent[slot] = actual;
                        t.seq[slot] = t.nextSeq;
                        t.query[slot] = q;
                        t.state[slot] = OUTSTANDING;
                        t.nextSeq++;
                        outstanding++;
                        w.sent(due, actual);
                        work++;
                        if (++pos == n) {
                            pos = 0;
                            round++;
                        }
                        due = schedule.dueNanos(owned[pos], round);
                        sendAt = due;
                        if (catchingUp) {
                            long pace = catchUpStart + (long) (++sentInCatchUp * catchUpGap);
                            if (pace >= due) {
                                catchingUp = false; // back on schedule
                            } else {
                                sendAt = pace;
                            }
                        }
                        if (due >= end) {
                            sending = false;
                            break;
                        }
                    }
                }
                if (outstanding > 0) {
                    work += receive();
                    if (readFailure != null) {
                        throw readFailure;
                    }
                }
                now = System.nanoTime();
                if (now >= nextSweep) {
                    sweep(now, timeout);
                    nextSweep = now + SWEEP_NANOS;
                }
                if (!sending && outstanding == 0) {
                    return;
                }
                if (work == 0) {
                    long untilDue = sending ? sendAt - now : Long.MAX_VALUE;
                    if (untilDue >= 2 * LONG_WAIT_UNIT_NANOS) {
                        // a long gap (low rates, or draining): block until a reply comes, so its time stamp
                        // is exact, or until about a millisecond before the next query is due
                        long ms = Math.min(MAX_BLOCK_MILLIS, untilDue / LONG_WAIT_UNIT_NANOS - 1);
                        if (outstanding > 0) {
                            readThisRound = 0;
                            selector.select(onReadable, ms);
                            if (readFailure != null) {
                                throw readFailure;
                            }
                        } else {
                            LockSupport.parkNanos(ms * LONG_WAIT_UNIT_NANOS);
                        }
                    } else {
                        // due soon, or behind schedule but blocked (full ID table or socket buffer): sleep a
                        // little, never spin
                        LockSupport.parkNanos(untilDue > 0 ? Math.min(PARK_NANOS, untilDue) : PARK_NANOS);
                    }
                }
            }
        }

        /** Sends one datagram; false when the socket buffer is full (non-blocking). */
        private boolean write(DatagramChannel ch, ByteBuffer buf) throws IOException {
            try {
                return ch.write(buf) > 0;
            } catch (PortUnreachableException e) {
                // an ICMP error from an earlier datagram was pending on the socket; this one was not sent
                buf.rewind();
                return ch.write(buf) > 0;
            }
        }

        private int receive() throws IOException {
            readThisRound = 0;
            selector.selectNow(onReadable);
            return readThisRound;
        }

        /** Reads up to readBatch replies from one ready socket. */
        private void drain(SelectionKey key) {
            int ci = (Integer) key.attachment();
            DatagramChannel ch = channels[ci];
            for (int i = 0; i < readBatch; i++) {
                recvBuf.clear();
                int len;
                try {
                    len = ch.read(recvBuf);
                } catch (PortUnreachableException e) {
                    continue; // ICMP port unreachable: nothing listens; the queries will time out
                } catch (IOException e) {
                    readFailure = e;
                    return;
                }
                if (len <= 0) {
                    return;
                }
                long now = System.nanoTime();
                recvBuf.flip();
                readThisRound++;
                handle(tables[ci], now);
            }
        }

        private void handle(Table t, long now) {
            LoadMeter.Worker w = worker;
            ByteBuffer r = recvBuf;
            if (r.limit() < DnsWire.HEADER_BYTES || !DnsWire.isResponse(r)) {
                w.extra(X_MISMATCHED, 1);
                return;
            }
            int id = DnsWire.id(r);
            int slot = id & t.mask;
            byte st = t.state[slot];
            if (st == FREE || (t.seq[slot] & 0xFFFF) != id) {
                w.extra(X_LATE, 1);
                return;
            }
            if (st == ANSWERED) {
                w.extra(X_DUPLICATE, 1);
                return;
            }
            if (st == TIMED_OUT) {
                w.extra(X_LATE, 1);
                return;
            }
            int q = t.query[slot];
            int rcode = DnsWire.rcode(r);
            if (!DnsWire.wellFormed(r)) {
                finish(t, slot);
                w.error(t.due[slot], ERR_MALFORMED);
                return;
            }
            int qEnd = DnsWire.questionEnd(r);
            boolean matches = qEnd < 0 ? DnsWire.questionCount(r) == 0 && rcode != DnsWire.RCODE_NOERROR
                    : DnsWire.questionMatches(r, qEnd, queries[q], questionEnds[q]);
            if (!matches) {
                w.extra(X_MISMATCHED, 1);
                return;
            }
            finish(t, slot);
            int outcome = switch (rcode) {
                case DnsWire.RCODE_NOERROR -> OUT_NOERROR;
                case DnsWire.RCODE_NXDOMAIN -> OUT_NXDOMAIN;
                case DnsWire.RCODE_SERVFAIL -> OUT_SERVFAIL;
                case DnsWire.RCODE_REFUSED -> OUT_REFUSED;
                default -> OUT_OTHER;
            };
            w.completed(t.due[slot], t.sent[slot], now, outcome);
        }

        private void finish(Table t, int slot) {
            t.state[slot] = ANSWERED;
            outstanding--;
        }

        /** Ends the queries older than the timeout as lost, oldest first, per socket. */
        private void sweep(long now, long timeout) {
            LoadMeter.Worker w = worker;
            for (Table t : tables) {
                while (t.oldestSeq != t.nextSeq) {
                    int slot = t.oldestSeq & t.mask;
                    if (t.seq[slot] == t.oldestSeq && t.state[slot] == OUTSTANDING) {
                        if (now - t.sent[slot] < timeout) {
                            break;
                        }
                        t.state[slot] = TIMED_OUT;
                        outstanding--;
                        w.lost(t.due[slot]);
                    }
                    t.oldestSeq++;
                }
            }
        }

        void close() {
            for (DatagramChannel ch : channels) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // closing a UDP socket cannot lose data
                    }
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing to release beyond the sockets
            }
        }
    }
}
