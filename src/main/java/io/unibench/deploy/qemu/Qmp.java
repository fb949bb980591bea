package io.unibench.deploy.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal QMP client over QEMU's unix socket: greeting, {@code qmp_capabilities}, then synchronous
 * commands with a time limit. Asynchronous events that arrive meanwhile are kept ({@link #events()}), so
 * a {@code STOP}, {@code SHUTDOWN} or {@code GUEST_PANICKED} is never missed. QEMU serves one QMP client
 * at a time: keep connections short.
 */
final class Qmp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer rx = ByteBuffer.allocate(8192);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<String> events = new ArrayList<>();

    private Qmp(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    /** Connects, reads the greeting and leaves capability negotiation; fails after {@code timeoutMillis}. */
    static Qmp connect(Path socket, long timeoutMillis) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector sel = null;
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            Qmp q = new Qmp(ch, sel);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            JsonNode greeting = q.readMessage(deadline);
            if (!greeting.has("QMP")) {
                throw new IOException("not a QMP greeting: " + greeting);
            }
            q.execute("qmp_capabilities", deadline);
            return q;
        } catch (IOException | RuntimeException e) {
            if (sel != null) {
                sel.close();
            }
            ch.close();
            throw e;
        }
    }

    /** Runs a command and returns its {@code return} value; an {@code error} reply becomes an IOException. */
    JsonNode execute(String command, long deadlineNanos) throws IOException {
        byte[] msg = ("{\"execute\":\"" + command + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.wrap(msg);
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                Thread.onSpinWait();
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new IOException("QMP write timed out");
            }
        }
        while (true) {
            JsonNode reply = readMessage(deadlineNanos);
            if (reply.has("event")) {
                events.add(reply.get("event").asText());
                continue;
            }
            if (reply.has("error")) {
                throw new IOException("QMP " + command + ": " + reply.get("error").path("desc").asText());
            }
            if (reply.has("return")) {
                return reply.get("return");
            }
        }
    }

    /** {@code query-status}: "running", "paused", "internal-error", "shutdown", "guest-panicked"... */
    String status(long deadlineNanos) throws IOException {
        return execute("query-status", deadlineNanos).path("status").asText("unknown");
    }

    /** Events received so far (STOP, RESUME, SHUTDOWN, GUEST_PANICKED...), oldest first. */
    List<String> events() {
        return events;
    }

    /** Reads any events that already arrived, without waiting. */
    void pollEvents() throws IOException {
        while (true) {
            JsonNode m = tryRead();
            if (m == null) {
                return;
            }
            if (m.has("event")) {
                events.add(m.get("event").asText());
            }
        }
    }

    private JsonNode readMessage(long deadlineNanos) throws IOException {
        while (true) {
            JsonNode m = tryRead();
            if (m != null) {
                return m;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new IOException("QMP did not answer in time");
            }
            selector.selectedKeys().clear();
            selector.select(Math.max(1, left / 1_000_000));
        }
    }

    /** One complete message from what is buffered or readable now, else null. */
    private JsonNode tryRead() throws IOException {
        while (true) {
            JsonNode m = parseLine();
            if (m != null) {
                return m;
            }
            rx.clear();
            int n = channel.read(rx);
            if (n < 0) {
                throw new IOException("QMP connection closed by QEMU");
            }
            if (n == 0) {
                return null;
            }
            rx.flip();
            line.write(rx.array(), 0, rx.limit());
        }
    }

    private JsonNode parseLine() throws IOException {
        byte[] all = line.toByteArray();
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                line.reset();
                line.write(all, i + 1, all.length - i - 1);
                String text = new String(all, 0, i, StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    return parseLine();
                }
                return JSON.readTree(text);
            }
        }
        return null;
    }

    /**
     * Sends {@code quit} and waits for its acknowledgement or for QEMU closing the connection (it may exit
     * before answering). Closing the socket right after writing could make QEMU drop the command.
     */
    void quit(long deadlineNanos) throws IOException {
        try {
            execute("quit", deadlineNanos);
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("closed by QEMU")) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
