package io.unibench.bench.boot;

import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployer;
import io.unibench.deploy.Endpoint;
import io.unibench.deploy.Instance;
import io.unibench.deploy.InstanceState;
import io.unibench.deploy.ServiceSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend whose "instances" are real DNS servers on 127.0.0.1 (one UDP socket and thread each) that drop
 * every query until exactly {@code bootNanos} after the start call, then answer {@code www.cetic.be A
 * 10.0.0.5} like the real service. The console "prints" its ready line {@code consoleNanos} after the start.
 * With {@code crashAfterNanos} >= 0 the instance reports itself dead that long after the start instead.
 */
class FakeBootTarget implements BootTarget {
    static final ServiceSpec DNS = new ServiceSpec("dns", "fake DNS",
            List.of(new ServiceSpec.PortSpec("dns", "udp", 53)),
            new ServiceSpec.ProbeSpec("dns", "www.cetic.be", "A", "10.0.0.5", null, null, null), null, null);

    private final Backend backend;
    private final long bootNanos;
    private final long consoleNanos;
    private final long crashAfterNanos;
    private final AtomicInteger ids = new AtomicInteger();
    final Map<String, FakeServer> servers = new ConcurrentHashMap<>();
    final AtomicInteger launches = new AtomicInteger();
    final AtomicInteger kills = new AtomicInteger();
    final AtomicInteger restarts = new AtomicInteger();
    final AtomicInteger removals = new AtomicInteger();

    FakeBootTarget(Backend backend, long bootNanos, long consoleNanos, long crashAfterNanos) {
        this.backend = backend;
        this.bootNanos = bootNanos;
        this.consoleNanos = consoleNanos;
        this.crashAfterNanos = crashAfterNanos;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public void preflight() {
    }

    @Override
    public long memoryPerInstanceBytes() {
        return 1 << 20;
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("restart", "fake: stops answering on kill, answers again " + bootNanos / 1e6
                + " ms after the restart call");
    }

    @Override
    public Deployer.Start launch() {
        launches.incrementAndGet();
        String id = backend + "-dns-" + ids.incrementAndGet();
        FakeServer server;
        try {
            server = new FakeServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        servers.put(id, server);
        Instance rec = Instance.starting(id, backend, "dns",
                List.of(new Endpoint("dns", "udp", "127.0.0.1", server.port(), 53)), "test", Map.of());
        return server.boot(rec);
    }

    @Override
    public void kill(Instance instance) {
        kills.incrementAndGet();
        servers.get(instance.id()).dead();
    }

    @Override
    public Deployer.Start restart(Instance instance) {
        restarts.incrementAndGet();
        return servers.get(instance.id()).boot(instance);
    }

    @Override
    public void remove(Instance instance) {
        FakeServer s = servers.remove(instance.id());
        if (s != null) {
            removals.incrementAndGet();
            s.close();
        }
    }

    @Override
    public List<String> consoleTail(Instance instance, int lines) {
        return List.of("fake console of " + instance.id(), "still booting");
    }

    /** One instance: a DNS server that answers only between its boot time and the next kill. */
    final class FakeServer implements AutoCloseable {
        private final DatagramChannel channel;
        private final Thread thread;
        private volatile long t0;
        private volatile boolean up;

        FakeServer() throws IOException {
            channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            thread = new Thread(this::serve, "fake-dns");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            try {
                return ((InetSocketAddress) channel.getLocalAddress()).getPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void dead() {
            up = false;
        }

        Deployer.Start boot(Instance rec) {
            long start = System.nanoTime();
            t0 = start;
            up = true;
            long started = System.nanoTime();
            Instance inst = rec.withState(InstanceState.running);
            return new Deployer.Start() {
                @Override
                public Instance instance() {
                    return inst;
                }

                @Override
                public long t0Nanos() {
                    return start;
                }

                @Override
                public long spawnedNanos() {
                    return start;
                }

                @Override
                public long startedNanos() {
                    return started;
                }

                @Override
                public long consoleReadyNanos() {
                    long c = start + consoleNanos;
                    return System.nanoTime() - c >= 0 ? c : -1;
                }

                @Override
                public String failure() {
                    if (crashAfterNanos >= 0 && System.nanoTime() - start >= crashAfterNanos) {
                        return "fake guest exited with status 1";
                    }
                    return null;
                }

                @Override
                public void close() {
                }
            };
        }

        private void serve() {
            ByteBuffer in = ByteBuffer.allocate(1500);
            while (true) {
                in.clear();
                SocketAddress from;
                try {
                    from = channel.receive(in);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    return;
                }
                long now = System.nanoTime();
                boolean crashed = crashAfterNanos >= 0;
                if (!up || crashed || now - (t0 + bootNanos) < 0) {
                    continue; // not booted yet: the query is lost, as in a guest that is not up
                }
                in.flip();
                try {
                    channel.send(ByteBuffer.wrap(answer(in)), from);
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** A DNS answer to a one-question query: the question echoed, one A record 10.0.0.5. */
    static byte[] answer(ByteBuffer q) {
        int end = 12;
        while (q.get(end) != 0) {
            end += 1 + (q.get(end) & 0xFF);
        }
        end += 1 + 4; // root label, qtype, qclass
        ByteBuffer r = ByteBuffer.allocate(end + 16);
        r.putShort(q.getShort(0));
        r.putShort((short) 0x8400); // QR, AA, NOERROR
        r.putShort((short) 1).putShort((short) 1).putShort((short) 0).putShort((short) 0);
        for (int i = 12; i < end; i++) {
            r.put(q.get(i));
        }
        r.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(300).putShort((short) 4);
        r.put(new byte[] {10, 0, 0, 5});
        return r.array();
    }

    List<String> aliveIds() {
        return new ArrayList<>(servers.keySet());
    }
}
