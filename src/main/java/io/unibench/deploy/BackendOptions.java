package io.unibench.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Backend settings given on the command line, by type: each backend reads the options record it defines
 * ({@code QemuOptions}, {@code DockerOptions}...) and falls back to its defaults when none was given. The
 * generic code passes this bag through without knowing which backends exist. Immutable.
 */
public final class BackendOptions {
    private final Map<Class<?>, Object> byType;

    private BackendOptions(Map<Class<?>, Object> byType) {
        this.byType = byType;
    }

    /** No options: every backend uses its defaults. */
    public static BackendOptions defaults() {
        return new BackendOptions(Map.of());
    }

    /** A copy with {@code options} set for its type (replacing an earlier one). */
    public BackendOptions with(Object options) {
        Map<Class<?>, Object> m = new LinkedHashMap<>(byType);
        m.put(options.getClass(), options);
        return new BackendOptions(Map.copyOf(m));
    }

    /** The options of {@code type}, else {@code defaults}. */
    public <T> T get(Class<T> type, Supplier<T> defaults) {
        Object o = byType.get(type);
        return o == null ? defaults.get() : type.cast(o);
    }
}
