package io.unibench.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.protocol.HttpResponseParser.Error;
import io.unibench.protocol.HttpResponseParser.Result;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpResponseParserTest {

    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
            + "5\r\nhello\r\n"
            + "7;ext=1\r\n, world\r\n"
            + "0\r\nX-Trailer: yes\r\n\r\n";

    private static ByteBuffer buf(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Result feedAll(HttpResponseParser p, String s) {
        return p.feed(buf(s));
    }

    @Test
    void contentLengthResponseStopsAtItsEnd() {
        HttpResponseParser p = new HttpResponseParser();
        ByteBuffer b = buf("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhelloHTTP/1.1");
        assertThat(p.feed(b)).isEqualTo(Result.COMPLETE);
        assertThat(p.status()).isEqualTo(200);
        assertThat(p.bodyLength()).isEqualTo(5);
        assertThat(p.mustClose()).isFalse();
        assertThat(b.remaining()).isEqualTo("HTTP/1.1".length());
        assertThat(p.responseBytes()).isEqualTo(b.position());
    }

    @Test
    void chunkedWithExtensionsAndTrailers() {
        HttpResponseParser p = new HttpResponseParser().expectBodyContains("o, w".getBytes());
        assertThat(feedAll(p, CHUNKED)).isEqualTo(Result.COMPLETE);
        assertThat(p.bodyLength()).isEqualTo(12);
        assertThat(p.bodyMatched()).isTrue();
        assertThat(p.mustClose()).isFalse();
    }

    @Test
    void everySplitPointGivesTheSameResult() {
        String twoResponses = CHUNKED + "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nConnection: close\r\n\r\nnop";
        byte[] all = twoResponses.getBytes(StandardCharsets.ISO_8859_1);
        HttpResponseParser p = new HttpResponseParser().expectBodyContains("o, w".getBytes());
        for (int split = 0; split <= all.length; split++) {
            p.reset(false);
            ByteBuffer first = ByteBuffer.wrap(all, 0, split);
            Result r = p.feed(first);
            ByteBuffer rest = ByteBuffer.wrap(all, first.position(), all.length - first.position());
            if (r == Result.NEED_MORE) {
                assertThat(first.hasRemaining()).isFalse();
                r = p.feed(rest);
            }
            assertThat(r).as("split at %d", split).isEqualTo(Result.COMPLETE);
            assertThat(p.status()).isEqualTo(200);
            assertThat(p.bodyLength()).isEqualTo(12);
            assertThat(p.bodyMatched()).as("split at %d", split).isTrue();
            ByteBuffer tail = first.hasRemaining() ? ByteBuffer.wrap(all, first.position(), all.length - first.position()) : rest;
            p.reset(false);
            assertThat(p.feed(tail)).isEqualTo(Result.COMPLETE);
            assertThat(p.status()).isEqualTo(404);
            assertThat(p.mustClose()).isTrue();
            assertThat(p.bodyMatched()).isFalse();
            assertThat(tail.hasRemaining()).isFalse();
        }
    }

    @Test
    void byteByByteFeeding() {
        byte[] all = CHUNKED.getBytes(StandardCharsets.ISO_8859_1);
        HttpResponseParser p = new HttpResponseParser().expectBodyContains("hello, world".getBytes());
        Result r = Result.NEED_MORE;
        for (int i = 0; i < all.length; i++) {
            assertThat(r).as("before byte %d", i).isEqualTo(Result.NEED_MORE);
            ByteBuffer one = ByteBuffer.wrap(all, i, 1);
            r = p.feed(one);
            assertThat(one.hasRemaining()).isFalse();
        }
        assertThat(r).isEqualTo(Result.COMPLETE);
        assertThat(p.bodyMatched()).isTrue();
    }

    @Test
    void connectionCloseAndHttp10() {
        HttpResponseParser p = new HttpResponseParser();
        assertThat(feedAll(p, "HTTP/1.1 200 OK\r\nconnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n"))
                .isEqualTo(Result.COMPLETE);
        assertThat(p.mustClose()).isTrue();
        p.reset(false);
        assertThat(feedAll(p, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).isEqualTo(Result.COMPLETE);
        assertThat(p.mustClose()).isTrue();
        p.reset(false);
        assertThat(feedAll(p, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"))
                .isEqualTo(Result.COMPLETE);
        assertThat(p.mustClose()).isFalse();
    }

    @Test
    void bodyDelimitedByClose() {
        HttpResponseParser p = new HttpResponseParser().expectBodyContains("end".getBytes());
        assertThat(feedAll(p, "HTTP/1.1 200 OK\r\n\r\nsome bytes up to the e")).isEqualTo(Result.NEED_MORE);
        assertThat(feedAll(p, "nd")).isEqualTo(Result.NEED_MORE);
        assertThat(p.endOfInput()).isEqualTo(Result.COMPLETE);
        assertThat(p.bodyLength()).isEqualTo(24);
        assertThat(p.mustClose()).isTrue();
        assertThat(p.bodyMatched()).isTrue();
    }

    @Test
    void headResponseHasNoBodyDespiteContentLength() {
        HttpResponseParser p = new HttpResponseParser();
        p.reset(true);
        ByteBuffer b = buf("HTTP/1.1 200 OK\r\nContent-Length: 444\r\n\r\nHTTP/1.1 200 OK\r\n");
        assertThat(p.feed(b)).isEqualTo(Result.COMPLETE);
        assertThat(p.bodyLength()).isZero();
        assertThat(b.remaining()).isEqualTo(17);
    }

    @Test
    void noBodyFor204And304() {
        HttpResponseParser p = new HttpResponseParser();
        assertThat(feedAll(p, "HTTP/1.1 204 No Content\r\n\r\n")).isEqualTo(Result.COMPLETE);
        p.reset(false);
        assertThat(feedAll(p, "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")).isEqualTo(Result.COMPLETE);
        assertThat(p.status()).isEqualTo(304);
    }

    @Test
    void interimResponsesAreSkipped() {
        HttpResponseParser p = new HttpResponseParser();
        String s = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
        assertThat(feedAll(p, s)).isEqualTo(Result.COMPLETE);
        assertThat(p.status()).isEqualTo(201);
        assertThat(p.interimResponses()).isEqualTo(2);
        assertThat(p.bodyLength()).isEqualTo(2);
        assertThat(p.responseBytes()).isEqualTo(s.length());
    }

    @Test
    void bareLineFeedsAreAccepted() {
        HttpResponseParser p = new HttpResponseParser();
        assertThat(feedAll(p, "HTTP/1.1 200 OK\nContent-Length: 1\n\nx")).isEqualTo(Result.COMPLETE);
    }

    @Test
    void garbageIsAParseError() {
        String[] bad = {
            "SSH-2.0-OpenSSH_9.2\r\n",
            "HTTP/2 200\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1 099 Low\r\n\r\n",
            "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n",
        };
        for (String s : bad) {
            HttpResponseParser p = new HttpResponseParser();
            assertThat(feedAll(p, s)).as(s).isEqualTo(Result.ERROR);
            assertThat(p.error()).as(s).isNotEqualTo(Error.NONE);
            // stays in error
            assertThat(feedAll(p, "HTTP/1.1 200 OK\r\n\r\n")).isEqualTo(Result.ERROR);
        }
    }

    @Test
    void headTooLarge() {
        HttpResponseParser p = new HttpResponseParser(256);
        StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
        while (sb.length() < 300) {
            sb.append("X-Filler: 0123456789\r\n");
        }
        assertThat(feedAll(p, sb.toString())).isEqualTo(Result.ERROR);
        assertThat(p.error()).isEqualTo(Error.HEADER_TOO_LARGE);
    }

    @Test
    void prematureEndOfInput() {
        HttpResponseParser p = new HttpResponseParser();
        assertThat(p.started()).isFalse();
        assertThat(feedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")).isEqualTo(Result.NEED_MORE);
        assertThat(p.started()).isTrue();
        assertThat(p.endOfInput()).isEqualTo(Result.ERROR);
        assertThat(p.error()).isEqualTo(Error.PREMATURE_EOF);
    }

    @Test
    void bodyMatchAcrossChunks() {
        HttpResponseParser p = new HttpResponseParser().expectBodyContains("abab".getBytes());
        String s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\naba\r\n3\r\nbab\r\n0\r\n\r\n";
        assertThat(feedAll(p, s)).isEqualTo(Result.COMPLETE);
        assertThat(p.bodyMatched()).isTrue();
        p.reset(false);
        assertThat(feedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabaab")).isEqualTo(Result.COMPLETE);
        assertThat(p.bodyMatched()).isFalse();
    }

    @Test
    void chunkedWinsOverContentLengthAndClosesConnection() {
        HttpResponseParser p = new HttpResponseParser();
        assertThat(feedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"))
                .isEqualTo(Result.COMPLETE);
        assertThat(p.bodyLength()).isEqualTo(1);
        assertThat(p.mustClose()).isTrue();
    }
}
