package io.unibench.results;

import io.unibench.UsageException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A result CSV read back by a {@link CsvLayout}'s column names: the rows, checked for the columns a
 * reader needs, numbers parsed with the file and line named on error. Missing or unreadable files are a
 * {@link UsageException} (the user gave a folder that is not what it claims).
 */
public final class CsvRows {
    private final Path file;
    private final List<String> header;
    private final List<CSVRecord> rows;

    private CsvRows(Path file, List<String> header, List<CSVRecord> rows) {
        this.file = file;
        this.header = header;
        this.rows = rows;
    }

    public static CsvRows read(Path file, List<String> required) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException(file + " is missing");
        }
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                     .setIgnoreEmptyLines(true).get().parse(in)) {
            List<String> missing = required.stream().filter(c -> !p.getHeaderMap().containsKey(c)).toList();
            if (!missing.isEmpty()) {
                throw new UsageException(file + ": missing column" + (missing.size() > 1 ? "s " : " ")
                        + String.join(", ", missing));
            }
            return new CsvRows(file, p.getHeaderNames(), p.getRecords());
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(file + " is not a readable CSV file: " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    public List<String> header() {
        return header;
    }

    public List<CSVRecord> rows() {
        return rows;
    }

    public boolean has(String column) {
        return header.contains(column);
    }

    /** The cell as text, "" when empty or absent. */
    public String text(CSVRecord r, String column) {
        return r.isMapped(column) && r.isSet(column) ? r.get(column).strip() : "";
    }

    /** A number; NaN for an empty cell (not measured), a usage error naming file and line for anything else. */
    public double number(CSVRecord r, String column) {
        return number(file, r, column);
    }

    /** {@link #number(CSVRecord, String)} for a row read elsewhere; {@code file} is named in the message. */
    public static double number(Path file, CSVRecord r, String column) {
        String s = r.isMapped(column) && r.isSet(column) ? r.get(column).strip() : "";
        if (s.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new UsageException(file + " line " + (r.getRecordNumber() + 1) + ": column " + column
                    + " is not a number ('" + s + "')");
        }
    }
}
