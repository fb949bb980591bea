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

    /** Parses a {@code -v} per-query line, or returns null when the line is something else. */
    public static QueryLine parseQueryLine(String line) {
        if (!line.startsWith("> ")) {
            return null;
        }
        String[] f = line.substring(2).trim().split("\\s+");
        if (f.length == 0 || f[0].isEmpty()) {
            return null;
        }
        if (f[0].equals("T")) {
            return new QueryLine("T", Double.NaN);
        }
        if (f.length < 2) {
            return null;
        }
        try {
            return new QueryLine(f[0], Double.parseDouble(f[f.length - 1]));
        } catch (NumberFormatException e) {
            return null;
        }
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
