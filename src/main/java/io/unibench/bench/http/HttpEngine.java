package io.unibench.bench.http;

import io.unibench.UnibenchException;
import io.unibench.load.LoadEngine;
import io.unibench.load.LoadMeter;
import io.unibench.load.LoadProtocol;
import io.unibench.load.StepSchedule;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Open-loop HTTP/1.1 load over keep-alive connections, as wrk2 does it: each connection owns its share of
 * the rate with intended send times from the {@link StepSchedule} (client = connection), has at most
 * {@code pipeline} requests in flight (1 by default), and a request that comes due while its connection
 * is busy waits, its latency still counted from the due time (the coordinated-omission correction).
 * Connections are spread over {@code threads} non-blocking selector loops; they stay open across steps
 * and are reopened (and counted) whenever the server closes them or a request fails.
 *
 * <p>Accounting, per request due in the step: sent, then exactly one of completed (by status class),
 * lost ({@code errors_timeout}: no full response within the timeout of its send, or it waited longer
 * than the timeout for its connection), or an error by kind: {@code errors_connect} (its connection
 * could not be opened; while a connection backs off after a failed connect, each request that comes due
 * on it is counted so without touching the network, and not in {@code requests}, which counts only what
 * was written to a socket, or timed out waiting for its busy connection), {@code errors_read} (reset, or closed before the
 * response was complete), {@code errors_write}, {@code errors_parse} (malformed response, status above
 * 599) and {@code errors_body} (a 2xx whose body lacks the {@code --expect-body-contains} text). When a
 * connection fails, every request in flight on it fails the same way.
 *
 * <p>Send lag (and so {@code generator_saturated}) counts only the generator's own delay: from the later
 * of the due time and the moment the connection was free to carry the request, to the send. A request
 * waiting for a busy connection is waiting for the server; that wait is in the corrected latency.
 */
public final class HttpEngine implements LoadEngine {

    public static final LoadProtocol PROTOCOL = new LoadProtocol("http", "rps", "requests", "errors_timeout",
            List.of("status_1xx", "status_2xx", "status_3xx", "status_4xx", "status_5xx"),
            List.of("errors_connect", "errors_read", "errors_write", "errors_parse", "errors_body"),
            List.of("reconnects", "bytes_read"),
            // 2xx and 3xx are correct answers; 4xx/5xx count toward the failure stop condition
            List.of(1, 2),
            // a request due while its connection backs off after a failed connect is never written
            List.of(0));

    static final int E_CONNECT = 0;
    static final int E_READ = 1;
    static final int E_WRITE = 2;
    static final int E_PARSE = 3;
    static final int E_BODY = 4;
    static final int X_RECONNECTS = 0;
    static final int X_BYTES_READ = 1;

    /**
     * What the engine sends where.
     *
     * @param address      server to connect to
     * @param request      one encoded request (sent as is, over and over)
     * @param head         whether the request is HEAD (responses have no body)
     * @param connections  number of keep-alive connections (clients of the schedule)
     * @param threads      selector threads the connections are spread over
     * @param pipeline     maximum requests in flight per connection
     * @param expectBody   text every 2xx body must contain, or null
     */
    public record Options(InetSocketAddress address, byte[] request, boolean head, int connections, int threads,
                          int pipeline, byte[] expectBody) {
        public Options {
            if (connections < 1 || threads < 1 || pipeline < 1) {
                throw new IllegalArgumentException("connections, threads and pipeline must be at least 1");
            }
            request = request.clone();
            expectBody = expectBody == null || expectBody.length == 0 ? null : expectBody.clone();
        }
    }

    private final Options options;
    private final List<SelectorLoop> loops = new ArrayList<>();

    public HttpEngine(Options options) {
        this.options = options;
        int threads = Math.min(options.threads(), options.connections());
        // the request repeated pipeline times, so up to pipeline requests go out in one write
        int len = options.request().length;
        ByteBuffer requests = ByteBuffer.allocateDirect(len * options.pipeline());
        for (int i = 0; i < options.pipeline(); i++) {
            requests.put(options.request());
        }
        requests.flip();
        try {
            for (int t = 0; t < threads; t++) {
                List<Integer> clients = new ArrayList<>();
                for (int c = t; c < options.connections(); c += threads) {
                    clients.add(c);
                }
                loops.add(new SelectorLoop(t, options, clients, requests.asReadOnlyBuffer(), len));
            }
        } catch (IOException e) {
            close();
            throw new UnibenchException("cannot open a selector: " + e.getMessage(), e);
        }
    }

    @Override
    public InetSocketAddress targetAddress() {
        return options.address();
    }

    @Override
    public LoadProtocol protocol() {
        return PROTOCOL;
    }

    public Options options() {
        return options;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "http/1.1 keep-alive, %d connections, %d thread%s, pipeline %d",
                options.connections(), loops.size(), loops.size() == 1 ? "" : "s", options.pipeline());
    }

    /** How long the connections may take to open before the first step. */
    static final long PREPARE_NANOS = 10_000_000_000L;

    /**
     * Opens every connection before the first step, as wrk does, and waits (at most 10 s) until none is
     * still connecting: set-up is not part of the measurement. It matters behind a slow accept queue: QEMU's
     * user-mode networking listens on a forwarded port with a backlog of 1, so 100 simultaneous connects
     * otherwise wait for the client kernel's SYN retries (1, 3, 7 s) inside the first measured step.
     */
    @Override
    public void prepare() throws InterruptedException {
        long deadline = System.nanoTime() + PREPARE_NANOS;
        for (SelectorLoop loop : loops) {
            loop.openAll();
        }
        try {
            for (SelectorLoop loop : loops) {
                loop.awaitOpen(deadline);
            }
        } catch (java.io.IOException e) {
            throw new UnibenchException("http load generator failed while connecting: " + e.getMessage(), e);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public void runStep(StepSchedule schedule, LoadMeter meter) throws InterruptedException {
        if (schedule.clients() != options.connections()) {
            throw new IllegalArgumentException("schedule has " + schedule.clients() + " clients for "
                    + options.connections() + " connections");
        }
        Throwable[] failure = new Throwable[1];
        List<Thread> threads = new ArrayList<>();
        for (SelectorLoop loop : loops) {
            Thread t = new Thread(() -> {
                try {
                    loop.runStep(schedule, meter);
                } catch (Throwable e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                    meter.requestStop();
                }
            }, "unibench-http-" + loop.index());
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        InterruptedException interrupted = null;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    // end the step early; the loops drain what is in flight, then we report the interrupt
                    interrupted = e;
                    meter.requestStop();
                }
            }
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw new UnibenchException("http load generator failed: " + failure[0], failure[0]);
            }
        }
        if (interrupted != null) {
            throw interrupted;
        }
    }

    @Override
    public void close() {
        for (SelectorLoop loop : loops) {
            loop.close();
        }
    }
}
