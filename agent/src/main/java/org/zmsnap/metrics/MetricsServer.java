package org.zmsnap.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.zmsnap.runtime.DaemonThreads;

/** Serves {@code /metrics} (Prometheus text format) and {@code /healthz} (200 or 503 with the reasons). */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** @throws IllegalStateException naming the address when it is in use or cannot be bound */
    public static MetricsServer start(InetSocketAddress listen, Metrics metrics, Health health) {
        HttpServer s;
        try {
            s = HttpServer.create(listen, 16);
        } catch (BindException e) {
            throw new IllegalStateException("cannot serve metrics on " + listen.getHostString() + ":" + listen.getPort()
                    + ": the port is in use (" + e.getMessage() + "); change metrics.listen or stop the other process");
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve metrics on " + listen + ": " + e.getMessage());
        }
        s.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        s.createContext("/healthz", ex -> {
            Health.Status st = health.status();
            respond(ex, st.ok() ? 200 : 503, "text/plain; charset=utf-8",
                    st.ok() ? "ok\n" : String.join("\n", st.reasons()) + "\n");
        });
        s.setExecutor(Executors.newSingleThreadExecutor(DaemonThreads.named("zmsnap-metrics-http")));
        s.start();
        return new MetricsServer(s);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(code, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
