package io.unibench.results;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * One CSV file with a header row, written row by row and flushed after each row so an interrupted run
 * keeps everything measured so far. Numbers are written in a locale-independent form; booleans as
 * {@code true}/{@code false}; null as an empty cell.
 */
public final class CsvTable implements Closeable {
    private final Path path;
    private final List<String> columns;
    private final Writer out;
    private final CSVPrinter printer;

    public CsvTable(Path path, List<String> columns) throws IOException {
        this.path = path;
        this.columns = List.copyOf(columns);
        this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        this.printer = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
                .setHeader(columns.toArray(String[]::new)).setRecordSeparator("\n").get());
        printer.flush();
    }

    public Path path() {
        return path;
    }

    public List<String> columns() {
        return columns;
    }

    public synchronized void row(List<?> values) throws IOException {
        if (values.size() != columns.size()) {
            throw new IllegalArgumentException(path.getFileName() + ": " + values.size() + " values for "
                    + columns.size() + " columns");
        }
        printer.printRecord(values.stream().map(CsvTable::cell).toList());
        printer.flush();
    }

    static String cell(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return "";
            }
            return format(d);
        }
        if (v instanceof Float f) {
            return format(f.doubleValue());
        }
        return v.toString();
    }

    /** Up to three decimals, no exponent, no trailing zeros. */
    static String format(double d) {
        String s = String.format(Locale.ROOT, "%.3f", d);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "");
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        return s.equals("-0") ? "0" : s;
    }

    @Override
    public synchronized void close() throws IOException {
        printer.close();
    }
}
