package io.unibench;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing and printing of the quantities users type: durations ({@code 300ms}, {@code 5s}, {@code 5m},
 * {@code 1h}), rates ({@code 100}, {@code 2k}, {@code 1.5M}) and sizes ({@code 128M}, {@code 8M}, {@code 1G}).
 * One place, so every command accepts the same spellings.
 */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)?");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)([kKmM])?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kKmMgG])?(?:i?[bB])?");

    private Units() {
    }

    /** Parses a duration; a bare number means seconds. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new UsageException("invalid duration '" + text + "' (examples: 300ms, 5s, 5m, 1h)");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos = switch (unit) {
            case "ns" -> value;
            case "us", "µs" -> value * 1e3;
            case "ms" -> value * 1e6;
            case "s" -> value * 1e9;
            case "m" -> value * 60e9;
            case "h" -> value * 3600e9;
            default -> throw new IllegalStateException(unit);
        };
        return Duration.ofNanos(Math.round(nanos));
    }

    /** Parses a rate per second: {@code 100}, {@code 2k} (2000), {@code 1.5M}. */
    public static double parseRate(String text) {
        Matcher m = RATE.matcher(text.trim());
        if (!m.matches()) {
            throw new UsageException("invalid rate '" + text + "' (examples: 100, 2k, 1.5M)");
        }
        double value = Double.parseDouble(m.group(1));
        if (m.group(2) != null) {
            value *= Character.toLowerCase(m.group(2).charAt(0)) == 'k' ? 1e3 : 1e6;
        }
        return value;
    }

    /** Parses a size in bytes: {@code 128M}, {@code 8M}, {@code 1G}, {@code 4096}. Binary multiples. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new UsageException("invalid size '" + text + "' (examples: 8M, 128M, 1G)");
        }
        long value = Long.parseLong(m.group(1));
        if (m.group(2) != null) {
            value <<= switch (Character.toLowerCase(m.group(2).charAt(0))) {
                case 'k' -> 10;
                case 'm' -> 20;
                case 'g' -> 30;
                default -> 0;
            };
        }
        return value;
    }

    /** Short human form of a duration for terminals: 250ms, 5s, 5m, 1h30m. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = d.toSeconds();
        if (s < 120 && ms % 1000 != 0) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        if (s < 120) {
            return s + "s";
        }
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long rest = s % 60;
        StringBuilder b = new StringBuilder();
        if (h > 0) {
            b.append(h).append('h');
        }
        if (m > 0) {
            b.append(m).append('m');
        }
        if (rest > 0) {
            b.append(rest).append('s');
        }
        return b.toString();
    }

    /** Short form of a rate: 950, 2k, 12.5k, 1.2M. */
    public static String formatRate(double perSecond) {
        if (perSecond >= 1e6) {
            return trim(perSecond / 1e6) + "M";
        }
        if (perSecond >= 1e3) {
            return trim(perSecond / 1e3) + "k";
        }
        return trim(perSecond);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
