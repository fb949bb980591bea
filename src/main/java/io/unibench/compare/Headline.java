package io.unibench.compare;

import io.unibench.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's first table: for each pair of backends, each headline figure (boot p50 and p90, each ramp's
 * break point and its p99 at the highest rate both backends ran, image size, idle memory), the ratio
 * B / A with its 95 % bootstrap interval and which backend is better, e.g. "cold boot p50 (dns): qemu
 * 38.9 ms vs docker 187 ms, 4.8x (CI 4.6-5.0x)". A is the unikernel (qemu) when it is in the pair.
 */
public final class Headline {
    /** One comparison of two backends on one figure. */
    public record Row(String figure, String metric, String unit, boolean higherIsBetter, String a, String b,
                      double aValue, double bValue, double ratio, double low, double high, String verdict,
                      boolean aLowerBound, boolean bLowerBound) {
        /** The sentence form: {@code cold boot p50 (dns): qemu 38.9 ms vs docker 187.0 ms, 4.81x (CI 4.62-5.01x)}. */
        public String sentence() {
            return figure + ": " + a + " " + aText() + " vs " + b + " " + bText() + ", "
                    + (comparable() ? ratioText() + " (" + ciText() + "), " : "") + verdict;
        }

        /** False when a figure is only a lower bound (a break point one ramp never reached): no ratio then. */
        public boolean comparable() {
            return !aLowerBound && !bLowerBound;
        }

        public String aText() {
            return text(aValue, aLowerBound);
        }

        public String bText() {
            return text(bValue, bLowerBound);
        }

        /** {@code 4.81x}, or a dash when not comparable. */
        public String ratioText() {
            return comparable() ? times(ratio) + "x" : "\u2014";
        }

        /** {@code exact}, {@code CI 4.62-5.01x}, or a dash when not comparable. */
        public String ciText() {
            return !comparable() ? "\u2014" : low == high ? "exact" : "CI " + times(low) + "-" + times(high) + "x";
        }

        private String text(double v, boolean lowerBound) {
            if (!lowerBound) {
                return CompareFormat.value(v, unit);
            }
            return v > 0 ? "\u2265 " + CompareFormat.value(v, unit) : "not found";
        }
    }

    private Headline() {
    }

    /** The rows for these result folders; folders unibench cannot read figures from add none. */
    public static List<Row> of(List<Path> inputs, Bootstrap bootstrap) {
        Map<String, Map<String, Figure>> bySubject = new TreeMap<>();
        for (Path input : inputs) {
            Map<String, Figure> figures;
            try {
                figures = Figures.read(input);
            } catch (UsageException unreadable) {
                continue; // the report says what it could not read; the headline shows what it can
            }
            for (Figure f : figures.values()) {
                if (f.backend() != null) {
                    bySubject.computeIfAbsent(f.subject(), k -> new LinkedHashMap<>()).putIfAbsent(f.backend(), f);
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, Figure>> e : bySubject.entrySet()) {
            List<String> backends = new ArrayList<>(e.getValue().keySet());
            backends.sort(Comparator.comparingInt(Headline::rank).thenComparing(Comparator.naturalOrder()));
            for (int i = 0; i < backends.size(); i++) {
                for (int j = i + 1; j < backends.size(); j++) {
                    Figure a = e.getValue().get(backends.get(i));
                    Figure b = e.getValue().get(backends.get(j));
                    if ("p99".equals(a.metric()) && !highestCommonRate(bySubject, a, backends.get(i), backends.get(j))) {
                        continue;
                    }
                    rows.add(row(bootstrap, a, b));
                }
            }
        }
        rows.sort(Comparator.comparingInt(r -> Figures.METRICS.indexOf(r.metric())));
        return rows;
    }

    private static Row row(Bootstrap bootstrap, Figure a, Figure b) {
        Bootstrap.Interval ci = bootstrap.ratio(a.subject() + "/" + a.backend() + "/" + b.backend(), b.estimate(),
                a.estimate());
        String verdict;
        boolean tooFew = !(a.estimate().exact() && b.estimate().exact())
                && (a.estimate().samples() < Compare.MIN_SAMPLES || b.estimate().samples() < Compare.MIN_SAMPLES);
        if (a.lowerBound() || b.lowerBound()) {
            verdict = "unknown: no break point on " + (a.lowerBound() && b.lowerBound() ? "either"
                    : a.lowerBound() ? a.backend() : b.backend()) + " (the ramp stopped before the server broke)";
        } else if (tooFew) {
            verdict = "too few samples";
        } else if (ci.above(1)) {
            verdict = (a.higherIsBetter() ? b.backend() : a.backend()) + " better";
        } else if (ci.below(1)) {
            verdict = (a.higherIsBetter() ? a.backend() : b.backend()) + " better";
        } else {
            verdict = "no significant difference";
        }
        return new Row(a.what(), a.metric(), a.unit(), a.higherIsBetter(), a.backend(), b.backend(),
                a.estimate().value(), b.estimate().value(), ci.ratio(), ci.low(), ci.high(), verdict, a.lowerBound(),
                b.lowerBound());
    }

    /** Is {@code f} (a p99 figure) at the highest rate both backends have a p99 for, in its protocol? */
    private static boolean highestCommonRate(Map<String, Map<String, Figure>> bySubject, Figure f, String a, String b) {
        String protocol = f.subject().substring(0, f.subject().indexOf('/'));
        double best = Double.NaN;
        for (Map<String, Figure> m : bySubject.values()) {
            Figure x = m.get(a);
            if (x != null && "p99".equals(x.metric()) && x.subject().startsWith(protocol + "/") && m.containsKey(b)
                    && (Double.isNaN(best) || x.at() > best)) {
                best = x.at();
            }
        }
        return f.at() == best;
    }

    /** The unikernel first, then the container, then the other runtimes by name. */
    private static int rank(String backend) {
        return switch (backend) {
            case "qemu" -> 0;
            case "docker" -> 1;
            default -> 2;
        };
    }

    static String times(double r) {
        if (Double.isInfinite(r)) {
            return "inf";
        }
        return String.format(java.util.Locale.ROOT, r >= 10 ? "%.1f" : "%.2f", r);
    }
}
