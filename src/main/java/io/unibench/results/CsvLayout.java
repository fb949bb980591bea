package io.unibench.results;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The shape of one result CSV file, declared once: its file name and its columns in order, each with the
 * way its cell is taken from the row object the writer is given. The writer ({@link #create}) and the
 * report's reader both use this declaration, so adding a column is adding one {@link Column} here: the
 * writer writes it, the header names it, and a reader can ask for it by the same constant.
 *
 * <p>A column is {@linkplain Column#required() required} when a reader may count on it in every file
 * (it has been there since the layout existed); columns added later are optional, because result folders
 * are immutable and old ones lack them.
 *
 * @param <T> what one row is made from
 */
public final class CsvLayout<T> {
    private final String file;
    private final List<Column<T>> columns;

    /**
     * One column: its header name (units in the name, e.g. {@code answer_ms}) and the cell of a row.
     * Cells follow {@link CsvTable}'s rules (null and NaN are empty).
     */
    public record Column<T>(String name, Function<? super T, ?> value, boolean required) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A column every file of this layout has. */
    public static <T> Column<T> column(String name, Function<? super T, ?> value) {
        return new Column<>(name, value, true);
    }

    /** A column added after files of this layout were first written: readers must cope without it. */
    public static <T> Column<T> added(String name, Function<? super T, ?> value) {
        return new Column<>(name, value, false);
    }

    public CsvLayout(String file, List<Column<T>> columns) {
        this.file = file;
        this.columns = List.copyOf(columns);
        if (columns.stream().map(Column::name).distinct().count() != columns.size()) {
            throw new IllegalArgumentException(file + ": duplicate column name in " + names());
        }
    }

    @SafeVarargs
    public static <T> CsvLayout<T> of(String file, Column<T>... columns) {
        return new CsvLayout<>(file, Arrays.asList(columns));
    }

    public String file() {
        return file;
    }

    public List<Column<T>> columns() {
        return columns;
    }

    /** The header row. */
    public List<String> names() {
        return columns.stream().map(Column::name).toList();
    }

    /** The names a reader may insist on. */
    public List<String> requiredNames() {
        return columns.stream().filter(Column::required).map(Column::name).toList();
    }

    /** The cells of one row, in column order. */
    public List<Object> cells(T row) {
        List<Object> cells = new ArrayList<>(columns.size());
        for (Column<T> c : columns) {
            cells.add(c.value().apply(row));
        }
        return cells;
    }

    /** Creates {@code dir/file} (never overwriting) with the header row; rows are flushed as they come. */
    public Writer<T> create(Path dir) throws IOException {
        return new Writer<>(this, new CsvTable(dir.resolve(file), names()));
    }

    /** An open file of this layout. */
    public static final class Writer<T> implements Closeable {
        private final CsvLayout<T> layout;
        private final CsvTable table;

        private Writer(CsvLayout<T> layout, CsvTable table) {
            this.layout = layout;
            this.table = table;
        }

        public void row(T row) throws IOException {
            table.row(layout.cells(row));
        }

        public Path path() {
            return table.path();
        }

        @Override
        public void close() throws IOException {
            table.close();
        }
    }
}
