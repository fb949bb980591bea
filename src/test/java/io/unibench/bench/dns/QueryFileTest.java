package io.unibench.bench.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import io.unibench.protocol.DnsWire;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryFileTest {

    static QueryFile parse(String text) throws Exception {
        return QueryFile.parse("q.txt", new StringReader(text));
    }

    @Test
    void readsNamesTypesCommentsAndBlankLines() throws Exception {
        QueryFile f = parse("; comment\n\nwww.cetic.be A\n  cetic.be\tAAAA  \n; another\nexample.org mx\nx.test TYPE65\n");
        assertThat(f.queries()).containsExactly(
                new QueryFile.Query("www.cetic.be", DnsWire.TYPE_A, 3),
                new QueryFile.Query("cetic.be", DnsWire.TYPE_AAAA, 4),
                new QueryFile.Query("example.org", DnsWire.TYPE_MX, 6),
                new QueryFile.Query("x.test", 65, 7));
        assertThat(f.toDatafile()).isEqualTo("www.cetic.be A\ncetic.be AAAA\nexample.org MX\nx.test HTTPS\n");
    }

    @Test
    void errorsNameFileAndLine() {
        assertThatThrownBy(() -> parse("www.cetic.be A\nwww.cetic.be\n")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("q.txt:2: expected 'name TYPE'");
        assertThatThrownBy(() -> parse("www.cetic.be A\n\nwww.cetic.be BOGUS\n"))
                .hasMessageStartingWith("q.txt:3: unknown record type 'BOGUS'");
        assertThatThrownBy(() -> parse("a..b A\n")).hasMessageStartingWith("q.txt:1: empty label");
        assertThatThrownBy(() -> parse("a b c\n")).hasMessageStartingWith("q.txt:1:");
        assertThatThrownBy(() -> parse("; only comments\n\n")).hasMessageContaining("no queries");
    }

    @Test
    void missingFileIsAUsageError(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> QueryFile.parse(dir.resolve("nope.txt"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("nope.txt");
        Path f = dir.resolve("q.txt");
        Files.writeString(f, "www.cetic.be A\n");
        assertThat(QueryFile.parse(f).source()).isEqualTo(f.toString());
    }

    @Test
    void defaultsAreTheStudysNamesPlusAQuarterNxdomain() {
        QueryFile d = QueryFile.defaults();
        assertThat(d.source()).isEqualTo("default");
        assertThat(d.queries()).allMatch(q -> q.type() == DnsWire.TYPE_A);
        assertThat(d.queries()).extracting(QueryFile.Query::name)
                .contains("www.cetic.be", "cetic.be", "internship.cetic.be");
        long nx = d.queries().stream().filter(q -> q.name().startsWith("nx-")).count();
        assertThat(nx * 4).isEqualTo(d.size());
    }
}
