package io.unibench.bench.dns;

import io.unibench.UnibenchException;
import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.LoadProtocol;
import io.unibench.load.StepSchedule;
import io.unibench.load.Waker;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Open-loop DNS over UDP, built for rate: {@code clients} connected UDP sockets (distinct source ports)
 * spread over {@code threads} sender threads. Each thread owns its sockets and does everything for them
 * in one loop, with no locks and no allocation per query: send the queries that are due (in small
 * batches, from pre-encoded messages with only the ID rewritten), read the replies that are there
 * (one {@link Selector} per thread, non-blocking), sweep timed-out queries; and when there is nothing
 * to do it blocks in select, never spinning, so the server keeps its core: a reply wakes it at once (and
 * is stamped when it came), a {@link Waker} wakes it when the next query is due, to the microsecond.
 *
 * <p>Replies are matched by socket, then DNS ID (a per-socket table of IDs; an ID is not reused while
 * outstanding, and free IDs are reused oldest first), then question (name ASCII case-insensitive, type,
 * class). A reply for an ID that is no longer outstanding counts as {@code late} (or {@code duplicate}
 * when it was already answered); same ID but another question is {@code mismatched} and the query stays
 * outstanding; a datagram that is not a DNS response at all, or carries an ID never used, is also
 * {@code mismatched}. These side counts go to the step their query was due in (answers to warm-up
 * queries count nowhere). A reply that matches an ID but does not parse ends that query as the error
 * {@code malformed}.
 *
 * <p>Nothing silently vanishes: a query the generator could not send (still behind schedule
 * {@link #END_GRACE_NANOS} after the step, or no free ID on its socket because lost queries hold them
 * until their timeout) counts as {@code unsent} and flags the step; the replies the generator's own
 * sockets dropped (receive buffer full) are counted apart as client drops.
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
    /** Sleep when behind but blocked by a full socket buffer (a spinning sender steals the server's core). */
    static final long PARK_NANOS = 50_000;
    /** A query due within this much of now goes out now (see {@code early} in the sender). */
    static final long EARLY_NANOS = 50_000;
    /** Queries still unsent this long after the end of the schedule are counted unsent, not sent late. */
    static final long END_GRACE_NANOS = 100_000_000;
    /** A thread this far behind its schedule catches up at twice its rate rather than in a burst. */
    static final long CATCH_UP_AFTER_NANOS = 1_000_000;
    /** Gaps of at least two of these are slept in a blocking select (millisecond resolution). */
    static final long LONG_WAIT_UNIT_NANOS = 1_000_000;
    /** Longest blocking wait, so a stop request is seen soon. */
    static final long MAX_BLOCK_MILLIS = 100;
    /** How often outstanding queries are checked for their timeout. */
    static final long SWEEP_NANOS = 1_000_000;
    /** The DNS ID space: at most this many queries in flight per socket. */
    static final int MAX_IDS = 65536;
    /** Client socket buffers (the kernel caps them at net.core.[rw]mem_max). */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final InetSocketAddress target;
    private final QueryFile queryFile;
    private final byte[][] queries;
    private final int[] questionEnds;
    private final int clients;
    private final Sender[] senders;
    private final UdpSocketDrops drops = new UdpSocketDrops();
    private final ServerStatsQuery serverStats;
    /**
     * Whether to ask the target for its counters: cleared when it did not answer the first time (a foreign
     * server); a server that has answered once is asked at every step, also after one where an overloaded
     * server missed the question (that step's split stays empty, not every later one).
     */
    private volatile boolean askServer = true;
    private volatile boolean serverAnswered;
    private final int maxIds;

    /**
     * Opens and connects the sockets.
     *
     * @throws UnibenchException when the sockets cannot be opened or connected
     */
    public DnsEngine(InetSocketAddress target, QueryFile queryFile, int clients, int threads) {
        this(target, queryFile, clients, threads, MAX_IDS);
    }

    /** As above, with at most {@code maxIds} query IDs per socket (tests use small tables). */
    DnsEngine(InetSocketAddress target, QueryFile queryFile, int clients, int threads, int maxIds) {
        if (clients < 1 || threads < 1 || threads > clients || Integer.bitCount(maxIds) != 1 || maxIds > MAX_IDS) {
            throw new IllegalArgumentException("clients=" + clients + " threads=" + threads);
        }
        this.target = target;
        this.queryFile = queryFile;
        this.clients = clients;
        this.maxIds = maxIds;
        this.serverStats = new ServerStatsQuery(target);
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
    public InetSocketAddress targetAddress() {
        return target;
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
        int tableSize = Math.min(maxIds, tableSize(schedule.rate(), clients, schedule.timeoutNanos()));
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
        // client-side receive drops count from the start of the measurement
        long dropsBefore = -1;
        java.util.Map<String, Long> statsBefore = null;
        long wait = schedule.measureStartNanos() - System.nanoTime();
        try {
            if (wait > 0) {
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
            }
            dropsBefore = socketDrops();
            // the server's own counters, from the start of the measurement (null: it cannot be asked)
            statsBefore = askServer ? serverStats.ask() : null;
            if (statsBefore != null) {
                serverAnswered = true;
            } else if (!serverAnswered) {
                askServer = false; // a foreign server: do not ask again in later steps
            }
        } catch (InterruptedException e) {
            interrupted = e;
            meter.requestStop();
        }
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
        if (dropsBefore >= 0) {
            long drops = socketDrops() - dropsBefore;
            if (drops > 0) {
                meter.newWorker().clientRxDrops(drops);
            }
        }
        if (statsBefore != null) {
            java.util.Map<String, Long> after = serverStats.ask();
            if (after != null) {
                long rx = after.getOrDefault("rx_dropped", -1L);
                long rxBefore = statsBefore.getOrDefault("rx_dropped", -1L);
                meter.serverCounts(new io.unibench.load.ServerCounts(
                        after.get("received") - statsBefore.get("received"),
                        after.get("answered") - statsBefore.get("answered"),
                        rx < 0 || rxBefore < 0 ? -1 : rx - rxBefore));
            }
        }
        int limited = 0;
        for (Sender s : senders) {
            for (Table t : s.tables) {
                limited += t.limited ? 1 : 0;
            }
        }
        if (limited > 0) {
            meter.limit("in-flight", String.format(Locale.ROOT,
                    "in-flight limit of %d queries per socket reached on %d of %d sockets (answers missing or "
                            + "slower than the timeout hold their IDs; more --clients raise the limit)",
                    tableSize, limited, clients));
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

    /**
     * Sender threads for {@code --threads auto}: 2 on hosts with up to 4 cores (one thread saturates near
     * 200-225k qps on 2 cores, where two keep 400k clean: most of the work is the kernel's UDP path, which
     * two threads overlap with the server's), half the cores above that; never more than the sockets.
     */
    public static int autoThreads(int clients, int cores) {
        int t = cores <= 4 ? 2 : cores / 2;
        return Math.max(1, Math.min(clients, t));
    }

    /**
     * Query IDs per socket: enough for every query of that socket that can be outstanding within the
     * timeout, plus slack, as a power of two; at most 65536 (the DNS ID space), at least 256.
     */
    static int tableSize(double rate, int clients, long timeoutNanos) {
        double perSocketInTimeout = rate / clients * (timeoutNanos / 1e9);
        int want = (int) Math.min(65536, Math.max(256, perSocketInTimeout * 1.25 + 64));
        return Math.min(65536, Integer.highestOneBit(want * 2 - 1));
    }

    /** Receive-buffer drops so far on this engine's sockets (0 when the kernel does not say). */
    private long socketDrops() {
        Set<Integer> ports = new HashSet<>();
        for (Sender s : senders) {
            for (DatagramChannel ch : s.channels) {
                try {
                    ports.add(((InetSocketAddress) ch.getLocalAddress()).getPort());
                } catch (IOException | RuntimeException ignored) {
                    // a closed socket drops nothing more
                }
            }
        }
        return drops.drops(ports, target);
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

    /**
     * The query IDs of one socket. Slot i carries the ID {@code (base + i) & 0xFFFF}. Free slots wait in a
     * FIFO ring, so an ID is reused as late as possible (a late answer is then still recognised as late);
     * outstanding slots sit in a list in send order, so the timeout sweep only looks at the oldest. A slot
     * held by a lost query blocks nothing but itself until it times out; when no slot is free the query
     * is counted unsent and the socket is marked {@link #limited}. Tables keep their state across steps
     * (an earlier step's late answers stay late) and only ever grow.
     */
    private static final class Table {
        final int base;
        int size;
        long[] due = new long[0];
        long[] sent = new long[0];
        int[] query = new int[0];
        byte[] state = new byte[0];
        int[] prev = new int[0];
        int[] next = new int[0];
        int head = -1;
        int tail = -1;
        int[] freeRing = new int[0];
        int freeHead;
        int freeCount;
        boolean limited;

        Table(int base) {
            this.base = base;
        }

        void prepare(int want, boolean reset) {
            limited = false;
            if (reset || want > size) {
                int old = reset ? 0 : size;
                due = Arrays.copyOf(due, want);
                sent = Arrays.copyOf(sent, want);
                query = Arrays.copyOf(query, want);
                state = reset ? new byte[want] : Arrays.copyOf(state, want);
                prev = new int[want];
                next = new int[want];
                int[] ring = new int[want];
                int n = 0;
                for (int i = old; i < want; i++) {
                    ring[n++] = i; // never-used IDs first: the old ones stay recognisable a while longer
                }
                for (int i = 0; i < freeCount; i++) {
                    ring[n++] = freeRing[(freeHead + i) % freeRing.length];
                }
                freeRing = ring;
                freeHead = 0;
                freeCount = n;
                size = want;
                head = -1;
                tail = -1;
            }
        }

        int id(int slot) {
            return (base + slot) & 0xFFFF;
        }

        /** Slot of an ID, or -1 when this table never hands it out. */
        int slot(int id) {
            int slot = (id - base) & 0xFFFF;
            return slot < size ? slot : -1;
        }

        /** Takes the free slot whose ID was released longest ago; -1 when every ID is in flight. */
        int take() {
            if (freeCount == 0) {
                return -1;
            }
            int slot = freeRing[freeHead];
            freeHead = (freeHead + 1) % size;
            freeCount--;
            return slot;
        }

        /** Puts back a slot just taken but not used (the send did not happen). */
        void untake(int slot) {
            freeHead = (freeHead - 1 + size) % size;
            freeRing[freeHead] = slot;
            freeCount++;
        }

        void release(int slot) {
            freeRing[(freeHead + freeCount) % size] = slot;
            freeCount++;
        }

        void link(int slot) {
            prev[slot] = tail;
            next[slot] = -1;
            if (tail >= 0) {
                next[tail] = slot;
            } else {
                head = slot;
            }
            tail = slot;
        }

        void unlink(int slot) {
            int p = prev[slot];
            int n = next[slot];
            if (p >= 0) {
                next[p] = n;
            } else {
                head = n;
            }
            if (n >= 0) {
                prev[n] = p;
            } else {
                tail = p;
            }
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
                    tables[i] = new Table(random.nextInt(65536));
                }
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        void prepare(int tableSize) {
            // a sender that failed may have left queries outstanding: start those tables afresh
            boolean reset = outstanding != 0;
            for (Table t : tables) {
                t.prepare(tableSize, reset);
            }
            outstanding = 0;
            readFailure = null;
        }

        void run(StepSchedule schedule, LoadMeter meter) throws IOException, InterruptedException {
            Waker.reduceTimerSlack();
            LoadMeter.Worker w = meter.newWorker();
            worker = w;
            Waker waker = new Waker(selector, "unibench-dns-waker-" + index);
            try {
                loop(schedule, meter, w, waker);
            } finally {
                waker.stop();
            }
        }

        private void loop(StepSchedule schedule, LoadMeter meter, LoadMeter.Worker w, Waker waker)
                throws IOException {
            final int n = owned.length;
            final long end = schedule.endNanos();
            final long measureStart = schedule.measureStartNanos();
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
                    // backlog: what it did not send in time is counted unsent (nothing silently vanishes);
                    // after a stop request only what was due before it belongs to the (shortened) step
                    long cut = meter.stopRequested() ? Math.min(end, meter.stopRequestedNanos()) : end;
                    while (due < cut) {
                        w.unsent(due);
                        if (++pos == n) {
                            pos = 0;
                            round++;
                        }
                        due = schedule.dueNanos(owned[pos], round);
                    }
                    sending = false;
                }
                if (sending && !catchingUp && now - due > CATCH_UP_AFTER_NANOS) {
                    catchingUp = true;
                    catchUpStart = now;
                    sentInCatchUp = 0;
                    sendAt = now;
                }
                if (sending && sendAt <= now + early(due, now, measureStart)) {
                    for (int batch = 0; batch < SEND_BATCH && sendAt <= now + early(due, now, measureStart);
                            batch++) {
                        Table t = tables[pos];
                        int q = (int) ((round * clients + owned[pos]) % nq);
                        int slot = t.take();
                        if (slot < 0) {
                            // every ID of this socket is in flight: this query cannot go out; the others can
                            t.limited = true;
                            w.unsent(due);
                        } else {
                            sendBuf.clear();
                            sendBuf.put(queries[q]);
                            sendBuf.flip();
                            DnsWire.putId(sendBuf, t.id(slot));
                            long actual = System.nanoTime();
                            if (!write(channels[pos], sendBuf)) {
                                t.untake(slot);
                                break; // socket send buffer full: try again on the next round
                            }
                            // sent up to EARLY_NANOS before its due time, a query counts as due when sent
                            long d = Math.min(due, actual);
                            t.due[slot] = d;
                            t.sent[slot] = actual;
                            t.query[slot] = q;
                            t.state[slot] = OUTSTANDING;
                            t.link(slot);
                            outstanding++;
                            w.sent(d, actual);
                            work++;
                        }
                        if (++pos == n) {
                            pos = 0;
                            round++;
                        }
                        due = schedule.dueNanos(owned[pos], round);
                        sendAt = due;
                        if (catchingUp) {
                            long pace = catchUpStart + (long) (++sentInCatchUp * catchUpGap);
                            if (pace <= due) {
                                catchingUp = false; // the schedule is no longer behind the pace: back on it
                            } else {
                                sendAt = pace; // still behind: the next one at twice the rate, never ahead
                            }
                        }
                        if (due >= end) {
                            sending = false;
                            break;
                        }
                        now = System.nanoTime();
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
                    waitForWork(sending ? sendAt - early(due, now, measureStart) : Long.MAX_VALUE, now, waker);
                    if (readFailure != null) {
                        throw readFailure;
                    }
                }
            }
        }

        /**
         * How early a query due at {@code due} may go out at {@code now}: {@link #EARLY_NANOS} (the waker and
         * the scheduler wake the thread 20-60 us late), except that a measured query never leaves during
         * the warm-up (its counts must stay in the step).
         */
        private long early(long due, long now, long measureStart) {
            return due >= measureStart && now < measureStart ? 0 : EARLY_NANOS;
        }

        /**
         * Nothing to send or read right now: block in select, so a reply wakes the thread at once and is
         * stamped when it came, until {@code wakeAt} (the next send). Gaps of milliseconds are slept in a
         * select that ends about a millisecond early; shorter ones by the {@link Waker}, which wakes the
         * select at the exact instant (select alone only knows milliseconds). Behind schedule but blocked
         * (full socket buffer): a short sleep, never a spin.
         */
        private void waitForWork(long wakeAt, long now, Waker waker) throws IOException {
            long untilWake = wakeAt == Long.MAX_VALUE ? Long.MAX_VALUE : wakeAt - now;
            readThisRound = 0;
            if (untilWake <= 0) {
                LockSupport.parkNanos(PARK_NANOS);
            } else if (untilWake >= 2 * LONG_WAIT_UNIT_NANOS) {
                long ms = Math.min(MAX_BLOCK_MILLIS, untilWake / LONG_WAIT_UNIT_NANOS - 1);
                selector.select(onReadable, ms);
            } else {
                waker.arm(wakeAt);
                waker.selecting(true);
                // re-read the clock after announcing the select: a deadline that passed meanwhile was
                // skipped by the waker (we were not selecting yet), so do not block on it
                long wait = wakeAt - System.nanoTime();
                if (wait <= 0) {
                    selector.selectNow(onReadable);
                } else {
                    selector.select(onReadable, (wait + LONG_WAIT_UNIT_NANOS - 1) / LONG_WAIT_UNIT_NANOS);
                }
                waker.selecting(false);
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
            w.heard(now);
            if (r.limit() < DnsWire.HEADER_BYTES || !DnsWire.isResponse(r)) {
                w.extra(X_MISMATCHED, 1, now);
                return;
            }
            int slot = t.slot(DnsWire.id(r));
            byte st = slot < 0 ? FREE : t.state[slot];
            if (st == FREE) {
                w.extra(X_MISMATCHED, 1, now); // an ID this socket never used: not an answer to our query
                return;
            }
            if (st == ANSWERED) {
                w.extra(X_DUPLICATE, 1, t.due[slot]);
                return;
            }
            if (st == TIMED_OUT) {
                w.extra(X_LATE, 1, t.due[slot]);
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
                w.extra(X_MISMATCHED, 1, t.due[slot]);
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
            t.unlink(slot);
            t.release(slot);
            outstanding--;
        }

        /** Ends the queries older than the timeout as lost, oldest first, per socket. */
        private void sweep(long now, long timeout) {
            LoadMeter.Worker w = worker;
            for (Table t : tables) {
                while (t.head >= 0 && now - t.sent[t.head] >= timeout) {
                    int slot = t.head;
                    t.state[slot] = TIMED_OUT;
                    t.unlink(slot);
                    t.release(slot);
                    outstanding--;
                    w.lost(t.due[slot]);
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
