package io.unibench.results;

import io.unibench.UsageException;
import io.unibench.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --fail-on "loss>1%,p99>10ms,boot_p50>60ms"}: rules a run's figures must keep, checked when the run
 * has ended; a broken rule makes the command exit 3 and prints the rule with the value that broke it.
 * Each rule is {@code METRIC OP VALUE} with OP one of {@code > >= < <=} and VALUE in the metric's unit:
 * a percentage ({@code loss}), a duration ({@code p50 p90 p99 p99_9 max boot_p50 boot_p90 boot_p99}), a
 * rate ({@code break_point}) or a count ({@code boot_failures}). The figure checked is the run's worst
 * (the highest loss or latency of any step, the slowest group's boot percentile) as {@link RunSummary}
 * computes it.
 */
public final class FailOn {
    /** Metrics of the open-loop benchmarks (bench dns, bench http). */
    public static final Set<String> RAMP = Set.of("loss", "p50", "p90", "p99", "p99_9", "max", "break_point");
    /** Metrics of bench boot. */
    public static final Set<String> BOOT = Set.of("boot_p50", "boot_p90", "boot_p99", "boot_failures");

    private static final Pattern RULE = Pattern.compile("\\s*([a-z0-9_]+)\\s*(>=|<=|>|<)\\s*(\\S+?)\\s*");

    /** One rule; {@code limit} in the metric's base unit (percent, milliseconds, per second, count). */
    public record Rule(String text, String metric, String op, double limit) {
        boolean broken(double actual) {
            if (Double.isNaN(actual)) {
                return true; // not measured: the rule cannot be shown to hold
            }
            return switch (op) {
                case ">" -> actual > limit;
                case ">=" -> actual >= limit;
                case "<" -> actual < limit;
                default -> actual <= limit;
            };
        }
    }

    /** A broken rule, the figure that broke it, and where in the run it was. */
    public record Violation(Rule rule, double actual, String unit, String where) {
        public String message() {
            String value = Double.isNaN(actual) ? "not measured" : format(actual, unit);
            return "--fail-on " + rule.text() + " violated: " + rule.metric() + " = " + value
                    + (where == null || where.isEmpty() ? "" : " (" + where + ")");
        }
    }

    /** A figure of a run as the rules see it. */
    public record Figure(double value, String unit, String where) {
    }

    private FailOn() {
    }

    /** Parses the rules, allowing only {@code metrics}; anything else is a usage error naming the rule. */
    public static List<Rule> parse(String spec, Set<String> metrics, String command) {
        List<Rule> rules = new ArrayList<>();
        if (spec == null) {
            return rules;
        }
        for (String part : spec.split(",")) {
            Matcher m = RULE.matcher(part);
            if (!m.matches()) {
                throw new UsageException("--fail-on: '" + part.strip() + "' is not METRIC>VALUE (e.g. loss>1%,p99>10ms)");
            }
            String metric = m.group(1);
            if (!metrics.contains(metric)) {
                throw new UsageException("--fail-on: " + command + " has no metric '" + metric + "' (it has "
                        + String.join(", ", metrics.stream().sorted().toList()) + ")");
            }
            rules.add(new Rule(part.strip(), metric, m.group(2), value(metric, m.group(3), part.strip())));
        }
        return rules;
    }

    private static double value(String metric, String text, String rule) {
        try {
            return switch (unit(metric)) {
                case "%" -> {
                    double v = Double.parseDouble(text.endsWith("%") ? text.substring(0, text.length() - 1) : text);
                    if (v < 0 || v > 100) {
                        throw new NumberFormatException();
                    }
                    yield v;
                }
                case "ms" -> Units.parseDuration(text).toNanos() / 1e6;
                case "/s" -> Units.parseRate(text);
                default -> {
                    long n = Long.parseLong(text);
                    if (n < 0) {
                        throw new NumberFormatException();
                    }
                    yield n;
                }
            };
        } catch (NumberFormatException | UsageException e) {
            throw new UsageException("--fail-on: '" + rule + "': " + text + " is not a " + switch (unit(metric)) {
                case "%" -> "percentage (e.g. 1%)";
                case "ms" -> "duration (e.g. 10ms)";
                case "/s" -> "rate (e.g. 10k)";
                default -> "count (e.g. 0)";
            });
        }
    }

    /** The unit a metric's values are in: %, ms, /s or a plain count. */
    public static String unit(String metric) {
        return switch (metric) {
            case "loss" -> "%";
            case "break_point" -> "/s";
            case "boot_failures" -> "";
            default -> "ms";
        };
    }

    /** The broken rules, given the run's figures by metric (a metric the run lacks counts as not measured). */
    public static List<Violation> check(List<Rule> rules, Map<String, Figure> figures) {
        List<Violation> out = new ArrayList<>();
        for (Rule r : rules) {
            Figure f = figures.get(r.metric());
            double v = f == null ? Double.NaN : f.value();
            if (r.broken(v)) {
                out.add(new Violation(r, v, unit(r.metric()), f == null ? null : f.where()));
            }
        }
        return out;
    }

    static String format(double v, String unit) {
        return switch (unit) {
            case "%" -> String.format(Locale.ROOT, "%.3f %%", v);
            case "ms" -> String.format(Locale.ROOT, "%.3f ms", v);
            case "/s" -> Units.formatRate(v) + "/s";
            default -> String.format(Locale.ROOT, "%.0f", v);
        };
    }
}
