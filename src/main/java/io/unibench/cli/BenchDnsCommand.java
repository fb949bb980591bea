package io.unibench.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "Open-loop DNS load at a constant or stepped query rate (dnsperf-like).")
final class BenchDnsCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "HOST[:PORT]", description = "DNS server (port 53 by default).")
    String target;

    @Mixin
    RampOptions ramp;

    @Override
    public Integer call() {
        throw NotBuiltYet.of("unibench bench dns", 2);
    }
}
