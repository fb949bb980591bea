package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.bench.GeneratorWarmup;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The terminal's lines about a ramp, here the one about the generator's warm-up. */
class ProgressPrinterTest {
    @Test
    void theGeneratorWarmupIsOneLineSayingWhyItEndedAndNothingWhenQuiet() {
        GeneratorWarmup w = new GeneratorWarmup(10_000, 1.24, 38, GeneratorWarmup.JIT_QUIET, 12_500, 12_498);
        StringWriter out = new StringWriter();
        new ProgressPrinter(new StatusLine(new PrintWriter(out), false, false), false, "qps").generatorWarmedUp(w);
        assertThat(out.toString()).isEqualTo("generator warm-up: 10k qps for 1.2s until its JIT compiler was quiet "
                + "(38 ms compiling), sent 12500, completed 12498; not recorded" + System.lineSeparator());

        StringWriter quiet = new StringWriter();
        new ProgressPrinter(new StatusLine(new PrintWriter(quiet), true, false), true, "qps").generatorWarmedUp(w);
        assertThat(quiet.toString()).isEmpty();
    }
}
