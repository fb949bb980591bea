package io.unibench.probe;

import io.unibench.protocol.DnsFormatException;
import io.unibench.protocol.DnsMessage;
import io.unibench.protocol.DnsWire;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Ready when a UDP DNS reply to any query this probe sent carries the expected address among its A/AAAA
 * answers (rcode NOERROR). Each try sends a fresh query id; replies to earlier tries still count, so a
 * slow first answer is seen as soon as it arrives.
 */
public final class DnsProbe implements ReadinessProbe {
    private final InetSocketAddress target;
    private final String name;
    private final int qtype;
    private final InetAddress expect;
    private final BitSet sent = new BitSet(65536);
    private final ByteBuffer rx = ByteBuffer.allocate(4096);
    private DatagramChannel channel;
    private Selector selector;

    /**
     * @param target server address
     * @param name   query name
     * @param qtype  type mnemonic ({@code A}, {@code AAAA})
     * @param expect address that must be in the answer; null accepts any NOERROR answer with a record
     */
    public DnsProbe(InetSocketAddress target, String name, String qtype, String expect) {
        this.target = target;
        this.name = name;
        this.qtype = DnsWire.typeCode(qtype == null ? "A" : qtype).orElseThrow(
                () -> new IllegalArgumentException("unknown DNS type '" + qtype + "' in the probe"));
        try {
            this.expect = expect == null ? null : InetAddress.getByName(expect);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("probe 'expect' must be an IP address: " + expect, e);
        }
        DnsWire.encodeName(name); // validates now, not at the first try
    }

    @Override
    public Attempt attempt(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            open();
            int id = ThreadLocalRandom.current().nextInt(65536);
            sent.set(id);
            channel.write(ByteBuffer.wrap(DnsWire.encodeQuery(id, name, qtype)));
            String last = "no reply";
            boolean heard = false;
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return heard ? Attempt.notYet(last) : Attempt.silent(last);
                }
                rx.clear();
                int n = channel.read(rx);
                if (n <= 0) {
                    selector.selectedKeys().clear();
                    if (left >= 1_000_000) {
                        selector.select(left / 1_000_000);
                    } else {
                        // select() counts whole milliseconds: a sub-millisecond try would wait a full one
                        LockSupport.parkNanos(Math.min(left, 50_000));
                    }
                    continue;
                }
                rx.flip();
                Attempt a = judge(rx);
                if (a.ready()) {
                    return a;
                }
                last = a.detail();
                heard = true;
            }
        } catch (PortUnreachableException e) {
            return Attempt.notYet("port unreachable");
        } catch (IOException e) {
            close();
            return Attempt.notYet(String.valueOf(e.getMessage()));
        }
    }

    private Attempt judge(ByteBuffer reply) {
        DnsMessage m;
        try {
            m = DnsWire.decode(reply);
        } catch (DnsFormatException e) {
            return Attempt.notYet("malformed reply: " + e.getMessage());
        }
        if (!m.isResponse() || !sent.get(m.id())) {
            return Attempt.notYet("reply to a query this probe did not send (id " + m.id() + ")");
        }
        if (m.rcode() != DnsWire.RCODE_NOERROR) {
            return Attempt.notYet("rcode " + m.rcode());
        }
        String got = m.answerAddresses().stream().map(InetAddress::getHostAddress).toList().toString();
        if (expect == null ? !m.answers().isEmpty() : m.answerAddresses().contains(expect)) {
            return Attempt.ok("answer " + got);
        }
        return Attempt.notYet("answer " + got + " lacks " + expect.getHostAddress());
    }

    private void open() throws IOException {
        if (channel == null) {
            channel = DatagramChannel.open();
            channel.connect(target);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }
    }

    /**
     * Short and fixed: a query sent before the guest's network is up can be lost (slirp drops frames
     * before the driver is ready), so a fresh query every 10-20 ms bounds the delay that costs; replies
     * to earlier queries still count when they come late.
     */
    @Override
    public Duration initialTimeout() {
        return Duration.ofMillis(10);
    }

    @Override
    public Duration maxTimeout() {
        return Duration.ofMillis(20);
    }

    @Override
    public String describe() {
        return "DNS " + name + " " + DnsWire.typeName(qtype) + (expect == null ? "" : " = " + expect.getHostAddress())
                + " @ " + target.getHostString() + ":" + target.getPort();
    }

    @Override
    public void close() {
        try {
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        selector = null;
        channel = null;
    }
}
