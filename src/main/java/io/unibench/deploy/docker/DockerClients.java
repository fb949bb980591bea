package io.unibench.deploy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.unibench.UnibenchException;
import io.unibench.deploy.remote.SshTarget;
import io.unibench.deploy.remote.SshTunnel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One docker-java client per engine and process, made on first use (never at class-init time: {@code --help}
 * stays fast): the local engine ({@code DOCKER_HOST} or the local unix socket), {@code tcp://} with TLS
 * (docker-java reads the PEM files with BouncyCastle), or {@code ssh://} through an {@link SshTunnel}.
 * Unversioned (API 1.41 here; never pinned higher); an engine older than {@link #MIN_API} is refused.
 */
public final class DockerClients {
    /** unibench's containers need API 1.25: an init process (HostConfig.Init) and NanoCpus limits. */
    public static final String MIN_API = "1.25";

    private record Engine(DockerClient client, DockerHttpClient http, String host, String shownHost,
                          SshTunnel tunnel) {
    }

    private static final Map<String, Engine> ENGINES = new ConcurrentHashMap<>();

    private DockerClients() {
    }

    /** The local (default) engine's client, after checking the daemon answers. */
    public static DockerClient get() {
        return get(DockerEndpoint.local());
    }

    /** The client of {@code endpoint}, after checking the engine answers and is new enough. */
    public static DockerClient get(DockerEndpoint endpoint) {
        return engine(endpoint).client();
    }

    private static Engine engine(DockerEndpoint endpoint) {
        Engine e = ENGINES.get(endpoint.key());
        if (e != null) {
            return e;
        }
        synchronized (DockerClients.class) {
            e = ENGINES.get(endpoint.key());
            if (e == null) {
                e = open(endpoint);
                ENGINES.put(endpoint.key(), e);
            }
            return e;
        }
    }

    private static Engine open(DockerEndpoint endpoint) {
        SshTunnel tunnel = null;
        DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (endpoint.ssh()) {
            tunnel = SshTunnel.open(SshTarget.parse(endpoint.host()), endpoint.sshKey(), endpoint.knownHosts(),
                    DockerEndpoint.REMOTE_SOCKET);
            b.withDockerHost(tunnel.localUri()).withDockerTlsVerify(false);
        } else if (endpoint.host() != null) {
            b.withDockerHost(endpoint.host()).withDockerTlsVerify(endpoint.tls());
            if (endpoint.tls()) {
                b.withDockerCertPath(endpoint.tlsDir().toString());
            }
        }
        DockerClientConfig cfg;
        try {
            cfg = b.build();
        } catch (RuntimeException ex) {
            closeQuietly(tunnel);
            throw new UnibenchException("Docker at " + endpoint + ": bad client settings (" + rootMessage(ex) + ")", ex);
        }
        String host = cfg.getDockerHost().toString();
        String shown = endpoint.host() != null ? endpoint.host() : host;
        DockerHttpClient http;
        try {
            http = new ApacheDockerHttpClient.Builder().dockerHost(cfg.getDockerHost()).sslConfig(cfg.getSSLConfig())
                    .maxConnections(64).connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(120))
                    .build();
        } catch (RuntimeException ex) {
            closeQuietly(tunnel);
            throw new UnibenchException("Docker at " + shown + ": cannot set up the client (" + rootMessage(ex)
                    + (endpoint.tls() ? "; check the PEM files in " + endpoint.tlsDir() : "") + ")", ex);
        }
        DockerClient c = DockerClientImpl.getInstance(cfg, http);
        try {
            c.pingCmd().exec();
        } catch (RuntimeException ex) {
            closeQuietly(tunnel);
            String hint = endpoint.remote()
                    ? (endpoint.tls() ? "check the address, that dockerd listens there with --tlsverify, and that "
                    + "its CA signed " + endpoint.tlsDir().resolve("cert.pem") : "check that dockerd runs on "
                    + endpoint.serverHost() + (endpoint.ssh() ? " and " + DockerEndpoint.REMOTE_SOCKET
                    + " is there" : " and listens on that port"))
                    : "start it: 'systemctl start docker' or 'dockerd >/var/log/dockerd.log 2>&1 &'";
            throw new UnibenchException("Docker daemon not reachable at " + shown + " (" + rootMessage(ex) + "); "
                    + hint, ex);
        }
        if (endpoint.remote()) {
            String api;
            try {
                api = c.versionCmd().exec().getApiVersion();
            } catch (RuntimeException ex) {
                api = null;
            }
            if (api != null && compareVersions(api, MIN_API) < 0) {
                closeQuietly(tunnel);
                throw new UnibenchException("Docker at " + shown + " speaks API " + api + "; unibench needs " + MIN_API
                        + " or newer (init process, CPU limits): upgrade Docker on " + endpoint.serverHost());
            }
        }
        return new Engine(c, http, host, shown, tunnel);
    }

    /** -1, 0, 1 for dotted versions ({@code 1.41} vs {@code 1.25}). */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i].replaceAll("\\D", "0")) : 0;
            int q = i < y.length ? Integer.parseInt(y[i].replaceAll("\\D", "0")) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static void closeQuietly(SshTunnel t) {
        if (t != null) {
            t.close();
        }
    }

    /**
     * Starts making the local client on a background thread: setting it up costs 0.5-1 s of class loading and
     * logging set-up, which can overlap with reading the state or probing KVM. Failures are left for the
     * real {@link #get()} to report.
     */
    public static void warmUpInBackground() {
        warmUpInBackground(DockerEndpoint.local());
    }

    public static void warmUpInBackground(DockerEndpoint endpoint) {
        Thread t = new Thread(() -> {
            try {
                get(endpoint);
            } catch (RuntimeException ignored) {
                // get() says it again, in context
            }
        }, "unibench-docker-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** The raw HTTP client of the local engine, for API calls docker-java lacks (one-shot stats). */
    public static DockerHttpClient http() {
        return http(DockerEndpoint.local());
    }

    public static DockerHttpClient http(DockerEndpoint endpoint) {
        return engine(endpoint).http();
    }

    /** True when the local engine is on this host (a unix socket), so its containers' cgroups are visible here. */
    public static boolean isLocal() {
        return isLocal(DockerEndpoint.local());
    }

    /** True when that engine runs on this host: a unix socket that is not the local end of an SSH tunnel. */
    public static boolean isLocal(DockerEndpoint endpoint) {
        Engine e = engine(endpoint);
        return e.tunnel() == null && e.host().startsWith("unix://");
    }

    public static String host() {
        return host(DockerEndpoint.local());
    }

    /** The engine as the user wrote it (ssh://..., tcp://...) or the local socket's URI. */
    public static String host(DockerEndpoint endpoint) {
        return engine(endpoint).shownHost();
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
