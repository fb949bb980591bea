package io.unibench.bench.dns;

import io.unibench.UnibenchException;
import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.LoadProtocol;
import io.unibench.load.StepSchedule;
import io.unibench.protocol.DnsWire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop DNS over TCP (RFC 7766): {@code clients} persistent connections spread over {@code threads}
 * threads, each query sent on its schedule with its 2-byte length prefix, pipelined (a connection never
 * waits for an answer before sending the next query), answers matched per connection by ID and question
 * exactly as {@link DnsEngine} does for UDP, and counted in the same columns ({@link DnsEngine#PROTOCOL}).
 *
 * <p>The connections are opened in {@link #prepare()}, outside the measurement. A connection the server
 * closes (idle timeout between steps, a reset) is reopened before its next query; what was outstanding on
 * it times out as lost. When a connection's unsent bytes reach {@link #OUT_BYTES} (the server stopped
 * reading) its queries wait, which shows as achieved rate below offered.
 */
public final class DnsTcpEngine implements LoadEngine {
    static final long PARK_NANOS = DnsEngine.PARK_NANOS;
    static final long END_GRACE_NANOS = DnsEngine.END_GRACE_NANOS;
    static final long SWEEP_NANOS = DnsEngine.SWEEP_NANOS;
    static final long MAX_BLOCK_MILLIS = DnsEngine.MAX_BLOCK_MILLIS;
    static final long LONG_WAIT_UNIT_NANOS = DnsEngine.LONG_WAIT_UNIT_NANOS;
    static final int SEND_BATCH = DnsEngine.SEND_BATCH;
    /** Unsent bytes a connection may hold before its queries wait. */
    static final int OUT_BYTES = 64 * 1024;

    private final InetSocketAddress target;
    private final QueryFile queryFile;
    private final byte[][] queries;
    private final int[] questionEnds;
    private final int clients;
    private final Sender[] senders;
    private volatile long reconnects;

    public DnsTcpEngine(InetSocketAddress target, QueryFile queryFile, int clients, int threads) {
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
                senders[t] = new Sender(owned.stream().mapToInt(Integer::intValue).toArray(), random.split());
            }
        } catch (IOException e) {
            close();
            throw new UnibenchException("cannot set up TCP DNS clients: " + e.getMessage(), e);
        }
    }

    @Override
    public InetSocketAddress targetAddress() {
        return target;
    }

    @Override
    public LoadProtocol protocol() {
        return DnsEngine.PROTOCOL;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "unibench tcp: %d connections, %d sender thread%s, %d queries from %s",
                clients, senders.length, senders.length == 1 ? "" : "s", queries.length, queryFile.source());
    }

    /** Connections reopened after the server closed them (their outstanding queries were lost). */
    public long reconnects() {
        return reconnects;
    }

    @Override
    public void prepare() {
        for (Sender s : senders) {
            for (int i = 0; i < s.conns.length; i++) {
                s.connect(i);
            }
        }
    }

    @Override
    public void runStep(StepSchedule schedule, LoadMeter meter) throws InterruptedException {
        if (schedule.clients() != clients) {
            throw new IllegalArgumentException("schedule for " + schedule.clients() + " clients, engine has " + clients);
        }
        double perConnInTimeout = schedule.rate() / clients * (schedule.timeoutNanos() / 1e9);
        int tableSize = Integer.highestOneBit((int) Math.min(65536, Math.max(256, perConnInTimeout * 1.25 + 64)) * 2 - 1);
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
            }, "unibench-dns-tcp-" + t);
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
                    meter.requestStop();
                }
            }
        }
        if (failure[0] != null) {
            Throwable e = failure[0];
            if (e instanceof UnibenchException u) {
                throw u;
            }
            throw new UnibenchException("DNS TCP sender failed: " + e, e);
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

    /** One connection's queries indexed by ID, as in {@link DnsEngine}. */
    private static final class Table {
        long[] due = new long[0];
        long[] sent = new long[0];
        int[] seq = new int[0];
        int[] query = new int[0];
        byte[] state = new byte[0];
        int mask;
        int nextSeq;
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

    private final class Sender {
        final int[] owned;
        final SocketChannel[] conns;
        final ByteBuffer[] out;
        final ByteBuffer[] in;
        final Table[] tables;
        final Selector selector;
        final ByteBuffer msg = ByteBuffer.allocateDirect(65536);
        int outstanding;
        int readThisRound;
        LoadMeter.Worker worker;

        Sender(int[] owned, SplittableRandom random) throws IOException {
            this.owned = owned;
            this.conns = new SocketChannel[owned.length];
            this.out = new ByteBuffer[owned.length];
            this.in = new ByteBuffer[owned.length];
            this.tables = new Table[owned.length];
            this.selector = Selector.open();
            for (int i = 0; i < owned.length; i++) {
                out[i] = ByteBuffer.allocateDirect(OUT_BYTES + 2 + 512);
                in[i] = ByteBuffer.allocateDirect(2 + 65535);
                tables[i] = new Table();
                tables[i].nextSeq = random.nextInt(65536);
            }
        }

        /** (Re)opens connection i, blocking for the handshake. */
        void connect(int i) {
            closeConn(i);
            try {
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.socket().connect(target, 5000);
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, i);
                conns[i] = ch;
                out[i].clear();
                in[i].clear();
            } catch (IOException e) {
                throw new UnibenchException("cannot open a TCP connection to " + target + ": " + e.getMessage(), e);
            }
        }

        void closeConn(int i) {
            if (conns[i] != null) {
                try {
                    conns[i].close();
                } catch (IOException ignored) {
                    // the connection is being replaced
                }
                conns[i] = null;
            }
        }

        void prepare(int tableSize) {
            for (Table t : tables) {
                t.prepare(tableSize);
            }
            outstanding = 0;
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
            long nextSweep = System.nanoTime() + SWEEP_NANOS;
            while (true) {
                long now = System.nanoTime();
                int work = 0;
                if (sending && (meter.stopRequested() || now - end >= END_GRACE_NANOS)) {
                    sending = false;
                }
                if (sending && due <= now) {
                    for (int batch = 0; batch < SEND_BATCH && due <= now; batch++) {
                        Table t = tables[pos];
                        int slot = t.nextSeq & t.mask;
                        if (conns[pos] == null) {
                            connect(pos);
                            reconnects++;
                        }
                        ByteBuffer o = out[pos];
                        if (t.state[slot] == OUTSTANDING || o.position() >= OUT_BYTES) {
                            break; // IDs all in flight, or the server is not reading: wait
                        }
                        int q = (int) ((round * clients + owned[pos]) % nq);
                        int at = o.position();
                        o.putShort((short) queries[q].length);
                        o.put(queries[q]);
                        o.putShort(at + 2, (short) (t.nextSeq & 0xFFFF));
                        long actual = System.nanoTime();
                        t.due[slot] = due;
                        t.sent[slot] = actual;
                        t.seq[slot] = t.nextSeq;
                        t.query[slot] = q;
                        t.state[slot] = OUTSTANDING;
                        t.nextSeq++;
                        outstanding++;
                        w.sent(due, actual);
                        work++;
                        flush(pos);
                        if (++pos == n) {
                            pos = 0;
                            round++;
                        }
                        due = schedule.dueNanos(owned[pos], round);
                        if (due >= end) {
                            sending = false;
                            break;
                        }
                    }
                }
                for (int i = 0; i < n; i++) {
                    if (out[i].position() > 0) {
                        flush(i);
                    }
                }
                if (outstanding > 0) {
                    readThisRound = 0;
                    selector.selectNow(this::drain);
                    work += readThisRound;
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
                    long untilDue = sending ? due - now : Long.MAX_VALUE;
                    if (untilDue >= 2 * LONG_WAIT_UNIT_NANOS && outstanding > 0) {
                        long ms = Math.min(MAX_BLOCK_MILLIS, untilDue / LONG_WAIT_UNIT_NANOS - 1);
                        readThisRound = 0;
                        selector.select(this::drain, ms);
                    } else if (untilDue >= 2 * LONG_WAIT_UNIT_NANOS) {
                        LockSupport.parkNanos(Math.min(MAX_BLOCK_MILLIS, untilDue / LONG_WAIT_UNIT_NANOS - 1)
                                * LONG_WAIT_UNIT_NANOS);
                    } else {
                        LockSupport.parkNanos(untilDue > 0 ? Math.min(PARK_NANOS, untilDue) : PARK_NANOS);
                    }
                }
            }
        }

        /** Writes what connection i has queued (non-blocking); a dead connection is dropped. */
        private void flush(int i) {
            ByteBuffer o = out[i];
            SocketChannel ch = conns[i];
            if (ch == null) {
                o.clear();
                return;
            }
            o.flip();
            try {
                ch.write(o);
            } catch (IOException e) {
                o.clear();
                closeConn(i); // its outstanding queries time out; reopened before the next query
                return;
            }
            o.compact();
        }

        private void drain(SelectionKey key) {
            int ci = (Integer) key.attachment();
            SocketChannel ch = conns[ci];
            if (ch == null || key.channel() != ch) {
                return;
            }
            ByteBuffer b = in[ci];
            int len;
            try {
                len = ch.read(b);
            } catch (IOException e) {
                len = -1;
            }
            if (len < 0) {
                closeConn(ci);
                return;
            }
            long now = System.nanoTime();
            b.flip();
            while (b.remaining() >= 2) {
                int mlen = b.getShort(b.position()) & 0xFFFF;
                if (b.remaining() < 2 + mlen) {
                    break;
                }
                msg.clear();
                int lim = b.limit();
                b.position(b.position() + 2);
                b.limit(b.position() + mlen);
                msg.put(b);
                b.limit(lim);
                msg.flip();
                readThisRound++;
                handle(tables[ci], now);
            }
            b.compact();
        }

        private void handle(Table t, long now) {
            LoadMeter.Worker w = worker;
            ByteBuffer r = msg;
            if (r.limit() < DnsWire.HEADER_BYTES || !DnsWire.isResponse(r)) {
                w.extra(DnsEngine.X_MISMATCHED, 1);
                return;
            }
            int id = DnsWire.id(r);
            int slot = id & t.mask;
            byte st = t.state[slot];
            if (st == FREE || (t.seq[slot] & 0xFFFF) != id || st == TIMED_OUT) {
                w.extra(DnsEngine.X_LATE, 1);
                return;
            }
            if (st == ANSWERED) {
                w.extra(DnsEngine.X_DUPLICATE, 1);
                return;
            }
            int q = t.query[slot];
            int rcode = DnsWire.rcode(r);
            if (!DnsWire.wellFormed(r)) {
                t.state[slot] = ANSWERED;
                outstanding--;
                w.error(t.due[slot], DnsEngine.ERR_MALFORMED);
                return;
            }
            int qEnd = DnsWire.questionEnd(r);
            boolean matches = qEnd < 0 ? DnsWire.questionCount(r) == 0 && rcode != DnsWire.RCODE_NOERROR
                    : DnsWire.questionMatches(r, qEnd, queries[q], questionEnds[q]);
            if (!matches) {
                w.extra(DnsEngine.X_MISMATCHED, 1);
                return;
            }
            t.state[slot] = ANSWERED;
            outstanding--;
            int outcome = switch (rcode) {
                case DnsWire.RCODE_NOERROR -> DnsEngine.OUT_NOERROR;
                case DnsWire.RCODE_NXDOMAIN -> DnsEngine.OUT_NXDOMAIN;
                case DnsWire.RCODE_SERVFAIL -> DnsEngine.OUT_SERVFAIL;
                case DnsWire.RCODE_REFUSED -> DnsEngine.OUT_REFUSED;
                default -> DnsEngine.OUT_OTHER;
            };
            w.completed(t.due[slot], t.sent[slot], now, outcome);
        }

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
            for (int i = 0; i < conns.length; i++) {
                closeConn(i);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing to release beyond the sockets
            }
        }
    }
}
