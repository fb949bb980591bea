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
 * @param schedule    the churn plan (also built in cold mode, where it is not used)
 * @param cold        when positive: that many sequential boots of a single instance instead of the churn
 * @param warmup      cold mode: boots per backend before the measured ones, not recorded (the first boot of a
 *                    run also warms unibench's own code paths and the host's caches)
 * @param bootTimeout a boot without a correct answer by then is recorded as {@code timeout}
 * @param recreate    Docker restarts remove and create the container anew instead of starting it again
 * @param output      where the run folder goes
 */
public record BootOptions(List<Backend> backends, String service, ChurnSchedule schedule, int cold, int warmup,
                          Duration bootTimeout, boolean recreate, OpenLoopRun.Output output) {

    public BootOptions {
        backends = List.copyOf(backends);
        if (backends.isEmpty()) {
            throw new UsageException("no backend to measure");
        }
        if (cold < 0) {
            throw new UsageException("--cold must not be negative (got " + cold + ")");
        }
        if (warmup < 0) {
            throw new UsageException("--warmup must not be negative (got " + warmup + ")");
        }
        if (bootTimeout.isZero() || bootTimeout.isNegative()) {
            throw new UsageException("--boot-timeout must be positive");
        }
    }

    public boolean coldMode() {
        return cold > 0;
    }

    /** Most instances alive at once on one backend. */
    public int peakInstances() {
        return coldMode() ? 1 : schedule.max();
    }

    /** Every value that shaped the run, for run.json. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", coldMode() ? "cold" : "churn");
        m.put("backends", backends.stream().map(Backend::name).toList());
        m.put("service", service);
        if (coldMode()) {
            m.put("cold_boots", cold);
            m.put("warmup_boots", warmup);
        } else {
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
