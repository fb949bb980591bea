package io.unibench.report;

import io.unibench.UsageException;
import io.unibench.results.CsvLayout;
import io.unibench.results.CsvLayout.Column;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * One result CSV read back for the report: the header, checked for the columns the report needs, and
 * the rows. Every problem names the file (and the line), because a user must be able to find it.
 */
final class CsvFile {
    private final Path path;
    private final Set<String> columns;
    private final List<CSVRecord> rows;

    private CsvFile(Path path, Set<String> columns, List<CSVRecord> rows) {
        this.path = path;
        this.columns = columns;
        this.rows = rows;
    }

    /** Reads a CSV with a header row; fails with a usage error naming the file when it is missing or unreadable. */
    static CsvFile read(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new UsageException(path + " is missing (" + what + ")");
        }
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                     .setIgnoreEmptyLines(true).get().parse(in)) {
            Map<String, Integer> header = p.getHeaderMap();
            if (header == null || header.isEmpty()) {
                throw new UsageException(path + " is empty (no header row; expected " + what + ")");
            }
            return new CsvFile(path, new LinkedHashSet<>(header.keySet()), p.getRecords());
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(path + " is not a readable CSV file: " + e.getMessage());
        }
    }

    Path path() {
        return path;
    }

    boolean has(String column) {
        return columns.contains(column);
    }

    /** The header, in file order. */
    List<String> header() {
        return List.copyOf(columns);
    }

    /** Reads a file of a layout, requiring the columns every file of that layout has. */
    static CsvFile read(Path dir, CsvLayout<?> layout, String what) {
        return read(dir.resolve(layout.file()), what).require(layout.requiredNames());
    }

    String text(CSVRecord r, Column<?> column) {
        return text(r, column.name());
    }

    double number(CSVRecord r, Column<?> column) {
        return number(r, column.name());
    }

    boolean bool(CSVRecord r, Column<?> column) {
        return bool(r, column.name());
    }

    List<CSVRecord> rows() {
        return rows;
    }

    /** Fails, naming the file and every missing column, unless all are in the header. */
    CsvFile require(List<String> needed) {
        List<String> missing = new ArrayList<>();
        for (String c : needed) {
            if (!columns.contains(c)) {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            throw new UsageException(path + ": missing column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing));
        }
        return this;
    }

    /** The first of the candidate column names present in the header, or a usage error naming them all. */
    String oneOf(String... candidates) {
        for (String c : candidates) {
            if (columns.contains(c)) {
                return c;
            }
        }
        throw new UsageException(path + ": missing column " + String.join(" or ", candidates));
    }

    String text(CSVRecord r, String column) {
        return column == null || !r.isMapped(column) || !r.isSet(column) ? "" : r.get(column).strip();
    }

    /** A number; NaN for an empty cell (a value that was not measured), a usage error for anything else. */
    double number(CSVRecord r, String column) {
        String s = text(r, column);
        if (s.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new UsageException(path + " line " + (r.getRecordNumber() + 1) + ": column " + column
                    + " is not a number ('" + s + "')");
        }
    }

    boolean bool(CSVRecord r, String column) {
        return Boolean.parseBoolean(text(r, column));
    }
}
