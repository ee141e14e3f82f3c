package org.zmsnap.status;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.zmsnap.config.MetricsConfig;

/**
 * Asks the running zmsnapd how it is, through the {@code /healthz} it serves: the daemon's own judgement (every
 * policy on time, coverage) rather than a second one rebuilt from outside.
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

    public static Answer ask(MetricsConfig metrics, Duration timeout) {
        if (!metrics.enabled()) {
            return new Answer.NotServed();
        }
        String host = metrics.listen().getHostString();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
            host = "127.0.0.1"; // a wildcard bind answers on loopback too
        }
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + metrics.listen().getPort() + "/healthz";
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new Answer.Healthy() : new Answer.Unhealthy(r.body().strip());
        } catch (IOException e) {
            return new Answer.Unreachable(url, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer.Unreachable(url, "interrupted");
        }
    }
}
