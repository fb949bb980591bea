package io.unibench.results;

import static io.unibench.results.CsvLayout.added;
import static io.unibench.results.CsvLayout.column;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvLayoutTest {
    record Boot(String backend, double ms) {
    }

    @TempDir
    Path tmp;

    @Test
    void oneDeclarationGivesTheHeaderTheCellsAndWhatReadersMayRequire() throws Exception {
        CsvLayout<Boot> layout = CsvLayout.of("boots.csv", column("backend", Boot::backend),
                column("answer_ms", Boot::ms), added("answer_ms_x2", b -> b.ms() * 2));
        try (CsvLayout.Writer<Boot> w = layout.create(tmp)) {
            w.row(new Boot("qemu", 31.25));
            w.row(new Boot("docker", Double.NaN));
        }
        assertThat(Files.readAllLines(tmp.resolve("boots.csv")))
                .containsExactly("backend,answer_ms,answer_ms_x2", "qemu,31.25,62.5", "docker,,");
        assertThat(layout.requiredNames()).containsExactly("backend", "answer_ms");
        assertThatThrownBy(() -> CsvLayout.of("x.csv", column("a", Boot::ms), column("a", Boot::ms)))
                .hasMessageContaining("duplicate");
    }

    @Test
    void theStepsHeaderTellsItsProtocolNamesOnlyWhenItFollowsTheLayout() {
        var p = new io.unibench.load.LoadProtocol("http", "rps", "requests", "errors_timeout", List.of("status_2xx"),
                List.of(), List.of(), List.of(0));
        assertThat(RampCsvSink.stepsHeader(RampCsvSink.steps(p).names()))
                .isEqualTo(new RampCsvSink.StepsHeader("rps", "requests", "errors_timeout"));
        assertThat(RampCsvSink.stepsHeader(List.of("step", "offered_qps", "achieved_send_qps", "completed_qps",
                "loss_pct", "error_pct", "latency_p50_us", "latency_p99_us", "generator_saturated", "x")))
                .isEqualTo(new RampCsvSink.StepsHeader("qps", null, null));
    }
}
