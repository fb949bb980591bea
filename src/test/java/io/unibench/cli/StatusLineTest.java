package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The one progress line: live only on a terminal, cut to its width; plain lines otherwise. */
class StatusLineTest {
    @Test
    void offATerminalOnlyPlainLinesAndNoEscapeCodes() {
        StringWriter w = new StringWriter();
        StatusLine s = new StatusLine(new PrintWriter(w), false, false);
        s.update("step 1/3 offered 1k qps");
        s.line("step 1: done");
        s.warning("generator behind");
        assertThat(w.toString()).isEqualTo("step 1: done" + System.lineSeparator() + "warning: generator behind"
                + System.lineSeparator()).doesNotContain("\033");
    }

    @Test
    void onATerminalTheLiveLineIsRewrittenAndClearedBeforeAPermanentOne() {
        StringWriter w = new StringWriter();
        StatusLine s = new StatusLine(new PrintWriter(w), false, true);
        s.update("a");
        s.update("b");
        s.line("done");
        assertThat(w.toString()).isEqualTo("\r\033[Ka\r\033[Kb\r\033[Kdone" + System.lineSeparator());
        StringWriter q = new StringWriter();
        new StatusLine(new PrintWriter(q), true, true).update("quiet");
        assertThat(q.toString()).isEmpty();
    }

    @Test
    void cutToTheWidthSoItNeverWraps() {
        assertThat(StatusLine.fit("0123456789", 8)).isEqualTo("012345\u2026").hasSize(7);
        assertThat(StatusLine.fit("0123", 8)).isEqualTo("0123");
        // the test's stderr is a file or a pipe, not a terminal
        assertThat(StatusLine.stderrIsTerminal()).isFalse();
    }
}
