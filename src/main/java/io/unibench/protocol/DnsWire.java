package io.unibench.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * DNS wire format (RFC 1035, EDNS0 from RFC 6891): encode queries, decode responses.
 *
 * <p>Two layers. {@link #encodeQuery} and {@link #decode} build and read whole messages for probes and
 * tests. The hot-path helpers ({@link #id}, {@link #rcode}, {@link #questionEnd}, {@link #questionMatches},
 * {@link #putId}) read or patch a message in place without allocating, for load generators that keep
 * pre-encoded queries and only rewrite the ID.
 *
 * <p>Everything here is a pure function; decoding is bounds-checked and compression loops cannot hang
 * it (a pointer must point strictly before the name that uses it).
 */
public final class DnsWire {
    public static final int HEADER_BYTES = 12;
    /** Largest name in wire form, root label included (RFC 1035 §3.1). */
    public static final int MAX_NAME_BYTES = 255;
    public static final int MAX_LABEL_BYTES = 63;

    public static final int FLAG_QR = 0x8000;
    public static final int FLAG_AA = 0x0400;
    public static final int FLAG_TC = 0x0200;
    public static final int FLAG_RD = 0x0100;
    public static final int FLAG_RA = 0x0080;

    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_FORMERR = 1;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;
    public static final int RCODE_NOTIMP = 4;
    public static final int RCODE_REFUSED = 5;

    public static final int CLASS_IN = 1;

    public static final int TYPE_A = 1;
    public static final int TYPE_NS = 2;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_PTR = 12;
    public static final int TYPE_MX = 15;
    public static final int TYPE_TXT = 16;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_SRV = 33;
    public static final int TYPE_NAPTR = 35;
    public static final int TYPE_DNAME = 39;
    public static final int TYPE_OPT = 41;
    public static final int TYPE_DS = 43;
    public static final int TYPE_RRSIG = 46;
    public static final int TYPE_NSEC = 47;
    public static final int TYPE_DNSKEY = 48;
    public static final int TYPE_NSEC3 = 50;
    public static final int TYPE_TLSA = 52;
    public static final int TYPE_SVCB = 64;
    public static final int TYPE_HTTPS = 65;
    public static final int TYPE_ANY = 255;
    public static final int TYPE_CAA = 257;

    private static final Map<String, Integer> TYPES_BY_NAME;

    static {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("A", TYPE_A);
        m.put("NS", TYPE_NS);
        m.put("CNAME", TYPE_CNAME);
        m.put("SOA", TYPE_SOA);
        m.put("PTR", TYPE_PTR);
        m.put("HINFO", 13);
        m.put("MX", TYPE_MX);
        m.put("TXT", TYPE_TXT);
        m.put("AAAA", TYPE_AAAA);
        m.put("SRV", TYPE_SRV);
        m.put("NAPTR", TYPE_NAPTR);
        m.put("DNAME", TYPE_DNAME);
        m.put("DS", TYPE_DS);
        m.put("SSHFP", 44);
        m.put("RRSIG", TYPE_RRSIG);
        m.put("NSEC", TYPE_NSEC);
        m.put("DNSKEY", TYPE_DNSKEY);
        m.put("NSEC3", TYPE_NSEC3);
        m.put("NSEC3PARAM", 51);
        m.put("TLSA", TYPE_TLSA);
        m.put("SVCB", TYPE_SVCB);
        m.put("HTTPS", TYPE_HTTPS);
        m.put("AXFR", 252);
        m.put("ANY", TYPE_ANY);
        m.put("CAA", TYPE_CAA);
        TYPES_BY_NAME = Collections.unmodifiableMap(m);
    }

    private DnsWire() {
    }

    // ---------------------------------------------------------------- types

    /**
     * The numeric RR type for a mnemonic ({@code A}, {@code aaaa}) or the generic form {@code TYPE65}
     * (RFC 3597); empty when unknown.
     */
    public static OptionalInt typeCode(String mnemonic) {
        String upper = mnemonic.toUpperCase(Locale.ROOT);
        Integer known = TYPES_BY_NAME.get(upper);
        if (known != null) {
            return OptionalInt.of(known);
        }
        if (upper.startsWith("TYPE") && upper.length() > 4 && upper.length() <= 9) {
            String digits = upper.substring(4);
            if (digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                int v = Integer.parseInt(digits);
                if (v <= 0xFFFF) {
                    return OptionalInt.of(v);
                }
            }
        }
        return OptionalInt.empty();
    }

    /** The mnemonic for a type code, or {@code TYPEnnn}. */
    public static String typeName(int type) {
        for (Map.Entry<String, Integer> e : TYPES_BY_NAME.entrySet()) {
            if (e.getValue() == type) {
                return e.getKey();
            }
        }
        return "TYPE" + type;
    }

    /** The mnemonics {@link #typeCode} knows, for error messages. */
    public static List<String> knownTypes() {
        return List.copyOf(TYPES_BY_NAME.keySet());
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Encodes a name to wire form. Accepts {@code www.cetic.be}, {@code www.cetic.be.}, {@code .} (root),
     * and the master-file escapes {@code \.} and {@code \DDD}.
     *
     * @throws IllegalArgumentException for an empty label, a label over 63 bytes, a name over 255 bytes
     *                                  or a bad escape
     */
    public static byte[] encodeName(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 2);
        if (!name.isEmpty() && !name.equals(".")) {
            byte[] label = new byte[MAX_LABEL_BYTES + 1];
            int len = 0;
            int i = 0;
            int n = name.length();
            while (i < n) {
                char c = name.charAt(i);
                int b;
                if (c == '.') {
                    if (len == 0) {
                        throw new IllegalArgumentException("empty label in name '" + name + "'");
                    }
                    out.write(len);
                    out.write(label, 0, len);
                    len = 0;
                    i++;
                    continue;
                } else if (c == '\\') {
                    if (i + 1 >= n) {
                        throw new IllegalArgumentException("name '" + name + "' ends in a backslash");
                    }
                    char d = name.charAt(i + 1);
                    if (d >= '0' && d <= '9') {
                        if (i + 4 > n) {
                            throw new IllegalArgumentException("bad \\DDD escape in name '" + name + "'");
                        }
                        String digits = name.substring(i + 1, i + 4);
                        if (!digits.chars().allMatch(x -> x >= '0' && x <= '9') || Integer.parseInt(digits) > 255) {
                            throw new IllegalArgumentException("bad \\DDD escape in name '" + name + "'");
                        }
                        b = Integer.parseInt(digits);
                        i += 4;
                    } else {
                        b = d;
                        i += 2;
                    }
                } else {
                    b = c;
                    i++;
                }
                if (b > 0x7F && c != '\\') {
                    throw new IllegalArgumentException("non-ASCII character in name '" + name + "' (use \\DDD)");
                }
                if (len == MAX_LABEL_BYTES) {
                    throw new IllegalArgumentException("label longer than 63 bytes in name '" + name + "'");
                }
                label[len++] = (byte) b;
            }
            if (len > 0) {
                out.write(len);
                out.write(label, 0, len);
            }
        }
        out.write(0);
        if (out.size() > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name longer than 255 bytes: '" + name + "'");
        }
        return out.toByteArray();
    }

    /**
     * Encodes a query with one question of class IN.
     *
     * @param id               message ID (0..65535)
     * @param name             query name, see {@link #encodeName}
     * @param qtype            RR type code
     * @param recursionDesired sets RD
     * @param ednsPayloadSize  0 for no OPT record; otherwise adds an EDNS0 OPT record advertising this UDP
     *                         payload size (512..65535)
     */
    public static byte[] encodeQuery(int id, String name, int qtype, boolean recursionDesired, int ednsPayloadSize) {
        byte[] qname = encodeName(name);
        if (qtype < 0 || qtype > 0xFFFF) {
            throw new IllegalArgumentException("qtype out of range: " + qtype);
        }
        if (ednsPayloadSize != 0 && (ednsPayloadSize < 512 || ednsPayloadSize > 0xFFFF)) {
            throw new IllegalArgumentException("EDNS0 payload size must be 512..65535: " + ednsPayloadSize);
        }
        int size = HEADER_BYTES + qname.length + 4 + (ednsPayloadSize != 0 ? 11 : 0);
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short) id);
        b.putShort((short) (recursionDesired ? FLAG_RD : 0));
        b.putShort((short) 1); // QDCOUNT
        b.putShort((short) 0); // ANCOUNT
        b.putShort((short) 0); // NSCOUNT
        b.putShort((short) (ednsPayloadSize != 0 ? 1 : 0)); // ARCOUNT
        b.put(qname);
        b.putShort((short) qtype);
        b.putShort((short) CLASS_IN);
        if (ednsPayloadSize != 0) {
            b.put((byte) 0); // root name
            b.putShort((short) TYPE_OPT);
            b.putShort((short) ednsPayloadSize); // CLASS = UDP payload size
            b.putInt(0); // extended rcode 0, version 0, DO 0
            b.putShort((short) 0); // RDLEN
        }
        return b.array();
    }

    /** Query without EDNS0, recursion not desired (what an authoritative benchmark sends). */
    public static byte[] encodeQuery(int id, String name, int qtype) {
        return encodeQuery(id, name, qtype, false, 0);
    }

    // ---------------------------------------------------------------- hot path (no allocation)
    // The message occupies indices 0 .. limit()-1 of the buffer; position is ignored and not changed.

    /** Message ID; the caller must have checked {@code limit() >= HEADER_BYTES}. */
    public static int id(ByteBuffer msg) {
        return msg.getShort(0) & 0xFFFF;
    }

    /** Rewrites the message ID in place. */
    public static void putId(ByteBuffer msg, int id) {
        msg.putShort(0, (short) id);
    }

    /** Rewrites the message ID in place. */
    public static void putId(byte[] msg, int id) {
        msg[0] = (byte) (id >>> 8);
        msg[1] = (byte) id;
    }

    public static int flags(ByteBuffer msg) {
        return msg.getShort(2) & 0xFFFF;
    }

    public static boolean isResponse(ByteBuffer msg) {
        return (flags(msg) & FLAG_QR) != 0;
    }

    /** The 4-bit header rcode (without EDNS0 extension). */
    public static int rcode(ByteBuffer msg) {
        return msg.get(3) & 0x0F;
    }

    public static int questionCount(ByteBuffer msg) {
        return msg.getShort(4) & 0xFFFF;
    }

    /**
     * End offset (exclusive) of the first question, or -1 if the message is shorter than a header, has
     * no question, or the question is truncated or malformed. A compressed question name ends at its
     * pointer (it then never matches an uncompressed query in {@link #questionMatches}).
     */
    public static int questionEnd(ByteBuffer msg) {
        int limit = msg.limit();
        if (limit < HEADER_BYTES || questionCount(msg) == 0) {
            return -1;
        }
        int p = scanName(msg, HEADER_BYTES, limit, Pointers.END, null);
        if (p < 0) {
            return -1;
        }
        p += 4;
        return p <= limit ? p : -1;
    }

    /**
     * Whether the response's first question (bytes {@code HEADER_BYTES .. respQuestionEnd}) equals the
     * query's (bytes {@code HEADER_BYTES .. query.length - queryTail}), comparing names ASCII
     * case-insensitively (servers may echo 0x20-mixed case).
     *
     * @param respQuestionEnd from {@link #questionEnd}
     * @param query           the encoded query
     * @param queryQuestionEnd end of the query's question, from {@link #questionEnd(byte[])}
     */
    public static boolean questionMatches(ByteBuffer resp, int respQuestionEnd, byte[] query, int queryQuestionEnd) {
        if (respQuestionEnd != queryQuestionEnd || respQuestionEnd < 0) {
            return false;
        }
        int nameEnd = queryQuestionEnd - 4;
        for (int i = HEADER_BYTES; i < queryQuestionEnd; i++) {
            byte a = resp.get(i);
            byte b = query[i];
            if (a != b) {
                if (i >= nameEnd || toLower(a) != toLower(b)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether every section of the message parses within its bounds, without allocating: header,
     * {@code QDCOUNT} questions and {@code ANCOUNT + NSCOUNT + ARCOUNT} records, each name made of
     * labels of at most 63 bytes ending in a root label or a pointer that points backwards before the
     * name, each RDATA inside the message. Names inside RDATA are not checked (that needs the type).
     * Trailing bytes after the last record are tolerated, as in {@link #decode}.
     */
    public static boolean wellFormed(ByteBuffer msg) {
        int limit = msg.limit();
        if (limit < HEADER_BYTES) {
            return false;
        }
        int p = HEADER_BYTES;
        int qd = msg.getShort(4) & 0xFFFF;
        int rr = (msg.getShort(6) & 0xFFFF) + (msg.getShort(8) & 0xFFFF) + (msg.getShort(10) & 0xFFFF);
        for (int i = 0; i < qd; i++) {
            p = skipName(msg, p, limit);
            if (p < 0 || p + 4 > limit) {
                return false;
            }
            p += 4;
        }
        for (int i = 0; i < rr; i++) {
            p = skipName(msg, p, limit);
            if (p < 0 || p + 10 > limit) {
                return false;
            }
            int rdlen = msg.getShort(p + 8) & 0xFFFF;
            p += 10 + rdlen;
            if (p > limit) {
                return false;
            }
        }
        return true;
    }

    /** Offset after the name at {@code start}, or -1; does not follow pointers but checks they go backwards. */
    private static int skipName(ByteBuffer msg, int start, int limit) {
        int end = scanName(msg, start, limit, Pointers.CHECK, null);
        return end < 0 ? -1 : end;
    }

    // ---------------------------------------------------------------- the one name scanner

    /** What {@link #scanName} does at a compression pointer. */
    enum Pointers {
        /** the name ends at the pointer, wherever it points (the hot path's question check) */
        END,
        /** the name ends at the pointer, which must point backwards into the message */
        CHECK,
        /** follow it (it must point strictly before everything read so far) and read on */
        FOLLOW
    }

    /** Receives the labels of a name, in order, as offsets into the message. */
    @FunctionalInterface
    interface LabelSink {
        void label(ByteBuffer msg, int from, int len);
    }

    private static final int TRUNCATED_NAME = 1;
    private static final int TRUNCATED_POINTER = 2;
    private static final int BAD_POINTER = 3;
    private static final int LABEL_TYPE = 4;
    private static final int TOO_LONG = 5;
    private static final int TRUNCATED_LABEL = 6;

    /**
     * Walks the name at {@code start}: labels of at most 63 bytes (length byte {@code 00xxxxxx}) until the
     * root label or a compression pointer ({@code 11xxxxxx xxxxxxxx}), at most 255 bytes in wire form. The
     * name must lie before {@code limit}; labels reached through a followed pointer may lie anywhere in the
     * buffer. Every walk over a name in this class goes through here; it allocates nothing itself.
     *
     * @param labels gets each label, or null
     * @return the offset after the name (after its first pointer, if any), or a failure {@code ~(offset << 3 |
     *         kind)} (always negative) that {@link #nameError} turns into a message
     */
    static int scanName(ByteBuffer msg, int start, int limit, Pointers pointers, LabelSink labels) {
        int p = start;
        int wireBytes = 0;
        int resumeAt = -1;
        int lowestSeen = start;
        int end = msg.limit();
        while (true) {
            if (p >= end || p >= limit && resumeAt < 0) {
                return failure(p, TRUNCATED_NAME);
            }
            int len = msg.get(p) & 0xFF;
            if (len == 0) {
                return resumeAt >= 0 ? resumeAt : p + 1;
            }
            int kind = len & 0xC0;
            if (kind == 0xC0) {
                if (p + 2 > end || (resumeAt < 0 && p + 2 > limit)) {
                    return failure(p, TRUNCATED_POINTER);
                }
                if (pointers == Pointers.END) {
                    return p + 2;
                }
                int target = ((len & 0x3F) << 8) | (msg.get(p + 1) & 0xFF);
                if (target < HEADER_BYTES || target >= lowestSeen) {
                    return failure(p, BAD_POINTER);
                }
                if (pointers == Pointers.CHECK) {
                    return p + 2;
                }
                if (resumeAt < 0) {
                    resumeAt = p + 2;
                }
                lowestSeen = target;
                p = target;
                continue;
            }
            if (kind != 0) {
                return failure(p, LABEL_TYPE);
            }
            wireBytes += len + 1;
            if (wireBytes + 1 > MAX_NAME_BYTES) {
                return failure(start, TOO_LONG);
            }
            if (p + 1 + len > end || (resumeAt < 0 && p + 1 + len > limit)) {
                return failure(p, TRUNCATED_LABEL);
            }
            if (labels != null) {
                labels.label(msg, p + 1, len);
            }
            p += 1 + len;
        }
    }

    private static int failure(int offset, int kind) {
        return ~(offset << 3 | kind);
    }

    /** The message of a {@link #scanName} failure. */
    static String nameError(ByteBuffer msg, int failure) {
        int f = ~failure;
        int at = f >>> 3;
        return switch (f & 7) {
            case TRUNCATED_POINTER -> "truncated compression pointer at offset " + at;
            case BAD_POINTER -> "compression pointer at offset " + at + " to "
                    + (((msg.get(at) & 0x3F) << 8) | (msg.get(at + 1) & 0xFF))
                    + " does not point backwards into the message";
            case LABEL_TYPE -> "unsupported label type 0x" + Integer.toHexString(msg.get(at) & 0xC0) + " at offset " + at;
            case TOO_LONG -> "name longer than 255 bytes at offset " + at;
            case TRUNCATED_LABEL -> "truncated label at offset " + at;
            default -> "truncated name at offset " + at;
        };
    }

    /** {@link #questionEnd(ByteBuffer)} for an encoded message in an array. */
    public static int questionEnd(byte[] msg) {
        return questionEnd(ByteBuffer.wrap(msg));
    }

    private static int toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    // ---------------------------------------------------------------- full decoding

    /** Decodes a whole message in {@code buf[off .. off+len)}. */
    public static DnsMessage decode(byte[] buf, int off, int len) throws DnsFormatException {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " length=" + buf.length);
        }
        return decode(ByteBuffer.wrap(buf, off, len).slice());
    }

    public static DnsMessage decode(byte[] msg) throws DnsFormatException {
        return decode(msg, 0, msg.length);
    }

    /**
     * Decodes a whole message occupying {@code 0 .. limit()-1} of {@code msg}. Trailing bytes after the
     * last record are tolerated; anything out of bounds, a label type other than 0 or pointer, a
     * forward or looping pointer, a name over 255 bytes, or an RDATA length past the end is a
     * {@link DnsFormatException}.
     */
    public static DnsMessage decode(ByteBuffer msg) throws DnsFormatException {
        Reader r = new Reader(msg);
        if (r.limit < HEADER_BYTES) {
            throw new DnsFormatException("message of " + r.limit + " bytes is shorter than the 12-byte header");
        }
        int id = r.u16();
        int flags = r.u16();
        int qd = r.u16();
        int an = r.u16();
        int ns = r.u16();
        int ar = r.u16();
        List<DnsMessage.Question> questions = new ArrayList<>(Math.min(qd, 4));
        for (int i = 0; i < qd; i++) {
            String name = r.name();
            questions.add(new DnsMessage.Question(name, r.u16(), r.u16()));
        }
        List<DnsMessage.ResourceRecord> answers = records(r, an, "answer");
        List<DnsMessage.ResourceRecord> authority = records(r, ns, "authority");
        List<DnsMessage.ResourceRecord> additionalAll = records(r, ar, "additional");
        List<DnsMessage.ResourceRecord> additional = new ArrayList<>(additionalAll.size());
        DnsMessage.Opt opt = null;
        for (DnsMessage.ResourceRecord rr : additionalAll) {
            if (rr.type() == TYPE_OPT) {
                if (opt != null) {
                    throw new DnsFormatException("more than one OPT record");
                }
                if (!rr.name().equals(".")) {
                    throw new DnsFormatException("OPT record with non-root owner " + rr.name());
                }
                long ttl = rr.ttl();
                opt = new DnsMessage.Opt(rr.dnsClass(), (int) (ttl >>> 24) & 0xFF, (int) (ttl >>> 16) & 0xFF,
                        (ttl & 0x8000) != 0, rr.rdata());
            } else {
                additional.add(rr);
            }
        }
        int rcode = flags & 0x0F;
        if (opt != null) {
            rcode |= opt.extendedRcode() << 4;
        }
        return new DnsMessage(id, flags, rcode, questions, answers, authority, additional, Optional.ofNullable(opt));
    }

    private static List<DnsMessage.ResourceRecord> records(Reader r, int count, String section)
            throws DnsFormatException {
        List<DnsMessage.ResourceRecord> list = new ArrayList<>(Math.min(count, 16));
        for (int i = 0; i < count; i++) {
            if (r.pos >= r.limit) {
                throw new DnsFormatException(section + " section: record " + (i + 1) + " of " + count
                        + " missing (message truncated at " + r.limit + " bytes)");
            }
            String name = r.name();
            int type = r.u16();
            int cls = r.u16();
            long ttl = r.u32();
            int rdlen = r.u16();
            int start = r.pos;
            if (start + rdlen > r.limit) {
                throw new DnsFormatException(section + " section: RDATA of " + rdlen + " bytes at offset " + start
                        + " runs past the end (" + r.limit + ")");
            }
            byte[] rdata = new byte[rdlen];
            r.buf.get(start, rdata);
            String rdataName = null;
            int nameAt = switch (type) {
                case TYPE_NS, TYPE_CNAME, TYPE_PTR, TYPE_DNAME -> 0;
                case TYPE_MX -> 2;
                case TYPE_SRV -> 6;
                default -> -1;
            };
            if (nameAt >= 0) {
                if (rdlen < nameAt + 1) {
                    throw new DnsFormatException(section + " section: " + typeName(type) + " RDATA too short");
                }
                Reader sub = new Reader(r.buf, start + rdlen);
                sub.pos = start + nameAt;
                rdataName = sub.name();
                if (sub.pos != start + rdlen) {
                    throw new DnsFormatException(section + " section: " + typeName(type)
                            + " RDATA length does not match its name");
                }
            }
            r.pos = start + rdlen;
            list.add(new DnsMessage.ResourceRecord(name, type, cls, ttl, rdata, rdataName));
        }
        return list;
    }

    /** Bounds-checked cursor; names may point anywhere before them in the whole message. */
    private static final class Reader {
        final ByteBuffer buf;
        final int limit;
        int pos;

        Reader(ByteBuffer buf) {
            this(buf, buf.limit());
        }

        Reader(ByteBuffer buf, int limit) {
            this.buf = buf;
            this.limit = limit;
        }

        private void need(int n) throws DnsFormatException {
            if (pos + n > limit) {
                throw new DnsFormatException("truncated: need " + n + " bytes at offset " + pos + ", message has "
                        + limit);
            }
        }

        int u16() throws DnsFormatException {
            need(2);
            int v = buf.getShort(pos) & 0xFFFF;
            pos += 2;
            return v;
        }

        long u32() throws DnsFormatException {
            need(4);
            long v = buf.getInt(pos) & 0xFFFFFFFFL;
            pos += 4;
            return v;
        }

        /**
         * Reads a possibly compressed name at {@code pos}, leaving {@code pos} after it (after the first
         * pointer if any). Each pointer must go strictly backwards from the label that holds it, so the
         * walk always terminates; pointers may target anything earlier in the message, header excluded.
         */
        String name() throws DnsFormatException {
            StringBuilder sb = new StringBuilder(32);
            int end = scanName(buf, pos, limit, Pointers.FOLLOW, (msg, from, len) -> {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                appendLabel(sb, from, len);
            });
            if (end < 0) {
                throw new DnsFormatException(nameError(buf, end));
            }
            pos = end;
            return sb.length() == 0 ? "." : sb.toString();
        }

        private void appendLabel(StringBuilder sb, int from, int len) {
            for (int i = from; i < from + len; i++) {
                int c = buf.get(i) & 0xFF;
                if (c == '.' || c == '\\') {
                    sb.append('\\').append((char) c);
                } else if (c <= 0x20 || c >= 0x7F) {
                    sb.append('\\');
                    if (c < 100) {
                        sb.append('0');
                    }
                    if (c < 10) {
                        sb.append('0');
                    }
                    sb.append(c);
                } else {
                    sb.append((char) c);
                }
            }
        }
    }
}
