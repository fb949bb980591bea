package io.unibench.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.unibench.results.Schema;
import java.nio.file.Path;

/**
 * The report's data model ({@link Page}) as one JSON document ({@code report.json} beside {@code index.html},
 * and {@code report --json}): every sentence, table cell and caveat id the page shows, keys in snake_case;
 * charts and drawings by their file names (the embedded images stay in the page). Schema:
 * {@code docs/schema/report.schema.json}.
 */
public final class ReportJson {
    public static final String FILE = "report.json";
    public static final String KIND = "report";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .addMixIn(Page.Figure.class, FigureMixIn.class)
            .addMixIn(Page.Diagram.class, DiagramMixIn.class);

    private ReportJson() {
    }

    /** The document: schema_version, kind, the report folder, its index.html, and the page. */
    static String json(Path dir, Path index, Page page) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put(Schema.KEY, Schema.VERSION);
        doc.put("kind", KIND);
        doc.put("report_folder", dir.toString());
        doc.put("index", index.toString());
        doc.set("page", JSON.valueToTree(page));
        try {
            return JSON.writeValueAsString(doc) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the report page cannot be written as JSON", e);
        }
    }

    /** A chart by its files; the PNG bytes are in the page and the files. */
    private abstract static class FigureMixIn {
        @JsonIgnore
        abstract String pngBase64();

        @JsonProperty("svg_file")
        abstract String svgFile();

        @JsonProperty("png_file")
        abstract String pngFile();
    }

    private abstract static class DiagramMixIn {
        @JsonIgnore
        abstract String svgBase64();

        @JsonProperty("svg_file")
        abstract String svgFile();
    }
}
