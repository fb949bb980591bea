package io.unibench.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsWireTest {

    @Test
    void encodesQueryHeaderQuestionAndNoOpt() {
        byte[] q = DnsWire.encodeQuery(0xBEEF, "www.cetic.be", DnsWire.TYPE_A);
        assertThat(q).startsWith(0xBE - 256, 0xEF - 256, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0);
        byte[] question = Arrays.copyOfRange(q, 12, q.length);
        assertThat(question).containsExactly(3, 'w', 'w', 'w', 5, 'c', 'e', 't', 'i', 'c', 2, 'b', 'e', 0,
                0, 1, 0, 1);
        assertThat(DnsWire.questionEnd(q)).isEqualTo(q.length);
    }

    @Test
    void encodesEdns0OptAndRecursionDesired() throws Exception {
        byte[] q = DnsWire.encodeQuery(7, "cetic.be.", DnsWire.TYPE_AAAA, true, 1232);
        DnsMessage m = DnsWire.decode(q);
        assertThat(m.id()).isEqualTo(7);
        assertThat(m.flags() & DnsWire.FLAG_RD).isNotZero();
        assertThat(m.isResponse()).isFalse();
        assertThat(m.question()).contains(new DnsMessage.Question("cetic.be", DnsWire.TYPE_AAAA, DnsWire.CLASS_IN));
        assertThat(m.opt()).isPresent();
        assertThat(m.opt().get().udpPayloadSize()).isEqualTo(1232);
        assertThat(m.additional()).isEmpty();
    }

    @Test
    void nameEncodingRulesAndEscapes() {
        assertThat(DnsWire.encodeName(".")).containsExactly(0);
        assertThat(DnsWire.encodeName("")).containsExactly(0);
        assertThat(DnsWire.encodeName("a\\.b.c")).containsExactly(3, 'a', '.', 'b', 1, 'c', 0);
        assertThat(DnsWire.encodeName("\\065")).containsExactly(1, 'A', 0);
        assertThatThrownBy(() -> DnsWire.encodeName("a..b")).hasMessageContaining("empty label");
        assertThatThrownBy(() -> DnsWire.encodeName("x".repeat(64))).hasMessageContaining("63");
        assertThatThrownBy(() -> DnsWire.encodeName(("x".repeat(60) + ".").repeat(5))).hasMessageContaining("255");
        assertThatThrownBy(() -> DnsWire.encodeName("a\\9")).hasMessageContaining("escape");
        assertThatThrownBy(() -> DnsWire.encodeName("a\\")).hasMessageContaining("backslash");
        assertThatThrownBy(() -> DnsWire.encodeName("caf\u00e9")).hasMessageContaining("non-ASCII");
    }

    @Test
    void typeMnemonics() {
        assertThat(DnsWire.typeCode("a")).hasValue(1);
        assertThat(DnsWire.typeCode("AAAA")).hasValue(28);
        assertThat(DnsWire.typeCode("CAA")).hasValue(257);
        assertThat(DnsWire.typeCode("TYPE65")).hasValue(65);
        assertThat(DnsWire.typeCode("TYPE65536")).isEmpty();
        assertThat(DnsWire.typeCode("AA")).isEmpty();
        assertThat(DnsWire.typeName(15)).isEqualTo("MX");
        assertThat(DnsWire.typeName(999)).isEqualTo("TYPE999");
    }

    /** A knot-like answer: question, an A answer whose owner is a pointer, a CNAME, NS in authority, OPT. */
    static byte[] sampleResponse(int id, int rcodeLow, int extRcode) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, (byte) 0x84, (byte) rcodeLow, 0, 1, 0, 2, 0, 1, 0, 1});
        // question at 12: www.cetic.be A IN ; "cetic.be" starts at 16
        b.writeBytes(new byte[] {3, 'w', 'w', 'w', 5, 'c', 'e', 't', 'i', 'c', 2, 'b', 'e', 0, 0, 1, 0, 1});
        // answer 1: owner pointer to 12, A, IN, ttl 3600, 10.0.0.5
        b.writeBytes(new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 10, 0, 0, 5});
        // answer 2: owner "alias" + pointer to 16 (cetic.be), CNAME, rdata = pointer to 12
        b.writeBytes(new byte[] {5, 'a', 'l', 'i', 'a', 's', (byte) 0xC0, 16, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2,
            (byte) 0xC0, 12});
        // authority: cetic.be NS ns1.cetic.be (label + pointer)
        b.writeBytes(new byte[] {(byte) 0xC0, 16, 0, 2, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'n', 's', '1', (byte) 0xC0, 16});
        // additional: OPT, payload 1232, ext rcode, version 0, DO set, no options
        b.writeBytes(new byte[] {0, 0, 41, 0x04, (byte) 0xD0, (byte) extRcode, 0, (byte) 0x80, 0, 0, 0});
        return b.toByteArray();
    }

    @Test
    void decodesCompressionPointersAndOpt() throws Exception {
        byte[] r = sampleResponse(0x1234, 0, 0);
        DnsMessage m = DnsWire.decode(r);
        assertThat(m.id()).isEqualTo(0x1234);
        assertThat(m.isResponse()).isTrue();
        assertThat(m.isAuthoritative()).isTrue();
        assertThat(m.rcode()).isZero();
        assertThat(m.answers()).hasSize(2);
        assertThat(m.answers().get(0).name()).isEqualTo("www.cetic.be");
        assertThat(m.answers().get(0).ttl()).isEqualTo(3600);
        assertThat(m.answerAddresses()).containsExactly(InetAddress.getByName("10.0.0.5"));
        assertThat(m.answers().get(1).name()).isEqualTo("alias.cetic.be");
        assertThat(m.answers().get(1).rdataName()).isEqualTo("www.cetic.be");
        assertThat(m.authority().get(0).rdataName()).isEqualTo("ns1.cetic.be");
        assertThat(m.additional()).isEmpty();
        DnsMessage.Opt opt = m.opt().orElseThrow();
        assertThat(opt.udpPayloadSize()).isEqualTo(1232);
        assertThat(opt.dnssecOk()).isTrue();
        assertThat(opt.version()).isZero();
    }

    @Test
    void extendedRcodeCombinesOptAndHeader() throws Exception {
        DnsMessage m = DnsWire.decode(sampleResponse(1, 0x3, 1)); // BADVERS-style: (1<<4)|3
        assertThat(m.rcode()).isEqualTo(19);
        assertThat(DnsWire.rcode(ByteBuffer.wrap(sampleResponse(1, 3, 1)))).isEqualTo(DnsWire.RCODE_NXDOMAIN);
    }

    @Test
    void everyTruncationIsAFormatErrorNeverAnotherException() {
        byte[] r = sampleResponse(9, 0, 0);
        for (int len = 0; len < r.length; len++) {
            int n = len;
            assertThatThrownBy(() -> DnsWire.decode(r, 0, n)).as("truncated to %d", n)
                    .isInstanceOf(DnsFormatException.class);
        }
    }

    @Test
    void garbageNeverEscapesAsAnUncheckedException() {
        Random rnd = new Random(42);
        byte[] base = sampleResponse(9, 0, 0);
        for (int i = 0; i < 20_000; i++) {
            byte[] g = i % 2 == 0 ? new byte[rnd.nextInt(80)] : base.clone();
            if (i % 2 == 0) {
                rnd.nextBytes(g);
            } else {
                for (int k = 0; k < 3; k++) {
                    g[rnd.nextInt(g.length)] = (byte) rnd.nextInt(256);
                }
            }
            try {
                DnsWire.decode(g);
            } catch (DnsFormatException expected) {
                // fine
            }
            ByteBuffer bb = ByteBuffer.wrap(g);
            int end = DnsWire.questionEnd(bb);
            assertThat(end).isLessThanOrEqualTo(g.length);
        }
    }

    @Test
    void wellFormedAgreesWithTheFullDecoderWithoutAllocating() {
        byte[] r = sampleResponse(9, 0, 0);
        assertThat(DnsWire.wellFormed(ByteBuffer.wrap(r))).isTrue();
        for (int len = 0; len < r.length; len++) {
            assertThat(DnsWire.wellFormed(ByteBuffer.wrap(r, 0, len).slice())).as("truncated to %d", len).isFalse();
        }
        byte[] forward = r.clone();
        forward[31] = 40; // answer owner pointer now points forward
        assertThat(DnsWire.wellFormed(ByteBuffer.wrap(forward))).isFalse();
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] g = r.clone();
            g[rnd.nextInt(g.length)] = (byte) rnd.nextInt(256);
            boolean decodes;
            try {
                DnsWire.decode(g);
                decodes = true;
            } catch (DnsFormatException e) {
                decodes = false;
            }
            if (decodes) {
                assertThat(DnsWire.wellFormed(ByteBuffer.wrap(g))).as("decodable message %s", Arrays.toString(g))
                        .isTrue();
            }
        }
    }

    @Test
    void pointerLoopsAndForwardPointersAreRejected() {
        byte[] self = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
        assertThatThrownBy(() -> DnsWire.decode(self)).isInstanceOf(DnsFormatException.class)
                .hasMessageContaining("backwards");
        // two names pointing at each other: name at 12 = "a" + ptr to 18 (forward)
        byte[] pair = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', (byte) 0xC0, 18, 0, 1, 1, 'b',
            (byte) 0xC0, 12, 0, 1};
        assertThatThrownBy(() -> DnsWire.decode(pair)).isInstanceOf(DnsFormatException.class);
        byte[] intoHeader = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 2, 0, 1, 0, 1};
        assertThatThrownBy(() -> DnsWire.decode(intoHeader)).isInstanceOf(DnsFormatException.class);
        byte[] badLabelType = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1};
        assertThatThrownBy(() -> DnsWire.decode(badLabelType)).hasMessageContaining("label type");
    }

    @Test
    void rdataLengthPastEndAndMismatchedNameRdata() {
        byte[] r = sampleResponse(9, 0, 0);
        byte[] longRd = r.clone();
        longRd[30 + 11] = (byte) 200; // answer 1 RDLEN low byte (answer starts at 30)
        assertThatThrownBy(() -> DnsWire.decode(longRd)).isInstanceOf(DnsFormatException.class);
    }

    @Test
    void hotPathReadsIdRcodeAndMatchesQuestionCaseInsensitively() {
        byte[] query = DnsWire.encodeQuery(0x1234, "www.cetic.be", DnsWire.TYPE_A);
        int qEnd = DnsWire.questionEnd(query);
        ByteBuffer resp = ByteBuffer.allocateDirect(512);
        byte[] r = sampleResponse(0x1234, 3, 0);
        resp.put(r).flip();
        assertThat(DnsWire.id(resp)).isEqualTo(0x1234);
        assertThat(DnsWire.isResponse(resp)).isTrue();
        assertThat(DnsWire.rcode(resp)).isEqualTo(DnsWire.RCODE_NXDOMAIN);
        int end = DnsWire.questionEnd(resp);
        assertThat(end).isEqualTo(qEnd);
        assertThat(DnsWire.questionMatches(resp, end, query, qEnd)).isTrue();

        byte[] upper = DnsWire.encodeQuery(0x1234, "WWW.Cetic.BE", DnsWire.TYPE_A);
        assertThat(DnsWire.questionMatches(resp, end, upper, DnsWire.questionEnd(upper))).isTrue();
        byte[] otherType = DnsWire.encodeQuery(0x1234, "www.cetic.be", DnsWire.TYPE_AAAA);
        assertThat(DnsWire.questionMatches(resp, end, otherType, qEnd)).isFalse();
        byte[] otherName = DnsWire.encodeQuery(0x1234, "www.cetic.bf", DnsWire.TYPE_A);
        assertThat(DnsWire.questionMatches(resp, end, otherName, qEnd)).isFalse();

        DnsWire.putId(query, 0xABCD);
        assertThat(DnsWire.id(ByteBuffer.wrap(query))).isEqualTo(0xABCD);
        resp.limit(20);
        assertThat(DnsWire.questionEnd(resp)).isEqualTo(-1);
        resp.limit(5);
        assertThat(DnsWire.questionEnd(resp)).isEqualTo(-1);
    }

    @Test
    void theThreeNameWalksAgreeOnEveryName() throws DnsFormatException {
        // one question whose name is built from labels of 63 bytes: 3 fit in 255, 4 do not
        for (int labels = 1; labels <= 5; labels++) {
            byte[] name = new byte[labels * 64 + 1];
            for (int l = 0; l < labels; l++) {
                name[l * 64] = 63;
                Arrays.fill(name, l * 64 + 1, l * 64 + 64, (byte) 'x');
            }
            byte[] msg = new byte[12 + name.length + 4];
            msg[5] = 1; // QDCOUNT
            System.arraycopy(name, 0, msg, 12, name.length);
            msg[msg.length - 3] = 1;
            msg[msg.length - 1] = 1;
            boolean fits = name.length <= DnsWire.MAX_NAME_BYTES;
            assertThat(DnsWire.questionEnd(msg)).as("%d labels", labels).isEqualTo(fits ? msg.length : -1);
            assertThat(DnsWire.wellFormed(ByteBuffer.wrap(msg))).isEqualTo(fits);
            if (fits) {
                assertThat(DnsWire.decode(msg).question().orElseThrow().name()).hasSize(labels * 64 - 1);
            } else {
                assertThatThrownBy(() -> DnsWire.decode(msg)).hasMessageContaining("longer than 255");
            }
        }
        // a label running past the end: every walk refuses it, the decoder says where
        byte[] cut = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a', 'b'};
        assertThat(DnsWire.questionEnd(cut)).isEqualTo(-1);
        assertThat(DnsWire.wellFormed(ByteBuffer.wrap(cut))).isFalse();
        assertThatThrownBy(() -> DnsWire.decode(cut)).hasMessageContaining("truncated label at offset 12");
    }
}
