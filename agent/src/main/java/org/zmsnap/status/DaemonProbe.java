package org.zmsnap.status;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zmsnap.config.MetricsConfig;

/**
 * Asks the running zmsnapd how it is, through the {@code /healthz} it serves: the daemon's own judgement (every
 * policy on time, coverage) rather than a second one rebuilt from outside; and, from its {@code /metrics}, what it is
 * sending now ({@link #running}).
 */
public final class DaemonProbe {
    /** What {@code /healthz} answered. */
    public sealed interface Answer {
        record Healthy() implements Answer {}
        record Unhealthy(String reasons) implements Answer {}
        record Unreachable(String url, String why) implements Answer {}
        record NotServed() implements Answer {}
    }

    private DaemonProbe() {}

    /**
     * @param connect how long connecting may take: a daemon that is not running refuses at once
     * @param answer  how long its answer may take once connected: a running daemon may be busy with a cycle, a send and
     *                a drill on a small host, and a busy daemon is not a dead one
     */
    public static Answer ask(MetricsConfig metrics, Duration connect, Duration answer) {
        if (!metrics.enabled()) {
            return new Answer.NotServed();
        }
        String url = url(metrics, "/healthz");
        try {
            HttpResponse<String> r = get(url, connect, answer);
            return r.statusCode() == 200 ? new Answer.Healthy() : new Answer.Unhealthy(r.body().strip());
        } catch (IOException e) {
            return new Answer.Unreachable(url, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer.Unreachable(url, "interrupted");
        }
    }

    /** A link's streams running in the daemon now, and what they have moved so far. */
    public record Running(int streams, long bytes) {}

    /**
     * The transfers zmsnapd is running, by {@code target:NAME} or {@code source:NAME}, from its {@code /metrics};
     * empty when it does not answer (status says so on the daemon's own line).
     */
    public static Map<String, Running> running(MetricsConfig metrics, Duration connect, Duration answer) {
        if (!metrics.enabled()) {
            return Map.of();
        }
        try {
            HttpResponse<String> r = get(url(metrics, "/metrics"), connect, answer);
            return r.statusCode() == 200 ? parseRunning(r.body()) : Map.of();
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    private static final Pattern SAMPLE = Pattern.compile(
            "zmsnap_(replication|source)_transfer_(streams|running_bytes)\\{[^}]*\\b(target|source)=\"([^\"]*)\"[^}]*} ([0-9.eE+-]+)");

    /** The running links in a Prometheus scrape: those with at least one stream. */
    static Map<String, Running> parseRunning(String scrape) {
        Map<String, Integer> streams = new TreeMap<>();
        Map<String, Long> bytes = new TreeMap<>();
        scrape.lines().forEach(line -> {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                String key = m.group(3) + ":" + m.group(4);
                double v = Double.parseDouble(m.group(5));
                if (m.group(2).equals("streams")) {
                    streams.put(key, (int) v);
                } else {
                    bytes.put(key, (long) v);
                }
            }
        });
        Map<String, Running> out = new TreeMap<>();
        streams.forEach((k, n) -> {
            if (n > 0) {
                out.put(k, new Running(n, bytes.getOrDefault(k, 0L)));
            }
        });
        return out;
    }

    private static HttpResponse<String> get(String url, Duration connect, Duration answer) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(connect).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(answer).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String url(MetricsConfig metrics, String path) {
        String host = metrics.listen().getHostString();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
            host = "127.0.0.1"; // a wildcard bind answers on loopback too
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + metrics.listen().getPort() + path;
    }
}
