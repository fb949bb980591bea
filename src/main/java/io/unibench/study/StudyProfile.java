package io.unibench.study;

import java.time.Duration;
import java.util.List;

/**
 * How much of the study to run. {@code full} is the 2018 study's method (5-minute steps from 100 by 100
 * until a stop condition; boot periods of 20 minutes from 10 to 140 instances); {@code quick} finishes in
 * about 5 minutes and {@code smoke} in about 1, and both still exercise every part.
 *
 * @param dnsRamp       arguments of {@code bench dns} after --target (rates, durations, stops)
 * @param httpRamp      arguments of {@code bench http} after --target
 * @param boot          arguments of {@code bench boot} (schedule, cold boots)
 * @param idle          how long each deployed instance is watched idle for the footprint
 * @param expected      human estimate of the wall time, printed before starting
 */
public record StudyProfile(String name, List<String> dnsRamp, List<String> httpRamp, List<String> boot,
                           Duration idle, String expected) {

    public static final List<String> NAMES = List.of("smoke", "quick", "full");

    /**
     * The network mode when {@code --network} is not given: {@code lab} (no proxy in the path) for smoke and
     * quick, {@code both} for full (the two side by side: what the forwarder costs).
     */
    public String defaultNetwork() {
        return name.equals("full") ? "both" : "lab";
    }

    public static StudyProfile of(String name) {
        return switch (name) {
            case "smoke" -> new StudyProfile("smoke",
                    List.of("--start-rate", "500", "--step", "1500", "--max-rate", "2000", "--step-duration", "2s",
                            "--warmup", "500ms", "--timeout", "1s", "--unresponsive", "3s"),
                    List.of("--start-rate", "300", "--step", "700", "--max-rate", "1000", "--step-duration", "2s",
                            "--warmup", "500ms", "--timeout", "1s", "--unresponsive", "3s", "--connections", "20"),
                    List.of("--cold", "3", "--start", "2", "--step", "2", "--max", "2", "--period", "6s",
                            "--interval", "2s", "--boot-timeout", "10s"),
                    Duration.ofSeconds(3), "about 1 minute");
            case "quick" -> new StudyProfile("quick",
                    List.of("--start-rate", "5k", "--step", "10k", "--max-rate", "95k", "--step-duration", "5s",
                            "--warmup", "1s", "--timeout", "2s", "--unresponsive", "5s"),
                    List.of("--start-rate", "2k", "--step", "6k", "--max-rate", "50k", "--step-duration", "5s",
                            "--warmup", "1s", "--timeout", "2s", "--unresponsive", "5s"),
                    List.of("--cold", "10", "--start", "5", "--step", "5", "--max", "10", "--period", "20s",
                            "--interval", "2s", "--boot-timeout", "10s"),
                    Duration.ofSeconds(5), "about 5 minutes");
            case "full" -> new StudyProfile("full",
                    List.of("--start-rate", "100", "--step", "100", "--step-duration", "5m"),
                    List.of("--start-rate", "100", "--step", "100", "--step-duration", "5m"),
                    List.of("--cold", "20", "--start", "10", "--step", "10", "--max", "140", "--period", "20m",
                            "--interval", "5s"),
                    Duration.ofSeconds(10),
                    "boot: 14 periods x 20 min x 2 backends (about 9.5 h); DNS and HTTP: 5 min per 100/s step"
                            + " per backend until the server breaks (a server that breaks at 10k/s takes 8 h 20 min)");
            default -> throw new io.unibench.UsageException("unknown profile '" + name + "' (use " + NAMES + ")");
        };
    }
}
