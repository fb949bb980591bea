package io.unibench.report;

import java.util.List;

/**
 * What one chart shows, independent of how it is drawn: title, axis labels with units, and the series
 * with their exact values. Tests compare these values with the CSV files; {@link ChartRenderer} turns a
 * spec into PNG and SVG.
 *
 * @param id         file name stem, e.g. {@code dns-latency}
 * @param kind       an x/y plot or grouped bars
 * @param logY       logarithmic y axis
 * @param categories bar groups (only for {@link Kind#BARS}); each series has one y value per category
 * @param caption    one or two sentences under the chart (stop reasons, markings)
 */
public record ChartSpec(String id, String title, String xLabel, String yLabel, Kind kind, boolean logY,
                        List<String> categories, List<Series> series, String caption) {

    public ChartSpec {
        categories = List.copyOf(categories);
        series = List.copyOf(series);
    }

    public enum Kind { XY, BARS }

    /** How a series is drawn. */
    public enum Style {
        /** solid line with markers */
        LINE,
        /** dashed line, no markers */
        DASHED,
        /** dotted line, no markers */
        DOTTED,
        /** thin grey reference line */
        REFERENCE,
        /** staircase line (a cumulative distribution) */
        STEP,
        /** markers only, drawn over the lines (e.g. steps where the generator was the limit) */
        MARKS,
        /** filled polygon: x forward along the upper edge, back along the lower edge */
        BAND,
        /** bars (for {@link Kind#BARS}) */
        BAR
    }

    /**
     * @param color index into the report's palette (one colour per run or backend), or -1 for a neutral colour
     */
    public record Series(String name, Style style, int color, List<Double> x, List<Double> y) {
        public Series {
            x = List.copyOf(x);
            y = List.copyOf(y);
            if (x.size() != y.size() && style != Style.BAR) {
                throw new IllegalArgumentException(name + ": " + x.size() + " x values for " + y.size() + " y values");
            }
        }
    }

    public Series series(String name) {
        return series.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no series '" + name + "' in " + id));
    }
}
