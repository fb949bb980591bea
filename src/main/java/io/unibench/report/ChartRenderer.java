package io.unibench.report;

import io.unibench.report.ChartSpec.Series;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws a {@link ChartSpec} with XChart, as PNG and as SVG (through VectorGraphics2D). */
public final class ChartRenderer {
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 560;

    static {
        // charts are drawn off-screen; never try to reach a display
        System.setProperty("java.awt.headless", "true");
    }

    /** The encoded images of one chart. */
    public record Images(byte[] png, byte[] svg) {
    }

    public Images render(ChartSpec spec) throws IOException {
        Chart<?, ?> chart = spec.kind() == ChartSpec.Kind.BARS ? bars(spec) : xy(spec);
        return new Images(ChartEncoder.getBytes(chart, "png"), ChartEncoder.getBytes(chart, "svg"));
    }

    static Color color(int index) {
        return Palette.color(index);
    }

    private static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0x88, 0x88, 0x88));
        s.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        s.setChartFontColor(Palette.NEUTRAL);
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendLayout(Styler.LegendLayout.Vertical);
        s.setLegendBorderColor(Color.WHITE);
        s.setLegendSeriesLineLength(28);
        s.setAntiAlias(true);
        s.setTextAntiAlias(true);
        s.setChartPadding(12);
        s.setLocale(java.util.Locale.ROOT);
    }

    private static XYChart xy(ChartSpec spec) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(spec.title())
                .xAxisTitle(spec.xLabel()).yAxisTitle(spec.yLabel()).build();
        var s = chart.getStyler();
        style(s);
        s.setMarkerSize(7);
        s.setXAxisDecimalPattern("#,##0.###");
        s.setYAxisDecimalPattern("#,##0.###");
        s.setYAxisLogarithmic(spec.logY());
        // labels at 2..9 of every decade help over one or two decades and crowd over more
        boolean decades = spec.logY() && yRange(spec) > 100;
        s.setYAxisLogarithmicDecadeOnly(decades);
        if (decades) {
            // whole decades, so at least two labelled lines frame the data
            s.setYAxisMin(Math.pow(10, Math.floor(Math.log10(minPositiveY(spec)))));
            s.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(minPositiveY(spec) * yRange(spec)))));
        }
        if (!spec.logY()) {
            s.setYAxisMin(0.0);
        }
        boolean any = false;
        double yMin = spec.logY() ? Double.MAX_VALUE : 0;
        double yMax = 0;
        double xMin = Double.MAX_VALUE;
        for (Series d : spec.series()) {
            // a value the CSV left empty (not measured) is no point; nor is a value a log axis cannot show
            List<Double> px = new ArrayList<>();
            List<Double> py = new ArrayList<>();
            for (int i = 0; i < d.x().size(); i++) {
                double x = d.x().get(i);
                double y = d.y().get(i);
                if (Double.isFinite(x) && Double.isFinite(y) && (!spec.logY() || y > 0)) {
                    px.add(x);
                    py.add(y);
                }
            }
            if (px.isEmpty()) {
                continue;
            }
            any = true;
            for (int i = 0; i < px.size(); i++) {
                yMin = Math.min(yMin, py.get(i));
                yMax = Math.max(yMax, py.get(i));
                xMin = Math.min(xMin, px.get(i));
            }
            XYSeries xs = chart.addSeries(d.name(), toArray(px), toArray(py));
            Color c = color(d.color());
            xs.setLineColor(c);
            xs.setMarkerColor(c);
            xs.setLineWidth(2.2f);
            switch (d.style()) {
                case LINE -> {
                    xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    xs.setMarker(SeriesMarkers.CIRCLE);
                }
                case DASHED -> {
                    xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    xs.setMarker(SeriesMarkers.NONE);
                    xs.setLineStyle(new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                            new float[] {9f, 5f}, 0f));
                }
                case DOTTED -> {
                    xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    xs.setMarker(SeriesMarkers.NONE);
                    xs.setLineStyle(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
                            new float[] {1f, 5f}, 0f));
                }
                case REFERENCE -> {
                    xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    xs.setMarker(SeriesMarkers.NONE);
                    xs.setLineColor(Palette.REFERENCE);
                    xs.setLineStyle(new BasicStroke(1.5f));
                }
                case STEP -> {
                    xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
                    xs.setMarker(SeriesMarkers.NONE);
                }
                case MARKS -> {
                    xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                    xs.setMarker(SeriesMarkers.CROSS);
                    xs.setLineStyle(SeriesLines.NONE);
                }
                case BAND -> {
                    xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                    xs.setMarker(SeriesMarkers.NONE);
                    xs.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 60));
                    xs.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 0));
                }
                default -> throw new IllegalStateException(d.style() + " in an x/y chart");
            }
            if (px.size() == 1 && xs.getMarker() == SeriesMarkers.NONE && d.style() != ChartSpec.Style.BAND) {
                // a line through one point draws nothing: show the point
                xs.setMarker(SeriesMarkers.DIAMOND);
            }
        }
        if (any && !spec.logY()) {
            if (yMax <= yMin) {
                // a flat line (e.g. no loss at all): give the axis some height above it
                yMax = yMax > 0 ? 2 * yMax : 1.0;
                s.setYAxisMax(yMax);
            }
            // XChart puts the ticks at the data values when those are equally spaced (a CDF's i/n, or only
            // two distinct values); an invisible point at an odd height keeps its regular ticks
            XYSeries helper = chart.addSeries("\u200b", new double[] {xMin},
                    new double[] {yMin + (yMax - yMin) * 0.381966});
            helper.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            helper.setMarker(SeriesMarkers.NONE);
            helper.setShowInLegend(false);
        }
        if (!any) {
            // XChart needs at least one series to lay out the axes; say that there is nothing to show
            XYSeries empty = chart.addSeries("no data", new double[] {0}, new double[] {spec.logY() ? 1 : 0});
            empty.setMarker(SeriesMarkers.NONE);
            empty.setLineColor(Palette.REFERENCE);
        }
        return chart;
    }

    private static CategoryChart bars(ChartSpec spec) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(spec.title())
                .xAxisTitle(spec.xLabel()).yAxisTitle(spec.yLabel()).build();
        var s = chart.getStyler();
        style(s);
        s.setYAxisDecimalPattern("#,##0.##");
        s.setDecimalPattern("#,##0.###");
        s.setYAxisMin(0.0);
        s.setLabelsVisible(true);
        s.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLabelsFontColorAutomaticEnabled(false);
        s.setLabelsFontColor(Palette.NEUTRAL);
        s.setLabelsPosition(1.0);
        s.setAvailableSpaceFill(0.7);
        s.setOverlapped(false);
        for (Series d : spec.series()) {
            List<Double> y = new ArrayList<>();
            for (Double v : d.y()) {
                y.add(v == null || v.isNaN() ? 0.0 : v);
            }
            CategorySeries cs = chart.addSeries(d.name(), spec.categories(), y);
            cs.setFillColor(color(d.color()));
        }
        return chart;
    }

    static double minPositiveY(ChartSpec spec) {
        return spec.series().stream().flatMap(d -> d.y().stream()).filter(y -> y > 0 && Double.isFinite(y))
                .min(Double::compare).orElse(1.0);
    }

    /** Ratio of the largest to the smallest positive y value of a chart. */
    static double yRange(ChartSpec spec) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Series d : spec.series()) {
            for (double y : d.y()) {
                if (y > 0 && Double.isFinite(y)) {
                    min = Math.min(min, y);
                    max = Math.max(max, y);
                }
            }
        }
        return max > 0 ? max / min : 1;
    }

    private static double[] toArray(List<Double> v) {
        double[] a = new double[v.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i);
        }
        return a;
    }
}
