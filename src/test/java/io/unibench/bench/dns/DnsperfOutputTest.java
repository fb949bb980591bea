package io.unibench.bench.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class DnsperfOutputTest {
    // the shape dnsperf 2.10 prints (captured from a run against knot on loopback)
    static final String OUTPUT = """
            DNS Performance Testing Tool
            Version 2.10.0

            [Status] Command line: dnsperf -s 127.0.0.1 -p 15353 -d q.txt -l 1 -Q 5 -v
            [Status] Sending queries (to 127.0.0.1:15353)
            > NOERROR www.cetic.be A 0.000169
            > NXDOMAIN nope.cetic.be A 0.000107
            > T www.cetic.be A
            [Status] Testing complete (time limit)

            Statistics:

              Queries sent:         5
              Queries completed:    4 (80.00%)
              Queries lost:         1 (20.00%)

              Response codes:       NOERROR 3 (75.00%), NXDOMAIN 1 (25.00%)
              Average packet size:  request 30, response 60
              Run time (s):         1.000126
              Queries per second:   3.999370

              Average Latency (s):  0.000115 (min 0.000081, max 0.000169)
              Latency StdDev (s):   0.000032
            """;

    @Test
    void summaryByLabel() {
        DnsperfOutput.Summary s = DnsperfOutput.parseSummary(OUTPUT);
        assertThat(s.complete()).isTrue();
        assertThat(s.sent()).hasValue(5);
        assertThat(s.completed()).hasValue(4);
        assertThat(s.lost()).hasValue(1);
        assertThat(s.rcodes()).containsExactly(entry("NOERROR", 3L), entry("NXDOMAIN", 1L));
        assertThat(s.averageLatencySeconds()).hasValue(0.000115);
        assertThat(s.latencyStddevSeconds()).hasValue(0.000032);
    }

    @Test
    void missingLabelsStayEmpty() {
        DnsperfOutput.Summary s = DnsperfOutput.parseSummary("Queries sent: 3\nResponse codes:   \n");
        assertThat(s.complete()).isFalse();
        assertThat(s.sent()).hasValue(3);
        assertThat(s.completed()).isEmpty();
        assertThat(s.rcodes()).isEmpty();
        assertThat(s.latencyStddevSeconds()).isEmpty();
    }

    @Test
    void perQueryLines() {
        assertThat(DnsperfOutput.parseQueryLine("> NOERROR www.cetic.be A 0.000169"))
                .isEqualTo(new DnsperfOutput.QueryLine("NOERROR", 0.000169));
        DnsperfOutput.QueryLine t = DnsperfOutput.parseQueryLine("> T nope.cetic.be A");
        assertThat(t.timedOut()).isTrue();
        assertThat(DnsperfOutput.parseQueryLine("[Status] Testing complete")).isNull();
        assertThat(DnsperfOutput.parseQueryLine("> NOERROR www.cetic.be A x")).isNull();
        assertThat(DnsperfOutput.parseQueryLine("> SERVFAIL a.test AAAA 1.5"))
                .isEqualTo(new DnsperfOutput.QueryLine("SERVFAIL", 1.5));
        assertThat(DnsperfOutput.parseQueryLine("> NOERROR a.test A 0.000001").latencySeconds()).isEqualTo(1e-6);
        assertThat(DnsperfOutput.parseQueryLine("> NOERROR a.test A 1.2.3")).isNull();
        assertThat(DnsperfOutput.parseQueryLine("> NOERROR")).isNull();
        assertThat(DnsperfOutput.parseQueryLine(">")).isNull();
        assertThat(DnsEngine.PROTOCOL.outcomes().get(DnsperfEngine.outcome("NXDOMAIN"))).isEqualTo("rcode_nxdomain");
        assertThat(DnsEngine.PROTOCOL.outcomes().get(DnsperfEngine.outcome("FORMERR"))).isEqualTo("rcode_other");
    }
}
