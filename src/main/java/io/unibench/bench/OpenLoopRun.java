package io.unibench.bench;

import io.unibench.UnibenchException;
import io.unibench.load.LoadEngine;
import io.unibench.results.RampCsvSink;
import io.unibench.results.ResultsDirectory;
import io.unibench.results.RunMetadata;
import io.unibench.results.StopReason;
import io.unibench.util.InterruptGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Runs one open-loop benchmark end to end, the same way for every protocol: creates the run folder,
 * writes run.json (running), streams steps and seconds to CSV, handles Ctrl-C (the step in progress
 * ends, its partial measurement is kept, the run is marked interrupted), and rewrites run.json with the
 * stop reason. Validation of the user's input happens before this is called.
 */
public final class OpenLoopRun {

    /** Where and how a run writes its results. */
    public record Output(Path base, boolean exact, String benchmark, String label) {
        /** Default base folder when no --output is given: {@code results/} in the current directory. */
        public static Path defaultBase() {
            return Path.of("results").toAbsolutePath();
        }

        public static Output of(Path output, String benchmark, String label) {
            return output == null ? new Output(defaultBase(), false, benchmark, label)
                    : new Output(output, true, benchmark, label);
        }

        /** Fails with a usage error, before anything is written, when the folder cannot be made. */
        public void check() {
            ResultsDirectory.checkWritable(base, exact);
        }
    }

    /** What a finished run produced. */
    public record Result(Path dir, RampRunner.Outcome outcome) {
    }

    private OpenLoopRun() {
    }

    public static Result run(Output output, LoadEngine engine, RampPlan plan, StopConditions stops, int clients,
                             Duration timeout, RunMetadata meta, RampListener listener) {
        return run(output, engine, plan, stops, clients, timeout, meta, listener, null);
    }

    /** As above; {@code serverCpu} (null: unknown) gives each step the loaded server's CPU time. */
    public static Result run(Output output, LoadEngine engine, RampPlan plan, StopConditions stops, int clients,
                             Duration timeout, RunMetadata meta, RampListener listener, LongSupplier serverCpu) {
        Path dir;
        try {
            dir = ResultsDirectory.create(output.base(), output.exact(), output.benchmark(), output.label(),
                    Instant.now());
            meta.put("generator", engine.describe());
            meta.write(dir);
        } catch (IOException e) {
            throw new UnibenchException("could not create the results folder: " + e.getMessage(), e);
        }
        RampRunner[] runner = new RampRunner[1];
        // Ctrl-C: end the step, then let the CSV and run.json be written
        InterruptGuard guard = InterruptGuard.install("unibench-interrupt", () -> {
            RampRunner r = runner[0];
            if (r != null) {
                r.interrupt();
            }
        }, () -> runner[0] == null ? Duration.ZERO : timeout.plusSeconds(5));
        try {
            return run(dir, engine, plan, stops, clients, timeout, meta, listener, runner, serverCpu);
        } finally {
            guard.close();
        }
    }

    /** A top-level text of run.json, or null. */
    private static String text(RunMetadata meta, String key) {
        return meta.root().hasNonNull(key) ? meta.root().get(key).asText() : null;
    }

    private static Result run(Path dir, LoadEngine engine, RampPlan plan, StopConditions stops, int clients,
                              Duration timeout, RunMetadata meta, RampListener listener, RampRunner[] runner,
                              LongSupplier serverCpu) {
        RampRunner.Outcome outcome = null;
        StopReason reason = StopReason.FAILED;
        String detail = null;
        try (RampCsvSink sink = new RampCsvSink(dir, engine.protocol(), text(meta, RunMetadata.BACKEND),
                text(meta, RunMetadata.LABEL))) {
            runner[0] = new RampRunner(engine, plan, stops, clients, timeout, sink, listener).serverCpu(serverCpu);
            outcome = runner[0].run();
            if (outcome.generatorWarmup() != null) {
                meta.put("generator_warmup", outcome.generatorWarmup().describe());
            }
            if (runner[0].generatorJit() != null) {
                meta.put(GeneratorJit.RUN_JSON_KEY, runner[0].generatorJit());
            }
            reason = outcome.reason();
            detail = outcome.detail();
            return new Result(dir, outcome);
        } catch (UncheckedIOException e) {
            detail = e.getCause().getMessage();
            throw RampRunner.resultWriteFailed(e);
        } catch (IOException e) {
            detail = e.getMessage();
            throw new UnibenchException("could not write results in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            reason = StopReason.INTERRUPTED;
            Thread.currentThread().interrupt();
            throw new UnibenchException("interrupted", e);
        } catch (RuntimeException e) {
            detail = e.getMessage();
            throw e;
        } finally {
            try {
                meta.finish(Instant.now(), reason, detail);
                meta.write(dir);
            } catch (IOException e) {
                listener.warning("could not rewrite run.json: " + e.getMessage());
            }
        }
    }
}
