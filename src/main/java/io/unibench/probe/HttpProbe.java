package io.unibench.probe;

import io.unibench.protocol.HttpHeader;
import io.unibench.protocol.HttpRequestEncoder;
import io.unibench.protocol.HttpResponseParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Ready when a GET over a fresh connection returns the expected status with the expected text in the
 * body. A connection that is accepted and then closed or left silent (slirp, docker-proxy before the
 * service is up) is not ready.
 */
public final class HttpProbe implements ReadinessProbe {
    private final InetSocketAddress target;
    private final String path;
    private final int status;
    private final String expectBody;
    private final byte[] request;
    private final HttpResponseParser parser = new HttpResponseParser();
    private final byte[] buf = new byte[8192];

    public HttpProbe(InetSocketAddress target, String path, int status, String expectBody) {
        this.target = target;
        this.path = path == null ? "/" : path;
        this.status = status;
        this.expectBody = expectBody;
        this.request = HttpRequestEncoder.encode("GET", target.getHostString() + ":" + target.getPort(), this.path,
                List.of(new HttpHeader("Connection", "close")));
        parser.expectBodyContains(expectBody == null ? null : expectBody.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Attempt attempt(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(target, (int) Math.max(1, timeout.toMillis()));
            s.getOutputStream().write(request);
            parser.reset(false);
            InputStream in = s.getInputStream();
            while (true) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000);
                if (left <= 0) {
                    return parser.started() ? Attempt.notYet("response incomplete") : Attempt.silent("no response");
                }
                s.setSoTimeout(left);
                int n = in.read(buf);
                HttpResponseParser.Result r = n < 0 ? parser.endOfInput() : parser.feed(ByteBuffer.wrap(buf, 0, n));
                if (r == HttpResponseParser.Result.COMPLETE) {
                    return judge();
                }
                if (r == HttpResponseParser.Result.ERROR) {
                    return Attempt.notYet(n < 0 && !parser.started() ? "connection closed without a response"
                            : parser.error().message());
                }
            }
        } catch (SocketTimeoutException e) {
            return Attempt.silent("no response");
        } catch (IOException e) {
            return Attempt.notYet(String.valueOf(e.getMessage()));
        }
    }

    private Attempt judge() {
        if (parser.status() != status) {
            return Attempt.notYet("HTTP " + parser.status() + " (want " + status + ")");
        }
        if (!parser.bodyMatched()) {
            return Attempt.notYet("HTTP " + parser.status() + " but the body lacks '" + expectBody + "'");
        }
        return Attempt.ok("HTTP " + parser.status() + ", " + parser.bodyLength() + " body bytes");
    }

    @Override
    public Duration initialTimeout() {
        return Duration.ofMillis(100);
    }

    @Override
    public Duration maxTimeout() {
        return Duration.ofSeconds(1);
    }

    @Override
    public String describe() {
        return "HTTP GET " + path + " = " + status + (expectBody == null ? "" : " with '" + expectBody + "'")
                + " @ " + target.getHostString() + ":" + target.getPort();
    }

    @Override
    public void close() {
        // one connection per try, closed by the try
    }
}
