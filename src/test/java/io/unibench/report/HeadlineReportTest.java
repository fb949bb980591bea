package io.unibench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's first section is the headline table of backend pairs, with intervals. */
class HeadlineReportTest {
    @TempDir
    Path tmp;

    @Test
    void theHeadlineComesFirst() throws Exception {
        ReportTest.copyTree(ReportTest.FIXTURES, tmp);
        Report.Result r = ReportTest.report(List.of(tmp.resolve(ReportTest.STUDY)), tmp.resolve("out"));
        String html = Files.readString(r.index());
        int headline = html.indexOf("id=\"headline\"");
        assertThat(headline).isPositive();
        assertThat(html.indexOf("id=\"backends\"")).isGreaterThan(headline);
        String section = html.substring(headline, html.indexOf("</section>", headline));
        assertThat(section).contains("cold boot p50 (dns)", "qemu", "docker", "95 % CI", "qemu better",
                "dns break point", "image size (dns)");
    }
}
