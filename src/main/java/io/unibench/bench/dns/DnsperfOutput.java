package io.unibench.bench.dns;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what dnsperf 2.x prints: the per-query lines of {@code -v} ({@code > NOERROR www.cetic.be A
 * 0.000115}, {@code > T nope.cetic.be A} for a timeout) and the summary, by label ({@code Queries
 * sent:}, {@code Queries completed:}, {@code Queries lost:}, {@code Response codes:}, {@code Average
 * Latency (s):}, {@code Latency StdDev (s):}). A label dnsperf did not print stays empty.
 */
public final class DnsperfOutput {
    private static final Pattern COUNT = Pattern.compile("^\\s*(\\d+)");
    private static final Pattern RCODE = Pattern.compile("([A-Za-z0-9]+) (\\d+) \\(");
    private static final Pattern NUMBER = Pattern.compile("^\\s*([0-9.]+)");

    private DnsperfOutput() {
    }

    /** One {@code -v} line: the rcode mnemonic ({@code T} for a timeout) and the latency in seconds (NaN for T). */
    public record QueryLine(String rcode, double latencySeconds) {
        public boolean timedOut() {
            return rcode.equals("T");
        }
    }

    /** The summary; every field empty when its label was not printed. */
    public record Summary(OptionalLong sent, OptionalLong completed, OptionalLong lost, Map<String, Long> rcodes,
                          OptionalDouble averageLatencySeconds, OptionalDouble latencyStddevSeconds) {
        public boolean complete() {
            return sent.isPresent() && completed.isPresent() && lost.isPresent();
        }
    }

    /**
     * Parses a {@code -v} per-query line, or returns null when the line is something else. Runs once per
     * query at the full rate, so it scans the line by hand instead of using regular expressions.
     */
    public static QueryLine parseQueryLine(String line) {
        int n = line.length();
        if (n < 3 || line.charAt(0) != '>' || line.charAt(1) != ' ') {
            return null;
        }
        int codeEnd = line.indexOf(' ', 2);
        String rcode = codeEnd < 0 ? line.substring(2).strip() : line.substring(2, codeEnd);
        if (rcode.isEmpty()) {
            return null;
        }
        if (rcode.equals("T")) {
            return TIMED_OUT;
        }
        int lastSpace = line.lastIndexOf(' ', n - 1);
        if (codeEnd < 0 || lastSpace <= codeEnd) {
            return null;
        }
        double seconds = parseSeconds(line, lastSpace + 1, n);
        if (Double.isNaN(seconds)) {
            return null;
        }
        return new QueryLine(internRcode(rcode), seconds);
    }

    private static final QueryLine TIMED_OUT = new QueryLine("T", Double.NaN);

    private static String internRcode(String rcode) {
        return switch (rcode) {
            case "NOERROR" -> "NOERROR";
            case "NXDOMAIN" -> "NXDOMAIN";
            default -> rcode;
        };
    }

    /** A non-negative decimal like {@code 0.000169}; NaN when it is not one. */
    static double parseSeconds(String s, int from, int to) {
        long whole = 0;
        long frac = 0;
        long scale = 1;
        boolean dot = false;
        boolean digits = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '.' && !dot) {
                dot = true;
            } else if (c >= '0' && c <= '9') {
                digits = true;
                if (dot) {
                    if (scale < 1_000_000_000_000L) {
                        frac = frac * 10 + (c - '0');
                        scale *= 10;
                    }
                } else {
                    whole = whole * 10 + (c - '0');
                    if (whole > 1_000_000_000L) {
                        return Double.NaN;
                    }
                }
            } else {
                return Double.NaN;
            }
        }
        return digits ? whole + (double) frac / scale : Double.NaN;
    }

    /** Parses the summary from dnsperf's whole output (other lines are ignored). */
    public static Summary parseSummary(String output) {
        OptionalLong sent = OptionalLong.empty();
        OptionalLong completed = OptionalLong.empty();
        OptionalLong lost = OptionalLong.empty();
        Map<String, Long> rcodes = new LinkedHashMap<>();
        OptionalDouble avg = OptionalDouble.empty();
        OptionalDouble stddev = OptionalDouble.empty();
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            String v;
            if ((v = after(line, "Queries sent:")) != null) {
                sent = count(v);
            } else if ((v = after(line, "Queries completed:")) != null) {
                completed = count(v);
            } else if ((v = after(line, "Queries lost:")) != null) {
                lost = count(v);
            } else if ((v = after(line, "Response codes:")) != null) {
                Matcher m = RCODE.matcher(v);
                while (m.find()) {
                    rcodes.put(m.group(1), Long.parseLong(m.group(2)));
                }
            } else if ((v = after(line, "Average Latency (s):")) != null) {
                avg = number(v);
            } else if ((v = after(line, "Latency StdDev (s):")) != null) {
                stddev = number(v);
            }
        }
        return new Summary(sent, completed, lost, rcodes, avg, stddev);
    }

    private static String after(String line, String label) {
        return line.startsWith(label) ? line.substring(label.length()) : null;
    }

    private static OptionalLong count(String v) {
        Matcher m = COUNT.matcher(v);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    private static OptionalDouble number(String v) {
        Matcher m = NUMBER.matcher(v);
        if (!m.find()) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }
}
