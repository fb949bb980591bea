package io.unibench.report;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code unibench report}: reads and checks the result folders, draws every chart as PNG and SVG, and
 * writes one {@code index.html} (PNGs embedded, SVG and PNG files beside it) and its data model as
 * {@code report.json} ({@link ReportJson}) into a new report folder.
 * Nothing is written when the input is bad, and an existing report folder is never touched.
 */
public final class Report {
    public static final String INDEX = "index.html";

    /**
     * What was written. {@code charts} are the specs the images were drawn from, {@code page} what the page
     * says, {@code json} the page as {@code report.json}.
     */
    public record Result(Path dir, Path index, ResultSet results, List<ChartSpec> charts, Page page, String json) {
    }

    private Report() {
    }

    public static Result run(ReportOptions options) {
        ResultSet results = ResultsReader.read(options.inputs());
        if (results.isEmpty()) {
            throw new UsageException("nothing to report in " + options.inputs());
        }
        Palette palette = new Palette();
        List<ChartSpec> charts = new Charts(palette).all(results);
        Path dir = createFolder(options);
        try {
            ChartRenderer renderer = new ChartRenderer();
            Map<ChartSpec, ChartRenderer.Images> images = new LinkedHashMap<>();
            for (ChartSpec c : charts) {
                ChartRenderer.Images img = renderer.render(c);
                Files.write(dir.resolve(c.id() + ".png"), img.png());
                Files.write(dir.resolve(c.id() + ".svg"), img.svg());
                images.put(c, img);
            }
            Page page = new PageBuilder(results, images, options.commandLine(), Instant.now(), palette).build();
            for (Page.Section s : page.sections()) {
                for (Page.Diagram d : s.diagrams()) {
                    Files.write(dir.resolve(d.svgFile()), java.util.Base64.getDecoder().decode(d.svgBase64()));
                }
            }
            Path index = dir.resolve(INDEX);
            Files.writeString(index, HtmlReport.html(page), StandardCharsets.UTF_8);
            String json = ReportJson.json(dir, index, page);
            Files.writeString(dir.resolve(ReportJson.FILE), json, StandardCharsets.UTF_8);
            return new Result(dir, index, results, new ArrayList<>(charts), page, json);
        } catch (IOException e) {
            throw new UnibenchException("could not write the report in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The new report folder: --output exactly (refused if it exists), else {@code <first input>/report[-N]}. */
    static Path createFolder(ReportOptions options) {
        try {
            if (options.output() != null) {
                Path out = options.output();
                if (Files.exists(out)) {
                    throw new UsageException("output folder " + out + " already exists; a report is never"
                            + " overwritten (choose a new --output)");
                }
                Files.createDirectories(out);
                return out;
            }
            Path base = options.inputs().get(0);
            if (!Files.isWritable(base)) {
                throw new UsageException("cannot write into " + base + " (use --output DIR)");
            }
            for (int i = 1; ; i++) {
                Path dir = base.resolve(i == 1 ? "report" : "report-" + i);
                try {
                    Files.createDirectory(dir);
                    return dir;
                } catch (FileAlreadyExistsException taken) {
                    // an earlier report stays as it is; take the next name
                }
            }
        } catch (IOException e) {
            throw new UnibenchException("could not create the report folder: " + e.getMessage(), e);
        }
    }
}
