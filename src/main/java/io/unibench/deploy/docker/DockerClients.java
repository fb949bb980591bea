package io.unibench.deploy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.unibench.UnibenchException;
import java.time.Duration;

/**
 * One docker-java client per process, made on first use (never at class-init time: {@code --help} stays
 * fast). Talks to {@code DOCKER_HOST} or the local unix socket, unversioned (API 1.41 here; never pinned
 * higher).
 */
public final class DockerClients {
    private static DockerClient client;
    private static DockerHttpClient http;
    private static String host;

    private DockerClients() {
    }

    /** The client, after checking the daemon answers; a clear runtime failure otherwise. */
    public static synchronized DockerClient get() {
        if (client == null) {
            DockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
            host = cfg.getDockerHost().toString();
            http = new ApacheDockerHttpClient.Builder().dockerHost(cfg.getDockerHost()).sslConfig(cfg.getSSLConfig())
                    .maxConnections(64).connectionTimeout(Duration.ofSeconds(3)).responseTimeout(Duration.ofSeconds(120))
                    .build();
            DockerClient c = DockerClientImpl.getInstance(cfg, http);
            try {
                c.pingCmd().exec();
            } catch (RuntimeException e) {
                http = null;
                throw new UnibenchException("Docker daemon not reachable at " + host + " (" + rootMessage(e)
                        + "); start it: 'systemctl start docker' or 'dockerd >/var/log/dockerd.log 2>&1 &'", e);
            }
            client = c;
        }
        return client;
    }

    /**
     * Starts making the client on a background thread: setting it up costs 0.5-1 s of class loading and
     * logging set-up, which can overlap with reading the state or probing KVM. Failures are left for the
     * real {@link #get()} to report.
     */
    public static void warmUpInBackground() {
        Thread t = new Thread(() -> {
            try {
                get();
            } catch (RuntimeException ignored) {
                // get() says it again, in context
            }
        }, "unibench-docker-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** The raw HTTP client of {@link #get()}, for API calls docker-java lacks (one-shot stats). */
    public static synchronized DockerHttpClient http() {
        get();
        return http;
    }

    /** True when the daemon is on this host (a unix socket), so its containers' cgroups are visible here. */
    public static synchronized boolean isLocal() {
        return host().startsWith("unix://");
    }

    public static synchronized String host() {
        get();
        return host;
    }

    /** The innermost message of a docker-java failure, for one-line errors. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.strip().replace('\n', ' ');
    }
}
