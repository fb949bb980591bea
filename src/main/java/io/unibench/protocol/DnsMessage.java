package io.unibench.protocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * A decoded DNS message (see {@link DnsWire#decode}). Names are in presentation form without the
 * trailing dot ({@code www.cetic.be}); the root is {@code "."}.
 *
 * @param id         message ID
 * @param flags      the 16-bit flags word of the header (QR, opcode, AA, TC, RD, RA, rcode)
 * @param rcode      response code, extended by the OPT record's upper 8 bits when there is one
 * @param questions  question section
 * @param answers    answer section
 * @param authority  authority section
 * @param additional additional section without the OPT pseudo-record
 * @param opt        the EDNS0 OPT pseudo-record, if present
 */
public record DnsMessage(int id, int flags, int rcode, List<Question> questions, List<ResourceRecord> answers,
                         List<ResourceRecord> authority, List<ResourceRecord> additional, Optional<Opt> opt) {

    public DnsMessage {
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    public boolean isResponse() {
        return (flags & DnsWire.FLAG_QR) != 0;
    }

    public boolean isTruncated() {
        return (flags & DnsWire.FLAG_TC) != 0;
    }

    public boolean isAuthoritative() {
        return (flags & DnsWire.FLAG_AA) != 0;
    }

    /** The first question, if any. */
    public Optional<Question> question() {
        return questions.isEmpty() ? Optional.empty() : Optional.of(questions.get(0));
    }

    /** Addresses of the A and AAAA records in the answer section, in order. */
    public List<InetAddress> answerAddresses() {
        return answers.stream().map(ResourceRecord::address).flatMap(Optional::stream).toList();
    }

    /** One entry of the question section. */
    public record Question(String name, int type, int dnsClass) {
    }

    /**
     * One resource record.
     *
     * @param rdata     the raw RDATA bytes (names inside are still compressed, see {@code rdataName})
     * @param rdataName for NS, CNAME, PTR, DNAME the target name, for MX the exchange, for SRV the target;
     *                  decompressed; {@code null} for other types
     */
    public record ResourceRecord(String name, int type, int dnsClass, long ttl, byte[] rdata, String rdataName) {
        /** The address of an A (4 bytes) or AAAA (16 bytes) record. */
        public Optional<InetAddress> address() {
            boolean a = type == DnsWire.TYPE_A && rdata.length == 4;
            boolean aaaa = type == DnsWire.TYPE_AAAA && rdata.length == 16;
            if (!a && !aaaa) {
                return Optional.empty();
            }
            try {
                return Optional.of(InetAddress.getByAddress(rdata));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
            }
        }
    }

    /**
     * The EDNS0 OPT pseudo-record (RFC 6891).
     *
     * @param udpPayloadSize  requestor's UDP payload size (the CLASS field)
     * @param extendedRcode   upper 8 bits of the extended rcode
     * @param version         EDNS version
     * @param dnssecOk        the DO bit
     * @param options         raw option bytes (code, length, data ...)
     */
    public record Opt(int udpPayloadSize, int extendedRcode, int version, boolean dnssecOk, byte[] options) {
    }
}
