package io.unibench.report;

import java.util.List;

/**
 * What the report page says, computed as data by {@link PageBuilder} and drawn by {@link HtmlReport} from
 * a template: every sentence, number and table cell is decided here, so tests read the page's content
 * without parsing HTML. Texts are plain (the template escapes them).
 *
 * @param generated when the report was drawn (ISO-8601)
 * @param unibench  the unibench version that drew it
 * @param inputs    the result folders given
 * @param nav       the contents line
 * @param caveats   read-before-comparing notes, each with an id (see {@link io.unibench.results.Caveat})
 * @param sections  backends side by side, DNS, HTTP, boot, footprint (those the results hold)
 * @param runs      run metadata
 * @param reproduce the command lines to run again
 */
public record Page(String generated, String unibench, List<Item> inputs, List<Link> nav, List<CaveatLine> caveats,
                   List<Section> sections, Runs runs, List<Command> reproduce) {

    /** One of a list written inline; {@code sep} is what goes before it ("" for the first). */
    public record Item(String sep, String text) {
    }

    public record Link(String sep, String href, String text) {
    }

    /**
     * One caveat: {@code lead} (shown in bold, may be null) then {@code text}.
     *
     * @param recorded the run recorded it itself (rather than the report inferring it)
     */
    public record CaveatLine(String id, String lead, String text, boolean recorded) {
        /** Lead and text as one plain sentence. */
        public String plain() {
            return (lead == null ? "" : lead) + text;
        }
    }

    /** A part of the page with its own heading. */
    public record Section(String id, String title, List<String> intro, List<Table> tables, List<Figure> figures,
                          List<Details> details, List<Diagram> diagrams) {
        public Section(String id, String title, List<String> intro, List<Table> tables, List<Figure> figures,
                       List<Details> details) {
            this(id, title, intro, tables, figures, details, List.of());
        }
    }

    /** A drawing (SVG, embedded; the file beside the page), e.g. a deployed topology. */
    public record Diagram(String id, String title, String caption, String svgBase64) {
        public String svgFile() {
            return id + ".svg";
        }
    }

    /** A table; a header or row cell list may mix header and data cells (key/value tables). */
    public record Table(String caption, String cssClass, List<Cell> header, List<Row> rows) {
        public boolean hasHeader() {
            return !header.isEmpty();
        }

        /** The cell texts of one column, by header text. */
        public List<String> column(String name) {
            int i = -1;
            for (int c = 0; c < header.size(); c++) {
                if (header.get(c).text().equals(name)) {
                    i = c;
                }
            }
            if (i < 0) {
                throw new IllegalArgumentException("no column '" + name + "' in " + header);
            }
            int k = i;
            return rows.stream().map(r -> r.cells().get(k).text()).toList();
        }
    }

    /** @param cssClass e.g. {@code sat} for a generator-saturated step, or null */
    public record Row(String cssClass, List<Cell> cells) {
    }

    /**
     * @param numeric right-aligned number
     * @param heading drawn as a header cell
     * @param code    drawn as code
     * @param swatch  CSS colour of the series this cell names (its colour in the charts), or null
     */
    public record Cell(String text, boolean numeric, boolean heading, boolean code, String swatch) {
        public static Cell text(String text) {
            return new Cell(text == null ? "" : text, false, false, false, null);
        }

        public static Cell num(Object value) {
            return new Cell(String.valueOf(value), true, false, false, null);
        }

        public static Cell head(String text) {
            return new Cell(text, false, true, false, null);
        }

        public static Cell code(String text) {
            return new Cell(text, false, false, true, null);
        }

        public static Cell swatched(String text, String swatch) {
            return new Cell(text, false, false, false, swatch);
        }

        public static Cell headSwatched(String text, String swatch) {
            return new Cell(text, false, true, false, swatch);
        }
    }

    /** A chart: PNG embedded, SVG and PNG files beside the page. */
    public record Figure(String id, String title, String caption, String pngBase64, int width) {
        public String svgFile() {
            return id + ".svg";
        }

        public String pngFile() {
            return id + ".png";
        }
    }

    /** A collapsed block: a summary line, then a table. */
    public record Details(String summary, Table table) {
    }

    /**
     * @param host    the host of every run when they share one, else null (then a column says it)
     * @param version the unibench of every run when they share one, else null
     */
    public record Runs(String host, String version, Table table, List<Details> details) {
    }

    /** @param comment which run the command line made */
    public record Command(String comment, String line) {
    }

    public Section section(String id) {
        return sections.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no section '" + id + "'"));
    }

    public List<String> caveatIds() {
        return caveats.stream().map(CaveatLine::id).toList();
    }
}
