package io.unibench.compare;

/**
 * One comparable figure of a run (or of a study): what it is, its unit, which way is better, and the
 * estimate that computes it from the run's data.
 *
 * @param key            identity across runs: two runs' figures with the same key are compared
 * @param name           for people: {@code cold boot p50 (dns, qemu)}
 * @param metric         the family, as {@code --metric} names it: boot_p50, boot_p90, break_point, p99,
 *                       image_size, idle_memory
 * @param unit           of {@link Estimate#value()}: ms, us, qps, rps, bytes
 * @param higherIsBetter break points: yes; times and sizes: no
 * @param subject        the figure without its backend ({@code boot/boot_p50/cold/dns}): figures of one
 *                       subject on different backends are what the report's headline compares
 * @param what           {@code name} without the backend: {@code cold boot p50 (dns)}
 * @param backend        the backend (or the run's label) the figure was measured on; null when unknown
 * @param at             the offered rate of a p99 figure, NaN for the others
 * @param lowerBound     the value is only a lower bound: a break point the ramp never reached (it stopped at
 *                       its --max-rate, or because the generator could not keep up, before the server broke)
 */
public record Figure(String key, String name, String metric, String unit, boolean higherIsBetter,
                     Estimate estimate, String subject, String what, String backend, double at, boolean lowerBound) {

    /** A figure whose value is the measured value itself. */
    public Figure(String key, String name, String metric, String unit, boolean higherIsBetter, Estimate estimate,
                  String subject, String what, String backend, double at) {
        this(key, name, metric, unit, higherIsBetter, estimate, subject, what, backend, at, false);
    }
}
