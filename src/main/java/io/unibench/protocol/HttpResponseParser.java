package io.unibench.protocol;

import java.nio.ByteBuffer;

/**
 * Incremental HTTP/1.1 response parser for a client: feed it the bytes read from a connection in any
 * chunks, and it says when one response is complete, what its status was, how long its body was and
 * whether the connection must be closed afterwards.
 *
 * <p>Handles the status line, headers (bounded in size), {@code Content-Length} bodies, chunked bodies
 * with extensions and trailers, bodies delimited by the connection closing, responses without a body
 * (to HEAD, 204, 304), and 1xx interim responses (skipped, except 101 which ends the exchange). HTTP/1.0
 * responses close the connection unless they say {@code keep-alive}. Optionally checks, across chunk
 * boundaries, whether the (decoded) body contains a byte string.
 *
 * <p>One parser serves one connection and is reused for each response with {@link #reset(boolean)}; it
 * allocates nothing after construction. Not thread-safe.
 */
public final class HttpResponseParser {

    /** Outcome of {@link #feed(ByteBuffer)} and {@link #endOfInput()}. */
    public enum Result {
        /** The response is not complete yet; feed more bytes. */
        NEED_MORE,
        /** One response is complete; the buffer is positioned just after it. */
        COMPLETE,
        /** The response is malformed (see {@link #error()}); the connection is unusable. */
        ERROR
    }

    /** Why a response could not be parsed. */
    public enum Error {
        NONE("no error"),
        STATUS_LINE("malformed status line"),
        HEADER("malformed header line"),
        HEADER_TOO_LARGE("response head exceeds the size limit"),
        CONTENT_LENGTH("invalid or conflicting Content-Length"),
        CHUNK("malformed chunked body"),
        PREMATURE_EOF("connection closed before the response was complete");

        private final String message;

        Error(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    /** Default bound on the status line plus headers of one response, and on each trailer/chunk line. */
    public static final int DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CHUNKED = ascii("chunked");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

    private static final int S_STATUS = 0;
    private static final int S_HEADER = 1;
    private static final int S_BODY_LENGTH = 2;
    private static final int S_CHUNK_SIZE = 3;
    private static final int S_CHUNK_DATA = 4;
    private static final int S_CHUNK_DATA_END = 5;
    private static final int S_TRAILER = 6;
    private static final int S_BODY_UNTIL_CLOSE = 7;
    private static final int S_DONE = 8;
    private static final int S_ERROR = 9;

    private final int maxHeadBytes;
    private final byte[] line;
    private int lineLen;

    private byte[] needle;
    private int[] needleFailure;

    private int state;
    private Error error;
    private boolean headRequest;
    private boolean started;
    private int headBytes;
    private long responseBytes;
    private int interimResponses;

    private int status;
    private boolean http10;
    private long contentLength;
    private boolean chunked;
    private boolean otherTransferCoding;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean mustClose;
    private long bodyLength;
    private long remaining;
    private int matched;
    private boolean bodyMatched;

    public HttpResponseParser() {
        this(DEFAULT_MAX_HEAD_BYTES);
    }

    public HttpResponseParser(int maxHeadBytes) {
        if (maxHeadBytes < 64) {
            throw new IllegalArgumentException("maxHeadBytes must be at least 64: " + maxHeadBytes);
        }
        this.maxHeadBytes = maxHeadBytes;
        this.line = new byte[maxHeadBytes];
        reset(false);
    }

    /**
     * Makes every following response report whether its decoded body contains {@code text}
     * ({@link #bodyMatched()}); {@code null} or empty turns the check off (every body then matches).
     */
    public HttpResponseParser expectBodyContains(byte[] text) {
        if (text == null || text.length == 0) {
            needle = null;
            needleFailure = null;
        } else {
            needle = text.clone();
            needleFailure = failureTable(needle);
        }
        bodyMatched = needle == null;
        return this;
    }

    /**
     * Prepares for the next response on this connection.
     *
     * @param head whether the request was HEAD (its response has headers but never a body)
     */
    public void reset(boolean head) {
        headRequest = head;
        state = S_STATUS;
        error = Error.NONE;
        started = false;
        responseBytes = 0;
        interimResponses = 0;
        resetHead();
    }

    private void resetHead() {
        lineLen = 0;
        headBytes = 0;
        status = 0;
        http10 = false;
        contentLength = -1;
        chunked = false;
        otherTransferCoding = false;
        connectionClose = false;
        connectionKeepAlive = false;
        mustClose = false;
        bodyLength = 0;
        remaining = 0;
        matched = 0;
        bodyMatched = needle == null;
    }

    /**
     * Consumes bytes of the response from {@code buf} (from its position to its limit). Stops right
     * after the end of the response, so bytes of a following response stay in the buffer.
     */
    public Result feed(ByteBuffer buf) {
        while (true) {
            switch (state) {
                case S_DONE:
                    return Result.COMPLETE;
                case S_ERROR:
                    return Result.ERROR;
                case S_BODY_LENGTH:
                case S_CHUNK_DATA: {
                    int n = (int) Math.min(remaining, buf.remaining());
                    if (n == 0) {
                        return Result.NEED_MORE;
                    }
                    consumeBody(buf, n);
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == S_BODY_LENGTH) {
                            state = S_DONE;
                        } else {
                            state = S_CHUNK_DATA_END;
                        }
                    }
                    break;
                }
                case S_BODY_UNTIL_CLOSE: {
                    int n = buf.remaining();
                    if (n > 0) {
                        consumeBody(buf, n);
                    }
                    return Result.NEED_MORE;
                }
                default: {
                    // a line-oriented state: collect one line, then act on it
                    if (!readLine(buf)) {
                        return state == S_ERROR ? Result.ERROR : Result.NEED_MORE;
                    }
                    onLine();
                    lineLen = 0;
                }
            }
        }
    }

    /**
     * Tells the parser the connection was closed by the peer (read returned end of stream). Completes a
     * body delimited by the close; anywhere else in a response it is {@link Error#PREMATURE_EOF}. Check
     * {@link #started()} first to tell an idle connection being closed from a response being cut short.
     */
    public Result endOfInput() {
        if (state == S_BODY_UNTIL_CLOSE) {
            state = S_DONE;
            return Result.COMPLETE;
        }
        if (state == S_DONE) {
            return Result.COMPLETE;
        }
        if (state != S_ERROR) {
            fail(Error.PREMATURE_EOF);
        }
        return Result.ERROR;
    }

    /** Whether any byte of the current response has been received. */
    public boolean started() {
        return started;
    }

    /** Status code of the final response (valid once the head is parsed). */
    public int status() {
        return status;
    }

    /** Length of the body after chunked decoding. */
    public long bodyLength() {
        return bodyLength;
    }

    /** All bytes of this response, interim responses included, as they came over the wire. */
    public long responseBytes() {
        return responseBytes;
    }

    /** Number of 1xx interim responses skipped before the final one. */
    public int interimResponses() {
        return interimResponses;
    }

    /** Whether the connection must be closed after this response (it said so, or it is HTTP/1.0, or the body ends at the close). */
    public boolean mustClose() {
        return mustClose;
    }

    /** Whether the body contained the text set with {@link #expectBodyContains}; always true without one. */
    public boolean bodyMatched() {
        return bodyMatched;
    }

    public Error error() {
        return error;
    }

    /** Whether the response head (status line and headers) has been fully parsed. */
    public boolean headComplete() {
        return state != S_STATUS && state != S_HEADER && state != S_ERROR;
    }

    // ---- lines ------------------------------------------------------------------------------------

    /** Appends bytes up to and including LF to the line buffer; true when a full line is in it (without CR LF). */
    private boolean readLine(ByteBuffer buf) {
        while (buf.hasRemaining()) {
            byte b = buf.get();
            started = true;
            responseBytes++;
            if (state == S_STATUS || state == S_HEADER) {
                if (++headBytes > maxHeadBytes) {
                    fail(Error.HEADER_TOO_LARGE);
                    return false;
                }
            }
            if (b == '\n') {
                if (lineLen > 0 && line[lineLen - 1] == '\r') {
                    lineLen--;
                }
                return true;
            }
            if (lineLen == line.length) {
                fail(state == S_STATUS || state == S_HEADER ? Error.HEADER_TOO_LARGE : Error.CHUNK);
                return false;
            }
            line[lineLen++] = b;
        }
        return false;
    }

    private void onLine() {
        switch (state) {
            case S_STATUS -> parseStatusLine();
            case S_HEADER -> {
                if (lineLen == 0) {
                    endOfHead();
                } else {
                    parseHeader();
                }
            }
            case S_CHUNK_SIZE -> parseChunkSize();
            case S_CHUNK_DATA_END -> {
                if (lineLen != 0) {
                    fail(Error.CHUNK);
                } else {
                    state = S_CHUNK_SIZE;
                }
            }
            case S_TRAILER -> {
                if (lineLen == 0) {
                    state = S_DONE;
                }
                // trailer fields are read and ignored
            }
            default -> throw new IllegalStateException("line in state " + state);
        }
    }

    /** {@code HTTP/1.x SP 3DIGIT [SP reason]}. */
    private void parseStatusLine() {
        byte[] l = line;
        if (lineLen < 12 || l[0] != 'H' || l[1] != 'T' || l[2] != 'T' || l[3] != 'P' || l[4] != '/'
                || l[5] != '1' || l[6] != '.' || !digit(l[7]) || l[8] != ' '
                || !digit(l[9]) || !digit(l[10]) || !digit(l[11]) || (lineLen > 12 && l[12] != ' ')) {
            fail(Error.STATUS_LINE);
            return;
        }
        http10 = l[7] == '0';
        status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
        if (status < 100) {
            fail(Error.STATUS_LINE);
            return;
        }
        state = S_HEADER;
    }

    private void parseHeader() {
        byte first = line[0];
        if (first == ' ' || first == '\t') {
            return; // obsolete line folding: continuation of a field we do not interpret
        }
        int colon = -1;
        for (int i = 0; i < lineLen; i++) {
            byte b = line[i];
            if (b == ':') {
                colon = i;
                break;
            }
            if (b == ' ' || b == '\t' || b < 0x20 || b == 0x7f) {
                break; // no whitespace or controls allowed in a field name
            }
        }
        if (colon <= 0) {
            fail(Error.HEADER);
            return;
        }
        int vs = colon + 1;
        int ve = lineLen;
        while (vs < ve && (line[vs] == ' ' || line[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t')) {
            ve--;
        }
        if (nameIs(CONTENT_LENGTH, colon)) {
            parseContentLength(vs, ve);
        } else if (nameIs(TRANSFER_ENCODING, colon)) {
            parseTransferEncoding(vs, ve);
        } else if (nameIs(CONNECTION, colon)) {
            parseConnection(vs, ve);
        }
    }

    private void parseContentLength(int vs, int ve) {
        if (vs == ve || ve - vs > 18) {
            fail(Error.CONTENT_LENGTH);
            return;
        }
        long v = 0;
        for (int i = vs; i < ve; i++) {
            if (!digit(line[i])) {
                fail(Error.CONTENT_LENGTH);
                return;
            }
            v = v * 10 + (line[i] - '0');
        }
        if (contentLength >= 0 && contentLength != v) {
            fail(Error.CONTENT_LENGTH);
            return;
        }
        contentLength = v;
    }

    /** A comma-separated list of codings; the body is chunked if the last one is {@code chunked}. */
    private void parseTransferEncoding(int vs, int ve) {
        int tokenStart = vs;
        for (int i = vs; i <= ve; i++) {
            if (i == ve || line[i] == ',') {
                int s = tokenStart;
                int e = i;
                while (s < e && (line[s] == ' ' || line[s] == '\t')) {
                    s++;
                }
                while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t')) {
                    e--;
                }
                if (e > s) {
                    boolean isChunked = equalsIgnoreCase(CHUNKED, s, e);
                    chunked = isChunked;
                    if (!isChunked) {
                        otherTransferCoding = true;
                    }
                }
                tokenStart = i + 1;
            }
        }
    }

    private void parseConnection(int vs, int ve) {
        int tokenStart = vs;
        for (int i = vs; i <= ve; i++) {
            if (i == ve || line[i] == ',') {
                int s = tokenStart;
                int e = i;
                while (s < e && (line[s] == ' ' || line[s] == '\t')) {
                    s++;
                }
                while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t')) {
                    e--;
                }
                if (equalsIgnoreCase(CLOSE, s, e)) {
                    connectionClose = true;
                } else if (equalsIgnoreCase(KEEP_ALIVE, s, e)) {
                    connectionKeepAlive = true;
                }
                tokenStart = i + 1;
            }
        }
    }

    private void endOfHead() {
        if (status >= 100 && status < 200 && status != 101) {
            // interim response (100 Continue, 103 Early Hints...): the final one follows
            interimResponses++;
            resetHead();
            state = S_STATUS;
            return;
        }
        mustClose = connectionClose || (http10 && !connectionKeepAlive) || status == 101;
        if (headRequest || status == 101 || status == 204 || status == 304) {
            state = S_DONE;
        } else if (chunked) {
            // Transfer-Encoding overrides Content-Length (RFC 9112 6.3); such a message may be an attack
            // on an intermediary, so do not reuse the connection
            if (contentLength >= 0) {
                mustClose = true;
            }
            state = S_CHUNK_SIZE;
        } else if (otherTransferCoding) {
            mustClose = true;
            state = S_BODY_UNTIL_CLOSE;
        } else if (contentLength >= 0) {
            remaining = contentLength;
            state = contentLength == 0 ? S_DONE : S_BODY_LENGTH;
        } else {
            mustClose = true;
            state = S_BODY_UNTIL_CLOSE;
        }
    }

    /** {@code 1*HEXDIG [ ; extensions ]}. */
    private void parseChunkSize() {
        long size = 0;
        int i = 0;
        while (i < lineLen) {
            int d = hex(line[i]);
            if (d < 0) {
                break;
            }
            if (i >= 15) {
                fail(Error.CHUNK);
                return;
            }
            size = (size << 4) | d;
            i++;
        }
        if (i == 0) {
            fail(Error.CHUNK);
            return;
        }
        while (i < lineLen && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        if (i < lineLen && line[i] != ';') {
            fail(Error.CHUNK);
            return;
        }
        if (size == 0) {
            state = S_TRAILER;
        } else {
            remaining = size;
            state = S_CHUNK_DATA;
        }
    }

    // ---- body -------------------------------------------------------------------------------------

    private void consumeBody(ByteBuffer buf, int n) {
        started = true;
        responseBytes += n;
        bodyLength += n;
        if (bodyMatched) {
            buf.position(buf.position() + n);
            return;
        }
        // Knuth-Morris-Pratt, so a match split across reads or chunks is found without buffering
        byte[] p = needle;
        int[] f = needleFailure;
        int m = matched;
        int end = buf.position() + n;
        for (int i = buf.position(); i < end; i++) {
            byte b = buf.get(i);
            while (m > 0 && p[m] != b) {
                m = f[m - 1];
            }
            if (p[m] == b) {
                m++;
                if (m == p.length) {
                    bodyMatched = true;
                    break;
                }
            }
        }
        matched = m;
        buf.position(end);
    }

    private static int[] failureTable(byte[] p) {
        int[] f = new int[p.length];
        int k = 0;
        for (int i = 1; i < p.length; i++) {
            while (k > 0 && p[k] != p[i]) {
                k = f[k - 1];
            }
            if (p[k] == p[i]) {
                k++;
            }
            f[i] = k;
        }
        return f;
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private void fail(Error e) {
        error = e;
        state = S_ERROR;
    }

    private boolean nameIs(byte[] lowerName, int nameLen) {
        return nameLen == lowerName.length && equalsIgnoreCase(lowerName, 0, nameLen);
    }

    /** Whether line[s, e) equals {@code lower} ignoring ASCII case. */
    private boolean equalsIgnoreCase(byte[] lower, int s, int e) {
        if (e - s != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            int b = line[s + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
