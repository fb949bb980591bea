package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code unibench report} from the command line: the index path on success, one clear line and exit 2 on bad input. */
class ReportCommandTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/report");
    static final String STEPS_HEADER = "step,offered_qps,achieved_send_qps,completed_qps,loss_pct,error_pct,"
            + "latency_p50_us,latency_p99_us,generator_saturated\n";

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    Path copy(String fixture) throws IOException {
        Path from = FIXTURES.resolve(fixture);
        Path to = tmp.resolve(fixture);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    Path runFolder(String name, String runJson, String stepsCsv) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        if (runJson != null) {
            Files.writeString(d.resolve("run.json"), runJson);
        }
        if (stepsCsv != null) {
            Files.writeString(d.resolve("steps.csv"), stepsCsv);
        }
        return d;
    }

    /** Exit 2, exactly one line on stderr that contains every fragment, and no report folder anywhere. */
    void assertBadInput(Run r, String... fragments) throws IOException {
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("unibench report: ").contains(fragments);
        assertThat(r.out()).isEmpty();
        try (Stream<Path> s = Files.walk(tmp)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("report"))).isEmpty();
        }
    }

    @Test
    void printsThePathOfIndexHtml() throws Exception {
        Path knot = copy("20261129T100000Z-dns-knot");
        Run r = run("report", knot.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(knot.resolve("report/index.html").toString());
        assertThat(Files.readString(knot.resolve("report/index.html")))
                .contains("unibench report " + knot);
        Path out = tmp.resolve("elsewhere/r1");
        r = run("report", "--output", out.toString(), knot.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(out.resolve("index.html").toString());
        r = run("report", "--output", out.toString(), knot.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("already exists");
    }

    @Test
    void missingOrEmptyOrForeignFolders() throws Exception {
        assertBadInput(run("report", tmp.resolve("nope").toString()), "nope: no such folder");
        assertBadInput(run("report", "--json", tmp.resolve("nope").toString()), "nope: no such folder");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertBadInput(run("report", empty.toString()), "empty is empty: no run.json");
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "hello");
        assertBadInput(run("report", foreign.toString()), "foreign: no run.json and no run folders inside");
        Path file = Files.writeString(tmp.resolve("file.csv"), "a,b\n");
        assertBadInput(run("report", file.toString()), "file.csv is not a folder");
    }

    @Test
    void badRunJson() throws Exception {
        assertBadInput(run("report", runFolder("unknown", "{\"benchmark\": \"tpcc\"}", null).toString()),
                "unknown/run.json: unknown benchmark 'tpcc'");
        assertBadInput(run("report", runFolder("nokey", "{\"status\": \"complete\"}", null).toString()),
                "nokey/run.json: no 'benchmark' key");
        assertBadInput(run("report", runFolder("broken", "{\"benchmark\": ", null).toString()),
                "broken/run.json is not valid JSON");
    }

    @Test
    void missingFilesAndColumns() throws Exception {
        assertBadInput(run("report", runFolder("nosteps", "{\"benchmark\": \"dns\"}", null).toString()),
                "nosteps/steps.csv is missing");
        assertBadInput(run("report", runFolder("cols", "{\"benchmark\": \"dns\"}",
                "step,offered_qps,loss_pct\n1,1000,0\n").toString()),
                "cols/steps.csv: missing columns achieved_send_qps, completed_qps, error_pct, latency_p50_us,"
                        + " latency_p99_us, generator_saturated");
        assertBadInput(run("report", runFolder("unit", "{\"benchmark\": \"http\"}", "step,rate\n").toString()),
                "unit/steps.csv: missing column offered_qps or offered_rps");
        assertBadInput(run("report", runFolder("nan", "{\"benchmark\": \"dns\"}",
                STEPS_HEADER + "1,lots,1000,1000,0,0,60,250,false\n").toString()),
                "nan/steps.csv line 2: column offered_qps is not a number ('lots')");
        Path boot = runFolder("boot", "{\"benchmark\": \"boot\"}", null);
        Files.writeString(boot.resolve("boot-events.csv"), "kind,backend\ncold,qemu\n");
        assertBadInput(run("report", boot.toString()), "boot/boot-events.csv: missing columns service,");
        Path study = copy("20261129T120000Z-study-quick");
        Path load = study.resolve("boot/host-load.csv");
        String good = Files.readString(load);
        Files.writeString(load, "t_s,backend,cpu_pct\n0,qemu,3\n");
        assertBadInput(run("report", study.toString()), "boot/host-load.csv: missing columns running_instances,"
                + " mem_used_bytes");
        Files.writeString(load, good);
        Files.writeString(study.resolve("footprint.csv"), "service,backend,image_bytes\ndns,qemu,1\n");
        assertBadInput(run("report", study.toString()), "footprint.csv: missing columns guest_memory_bytes,"
                + " idle_rss_bytes, idle_cpu_pct");
    }

    @Test
    void anInterruptedRunWithOnlyItsPartialStepIsReported() throws Exception {
        Path d = runFolder("partial", "{\"benchmark\": \"dns\", \"status\": \"interrupted\","
                + " \"stop_reason\": \"interrupted\", \"stop_detail\": \"interrupted during step 1\"}",
                // the second step was cut before anything was measured: empty cells are "not measured"
                STEPS_HEADER + "1,1000,998,997,0.1,0,60,250,false\n2,2000,,,,,,,false\n");
        Run r = run("report", d.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readString(d.resolve("report/index.html"))).contains("partial was interrupted",
                "interrupted: last step partial");
    }
}
