package io.unibench.bench.boot;

import io.unibench.UsageException;
import io.unibench.bench.OpenLoopRun;
import io.unibench.deploy.Backend;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code unibench bench boot} was asked, validated.
 *
 * @param backends    measured one after the other, each with the same schedule
 * @param service     manifest name ({@code dns}, {@code web})
 * @param schedule    the churn plan
 * @param cold        that many sequential boots of a single instance, nothing else running (0: none)
 * @param warmup      cold mode: boots per backend before the measured ones, not recorded (the first boot of a
 *                    run also warms unibench's own code paths and the host's caches)
 * @param churn       whether the churn schedule runs (after the cold boots, on each backend)
 * @param bootTimeout a boot without a correct answer by then is recorded as {@code timeout}
 * @param recreate    Docker restarts remove and create the container anew instead of starting it again
 * @param output      where the run folder goes
 */
public record BootOptions(List<Backend> backends, String service, ChurnSchedule schedule, int cold, int warmup,
                          boolean churn, Duration bootTimeout, boolean recreate, OpenLoopRun.Output output) {

    public BootOptions {
        backends = List.copyOf(backends);
        if (backends.isEmpty()) {
            throw new UsageException("no backend to measure");
        }
        if (cold < 0) {
            throw new UsageException("--cold must not be negative (got " + cold + ")");
        }
        if (cold == 0 && !churn) {
            throw new UsageException("nothing to measure: give --cold N and/or a churn schedule");
        }
        if (warmup < 0) {
            throw new UsageException("--warmup must not be negative (got " + warmup + ")");
        }
        if (bootTimeout.isZero() || bootTimeout.isNegative()) {
            throw new UsageException("--boot-timeout must be positive");
        }
    }

    /** Most instances alive at once on one backend. */
    public int peakInstances() {
        return churn ? schedule.max() : 1;
    }

    /** Every value that shaped the run, for run.json. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", cold > 0 && churn ? "cold+churn" : churn ? "churn" : "cold");
        m.put("backends", backends.stream().map(Backend::id).toList());
        m.put("service", service);
        m.put("cold_boots", cold);
        m.put("warmup_boots", cold > 0 ? warmup : 0);
        if (churn) {
            m.put("start", schedule.start());
            m.put("step", schedule.step());
            m.put("max", schedule.max());
            m.put("period_s", schedule.period().toNanos() / 1e9);
            m.put("interval_s", schedule.interval().toNanos() / 1e9);
            m.put("seed", schedule.seed());
            m.put("periods", schedule.periods().size());
            m.put("restarts_per_period", schedule.restartsPerPeriod());
            m.put("restarts_per_backend", schedule.totalRestarts());
            m.put("recreate", recreate);
        }
        m.put("boot_timeout_s", bootTimeout.toNanos() / 1e9);
        return m;
    }
}
