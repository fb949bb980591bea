package io.unibench.cli;

import io.unibench.Units;
import io.unibench.bench.GeneratorWarmup;
import io.unibench.bench.RampListener;
import io.unibench.load.IntervalSample;
import io.unibench.results.StepResult;
import io.unibench.results.StopReason;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Live progress of a ramp on stderr ({@link StatusLine}): on a terminal one line rewritten every second
 * (step, offered vs achieved rate, p99, loss, time left); one line per finished step. Warnings always
 * print. Silent with --quiet except for warnings.
 */
final class ProgressPrinter implements RampListener {
    private final StatusLine status;
    private final boolean quiet;
    private final String unit;
    private int steps;

    ProgressPrinter(PrintStream err, boolean quiet, String unit) {
        this(new StatusLine(new PrintWriter(err, true), quiet), quiet, unit);
    }

    ProgressPrinter(StatusLine status, boolean quiet, String unit) {
        this.status = status;
        this.quiet = quiet;
        this.unit = unit;
    }

    @Override
    public void generatorWarmedUp(GeneratorWarmup w) {
        if (quiet) {
            return;
        }
        String why = switch (w.ended()) {
            case GeneratorWarmup.JIT_QUIET -> "its JIT compiler was quiet";
            case GeneratorWarmup.TARGET_SILENT -> "the target was silent";
            case GeneratorWarmup.LIMIT -> "--generator-warmup ran out";
            default -> w.ended();
        };
        status.line(String.format(Locale.ROOT, "generator warm-up: %s %s for %.1fs until %s (%d ms compiling), "
                        + "sent %d, completed %d; not recorded", Units.formatRate(w.rate()), unit, w.seconds(), why,
                w.jitCompileMillis(), w.sent(), w.completed()));
    }

    @Override
    public void stepStarted(int step, int steps, double offeredRate, long warmupNanos, long measureNanos) {
        this.steps = steps;
    }

    @Override
    public void second(int step, double offeredRate, IntervalSample s, long stepNanosLeft) {
        if (quiet || !status.live()) {
            return;
        }
        long p99 = s.latency().getTotalCount() == 0 ? 0 : s.latency().getValueAtPercentile(99);
        double loss = s.sent() == 0 ? 0 : 100.0 * (s.lost() + s.errorsTotal()) / s.sent();
        String line = String.format(Locale.ROOT, "step %s  offered %s %s  sent %s/s  answered %s/s  p99 %s  "
                        + "loss %.2f%%  step left %s", steps > 0 ? step + "/" + steps : Integer.toString(step),
                Units.formatRate(offeredRate), unit,
                Units.formatRate(s.sent()), Units.formatRate(s.completed()), ms(p99), loss,
                Units.formatDuration(java.time.Duration.ofNanos(stepNanosLeft)));
        status.update(line);
    }

    @Override
    public void stepFinished(StepResult r) {
        if (quiet) {
            return;
        }
        long p99 = r.totals().latency().getTotalCount() == 0 ? 0 : r.totals().latency().getValueAtPercentile(99);
        status.line(String.format(Locale.ROOT,
                "step %d: offered %s %s, sent %s/s, completed %s/s, loss %.3f%%, errors %.3f%%, p50 %s, p99 %s%s",
                r.step(), Units.formatRate(r.offeredRate()), unit, Units.formatRate(r.achievedSendRate()),
                Units.formatRate(r.completedRate()), r.lossPct(), r.errorPct(),
                ms(r.totals().latency().getTotalCount() == 0 ? 0 : r.totals().latency().getValueAtPercentile(50)),
                ms(p99), r.saturated() ? "  [generator saturated]" : ""));
    }

    @Override
    public void warning(String message) {
        status.warning(message);
    }

    @Override
    public void finished(StopReason reason, String detail) {
        if (quiet) {
            return;
        }
        status.line("stopped: " + reason.label() + (detail == null ? "" : " (" + detail + ")"));
    }

    private static String ms(long nanos) {
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.0fus", nanos / 1e3);
        }
        return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
    }
}
