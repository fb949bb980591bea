package io.unibench.bench.dns;

import io.unibench.bench.OpenLoopRun;
import io.unibench.bench.RampListener;
import io.unibench.bench.RampPlan;
import io.unibench.bench.StopConditions;
import io.unibench.load.LoadEngine;
import io.unibench.results.RunMetadata;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code unibench bench dns}: open-loop DNS load through the shared ramp ({@link OpenLoopRun}), with the
 * built-in engine or dnsperf. The options arrive validated; the command and the study both call this.
 */
public final class DnsBenchmark {

    /** Which load generator sends the queries. */
    public enum Driver { unibench, dnsperf }

    /** UDP datagrams, or TCP connections with length-prefixed, pipelined queries (RFC 7766). */
    public enum Transport { udp, tcp }

    /**
     * What to query and how.
     *
     * @param given the target as the user wrote it (recorded in run.json)
     */
    public record Settings(String given, InetSocketAddress address, QueryFile queries, int clients, int threads,
                           Driver driver, Transport transport) {

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", clients);
            m.put("threads", threads);
            m.put("driver", driver.name());
            // dnsperf times from its own send: its figures are service times, not corrected for coordinated
            // omission
            m.put("latency_corrected", driver != Driver.dnsperf);
            m.put("transport", transport.name());
            m.put("queries", queries.source());
            m.put("query_count", queries.size());
            return m;
        }
    }

    private DnsBenchmark() {
    }

    /** run.json's {@code threads_choice} for {@code --threads auto}: the cores it counted, and why those. */
    public static String autoThreadsChoice(io.unibench.bench.CpuLayout layout) {
        return "auto (" + layout.generator().size() + " cores"
                + (layout.mode() == io.unibench.bench.CpuLayout.Mode.split ? " of the generator, --cpu-layout split"
                : "") + ")";
    }

    public static OpenLoopRun.Result run(Settings s, RampPlan plan, StopConditions stops, Duration timeout,
                                         OpenLoopRun.Output output, RunMetadata meta, RampListener listener) {
        return run(s, plan, stops, timeout, output, meta, listener, null);
    }

    /** As above; {@code serverCpu} (null: unknown) is the loaded instance's CPU time ({@link io.unibench.bench.ServerCpu}). */
    public static OpenLoopRun.Result run(Settings s, RampPlan plan, StopConditions stops, Duration timeout,
                                         OpenLoopRun.Output output, RunMetadata meta, RampListener listener,
                                         LongSupplier serverCpu) {
        s.describe().forEach(meta::parameter);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("given", s.given());
        t.put("address", s.address().getAddress().getHostAddress());
        t.put("port", s.address().getPort());
        t.put("transport", s.transport().name());
        meta.put("target", t);
        boolean tcp = s.transport() == Transport.tcp;
        try (LoadEngine engine = s.driver() == Driver.dnsperf
                ? new DnsperfEngine(s.address(), s.queries(), s.clients(), s.threads(), tcp)
                : tcp ? new DnsTcpEngine(s.address(), s.queries(), s.clients(), s.threads())
                : new DnsEngine(s.address(), s.queries(), s.clients(), s.threads())) {
            if (engine instanceof DnsperfEngine d) {
                meta.tool("dnsperf", d.versionLine());
            }
            return OpenLoopRun.run(output, engine, plan, stops, s.clients(), timeout, meta, listener, serverCpu);
        }
    }
}
