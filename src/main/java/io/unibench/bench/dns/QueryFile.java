package io.unibench.bench.dns;

import io.unibench.UsageException;
import io.unibench.protocol.DnsWire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The queries of a DNS benchmark, in dnsperf's datafile format: one {@code name TYPE} per line
 * ({@code www.cetic.be A}), blank lines and lines starting with {@code ;} ignored. Queries are sent in
 * file order, round robin. Errors name the file and line.
 *
 * @param source where the queries came from (a path, or {@code default} for the built-in set)
 */
public record QueryFile(String source, List<Query> queries) {
    /** Name of the built-in query set in run.json. */
    public static final String DEFAULT_SOURCE = "default";
    private static final String DEFAULT_RESOURCE = "default-queries.txt";
    /** Refuse absurdly large files: the whole set is pre-encoded in memory. */
    public static final int MAX_QUERIES = 10_000_000;

    /** One query: a name and an RR type, with the line it came from. */
    public record Query(String name, int type, int line) {
        /** The dnsperf datafile line for this query. */
        public String datafileLine() {
            return name + " " + DnsWire.typeName(type);
        }
    }

    public QueryFile {
        queries = List.copyOf(queries);
        if (queries.isEmpty()) {
            throw new UsageException(source + ": no queries (every line is blank or a ';' comment)");
        }
    }

    /** Reads a datafile; a usage error (with file and line) when it cannot be read or used. */
    public static QueryFile parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("query file " + file + " does not exist or is not a file");
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.toString(), r);
        } catch (IOException e) {
            throw new UsageException("cannot read query file " + file + ": " + e.getMessage());
        }
    }

    /** The built-in set: the study's names (www.cetic.be, cetic.be, internship.cetic.be, A) plus 25 % NXDOMAIN. */
    public static QueryFile defaults() {
        try (InputStream in = QueryFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            }
            return parse(DEFAULT_SOURCE, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static QueryFile parse(String source, Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<Query> queries = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith(";")) {
                continue;
            }
            String[] fields = text.split("\\s+");
            if (fields.length != 2) {
                throw new UsageException(source + ":" + n + ": expected 'name TYPE' (e.g. 'www.cetic.be A'), got '"
                        + text + "'");
            }
            try {
                DnsWire.encodeName(fields[0]);
            } catch (IllegalArgumentException e) {
                throw new UsageException(source + ":" + n + ": " + e.getMessage());
            }
            OptionalInt type = DnsWire.typeCode(fields[1]);
            if (type.isEmpty()) {
                throw new UsageException(source + ":" + n + ": unknown record type '" + fields[1] + "' (known: "
                        + String.join(" ", DnsWire.knownTypes()) + ", or TYPEnnn)");
            }
            if (queries.size() == MAX_QUERIES) {
                throw new UsageException(source + ":" + n + ": more than " + MAX_QUERIES + " queries");
            }
            queries.add(new Query(fields[0], type.getAsInt(), n));
        }
        return new QueryFile(source, queries);
    }

    public int size() {
        return queries.size();
    }

    /** The queries in dnsperf's datafile format, one per line (for --driver dnsperf). */
    public String toDatafile() {
        StringBuilder b = new StringBuilder(queries.size() * 24);
        for (Query q : queries) {
            b.append(q.datafileLine()).append('\n');
        }
        return b.toString();
    }
}
