package io.unibench.bench.http;

import io.unibench.bench.OpenLoopRun;
import io.unibench.bench.RampListener;
import io.unibench.bench.RampPlan;
import io.unibench.bench.StopConditions;
import io.unibench.protocol.HttpHeader;
import io.unibench.protocol.HttpRequestEncoder;
import io.unibench.results.RunMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code unibench bench http}: open-loop HTTP load against one URL through the shared ramp
 * ({@link OpenLoopRun}), so it writes the same steps.csv, seconds.csv, .hgrm files and run.json as
 * {@code bench dns}. The options arrive validated.
 */
public final class HttpBenchmark {

    /** HTTP method of the load. */
    public enum Method { GET, HEAD }

    /**
     * What to request and how.
     *
     * @param expectBody text every 2xx body must contain (counted as {@code errors_body} otherwise), or null
     */
    public record Settings(HttpTarget target, Method method, List<HttpHeader> headers, int connections,
                           int threads, int pipeline, String expectBody) {
        public Settings {
            headers = List.copyOf(headers);
        }

        public byte[] request() {
            return HttpRequestEncoder.encode(method.name(), target.authority(), target.path(), headers);
        }

        public HttpEngine.Options engineOptions() {
            return new HttpEngine.Options(target.address(), request(), method == Method.HEAD, connections, threads,
                    pipeline, expectBody == null ? null : expectBody.getBytes(StandardCharsets.UTF_8));
        }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", target.url());
            m.put("address", target.address().getAddress().getHostAddress() + ":" + target.port());
            m.put("method", method.name());
            m.put("host_header", target.authority());
            m.put("path", target.path());
            m.put("headers", headers.stream().map(h -> h.name() + ": " + h.value()).toList());
            m.put("connections", connections);
            m.put("threads", threads);
            m.put("pipeline", pipeline);
            m.put("expect_body_contains", expectBody);
            return m;
        }
    }

    private HttpBenchmark() {
    }

    public static OpenLoopRun.Result run(Settings settings, RampPlan plan, StopConditions stops, Duration timeout,
                                         OpenLoopRun.Output output, RunMetadata meta, RampListener listener) {
        return run(settings, plan, stops, timeout, output, meta, listener, null);
    }

    /** As above; {@code serverCpu} (null: unknown) is the loaded instance's CPU time ({@link io.unibench.bench.ServerCpu}). */
    public static OpenLoopRun.Result run(Settings settings, RampPlan plan, StopConditions stops, Duration timeout,
                                         OpenLoopRun.Output output, RunMetadata meta, RampListener listener,
                                         LongSupplier serverCpu) {
        settings.describe().forEach(meta::parameter);
        meta.put("target", Map.of("url", settings.target().url(), "kind", "url"));
        try (HttpEngine engine = new HttpEngine(settings.engineOptions())) {
            return OpenLoopRun.run(output, engine, plan, stops, settings.connections(), timeout, meta, listener, serverCpu);
        }
    }
}
