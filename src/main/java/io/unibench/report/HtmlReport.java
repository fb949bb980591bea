package io.unibench.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Draws a {@link Page} as one HTML file from the templates and the stylesheet in the resources
 * ({@code io/unibench/report/page.mustache}, {@code table.mustache}, {@code cell.mustache},
 * {@code report.css}): the charts embedded as PNG data URIs with links to the SVG and PNG files beside
 * the page, plain HTML and CSS, no scripts. Every text is escaped; nothing is decided here.
 */
final class HtmlReport {
    private static final String ROOT = "io/unibench/report";
    private static final Mustache PAGE = new Factory().compile("page.mustache");
    private static final String CSS = resource("report.css");

    private HtmlReport() {
    }

    static String html(Page page) {
        StringWriter out = new StringWriter();
        try {
            PAGE.execute(out, Map.of("page", page, "css", CSS)).flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Templates from the class path; escaping as HTML text and attribute values. */
    private static final class Factory extends DefaultMustacheFactory {
        Factory() {
            super(ROOT);
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(esc(value));
            } catch (IOException e) {
                throw new MustacheException("could not write the report page", e);
            }
        }
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(ROOT + "/" + name)) {
            if (in == null) {
                throw new IllegalStateException(ROOT + "/" + name + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder r = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> r.append("&lt;");
                case '>' -> r.append("&gt;");
                case '&' -> r.append("&amp;");
                case '"' -> r.append("&quot;");
                case '\'' -> r.append("&#39;");
                default -> r.append(c);
            }
        }
        return r.toString();
    }
}
