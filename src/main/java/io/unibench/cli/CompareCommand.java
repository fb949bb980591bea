package io.unibench.cli;

import io.unibench.UnibenchException;
import io.unibench.UsageException;
import io.unibench.compare.Bootstrap;
import io.unibench.compare.Compare;
import io.unibench.compare.CompareFormat;
import io.unibench.compare.Comparison;
import io.unibench.compare.Figures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare a candidate run (or study) with a baseline, figure by figure: boot p50/p90 per",
            "backend, DNS and HTTP break point and p99 at the rates both ran, image size and idle memory.",
            "Each difference gets a seeded bootstrap confidence interval (boot events, the ramps' seconds,",
            "the footprint's instances are resampled) and a verdict: better, worse or no significant difference.",
            "A figure is a REGRESSION when it is worse by more than --threshold over its whole interval;",
            "then the exit code is 1 (as k6 exits 99 on a failed threshold)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no figure regressed", "1:a figure regressed beyond --threshold (or a runtime failure)",
            "2:bad input: not a run folder, no comparable figure, malformed option"},
        footerHeading = "%nExamples:%n",
        footer = {"  unibench compare results/20261201T100000Z-study results/20261202T100000Z-study",
            "  unibench compare base/boot cand/boot --metric boot_p50,boot_p90 --threshold 10%%",
            "  unibench compare base cand --json > compare.json",
            "  unibench compare base cand --markdown compare.md"})
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BASELINE", description = "Run or study folder measured before.")
    Path baseline;

    @Parameters(index = "1", paramLabel = "CANDIDATE", description = "Run or study folder to judge.")
    Path candidate;

    @Option(names = "--metric", split = ",", paramLabel = "METRIC",
            description = {"Only these figures (comma separated): boot_p50, boot_p90, break_point, p99,",
                "image_size, idle_memory (default: all both runs have)."})
    List<String> metrics = List.of();

    @Option(names = "--threshold", paramLabel = "PCT", defaultValue = "5%",
            description = "Worse by more than this over the whole interval is a regression (default: ${DEFAULT-VALUE}).")
    String threshold;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + Bootstrap.DEFAULT_SEED,
            description = "Seed of the bootstrap (default: ${DEFAULT-VALUE}; printed and in --json).")
    long seed;

    @Option(names = "--resamples", paramLabel = "N", defaultValue = "" + Bootstrap.DEFAULT_RESAMPLES,
            description = "Bootstrap resamples per figure, 100 to 100000 (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--markdown", paramLabel = "FILE",
            description = "Also write the table as Markdown to FILE (must not exist; '-' for stdout).")
    String markdown;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        double thresholdPct = Compare.parseThreshold(threshold);
        Set<String> wanted = new LinkedHashSet<>();
        for (String m : metrics) {
            String t = m.strip();
            if (!Figures.METRICS.contains(t)) {
                throw new UsageException("--metric: unknown figure '" + m + "' (known: "
                        + String.join(", ", Figures.METRICS) + ")");
            }
            wanted.add(t);
        }
        if (resamples < 100 || resamples > 100_000) {
            throw new UsageException("--resamples must be from 100 to 100000 (got " + resamples + ")");
        }
        Path md = markdown == null || markdown.equals("-") ? null : Path.of(markdown);
        if (md != null && Files.exists(md)) {
            throw new UsageException("--markdown: " + md + " already exists; nothing is overwritten");
        }
        Comparison c = Compare.run(new Compare.Options(baseline, candidate, wanted, thresholdPct, seed, resamples,
                0.95));
        var out = spec.commandLine().getOut();
        out.print((json.on() ? CompareFormat.json : CompareFormat.text).format(c));
        if ("-".equals(markdown)) {
            out.print(CompareFormat.markdown.format(c));
        } else if (md != null) {
            try {
                Files.writeString(md, CompareFormat.markdown.format(c), StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE_NEW);
            } catch (IOException e) {
                throw new UnibenchException("cannot write " + md + ": " + e.getMessage(), e);
            }
        }
        out.flush();
        return c.regressed() ? Main.EXIT_FAILURE : Main.EXIT_OK;
    }
}
