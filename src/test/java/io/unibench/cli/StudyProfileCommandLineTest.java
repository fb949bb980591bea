package io.unibench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.unibench.study.StudyProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The study calls the benchmarks with typed options and records the equivalent command line in each
 * sub-run's run.json: that command line, parsed by the real commands, gives back exactly those options.
 */
class StudyProfileCommandLineTest {

    static <T> T parse(Class<T> type, List<String> args) {
        CommandLine cl = Main.commandLine();
        List<CommandLine> parsed = cl.parseArgs(args.toArray(String[]::new)).asCommandLineList();
        return type.cast(parsed.get(parsed.size() - 1).getCommand());
    }

    @Test
    void eachProfilesCommandLinesParseBackToItsValues() {
        for (String name : StudyProfile.NAMES) {
            StudyProfile p = StudyProfile.of(name);
            List<String> dns = new ArrayList<>(List.of("bench", "dns", "--target", "127.0.0.1:5353"));
            dns.addAll(p.dns().args("--clients"));
            BenchDnsCommand d = parse(BenchDnsCommand.class, dns);
            assertThat(d.ramp.plan()).as(name + " dns").isEqualTo(p.dns().plan());
            assertThat(d.ramp.stops()).as(name + " dns").isEqualTo(p.dns().stops());
            assertThat(d.ramp.timeout()).as(name + " dns").isEqualTo(p.dns().timeout());
            assertThat(d.clients).isEqualTo(p.dns().connections());

            List<String> http = new ArrayList<>(List.of("bench", "http", "--target", "http://127.0.0.1:8080/"));
            http.addAll(p.http().args("--connections"));
            BenchHttpCommand h = parse(BenchHttpCommand.class, http);
            assertThat(h.ramp.plan()).as(name + " http").isEqualTo(p.http().plan());
            assertThat(h.ramp.stops()).as(name + " http").isEqualTo(p.http().stops());
            assertThat(h.ramp.timeout()).as(name + " http").isEqualTo(p.http().timeout());
            assertThat(h.connections).isEqualTo(p.http().connections());

            List<String> boot = new ArrayList<>(List.of("bench", "boot", "--service", "dns", "--backend", "both"));
            boot.addAll(p.boot().args());
            BenchBootCommand b = parse(BenchBootCommand.class, boot);
            assertThat(new StudyProfile.Boot(b.cold, b.start, b.step, b.max, b.period, b.interval, b.bootTimeout))
                    .as(name + " boot").isEqualTo(p.boot());
        }
    }

    @Test
    void theGeneratorWarmupDefaultsToThePlansDefaultAndZeroTurnsItOff() {
        BenchDnsCommand d = parse(BenchDnsCommand.class, List.of("bench", "dns", "--target", "127.0.0.1:5353"));
        assertThat(d.ramp.plan().generatorWarmup()).isEqualTo(io.unibench.bench.RampPlan.DEFAULT_GENERATOR_WARMUP);
        BenchHttpCommand h = parse(BenchHttpCommand.class, List.of("bench", "http", "--target",
                "http://127.0.0.1:8080/", "--rate", "1k", "--generator-warmup", "0s"));
        assertThat(h.ramp.plan().generatorWarmup()).isZero();
        assertThat(h.ramp.describe()).containsEntry("generator_warmup_s", 0.0);
    }
}
