package org.zmsnap.config;

import java.net.InetSocketAddress;

/** Where zmsnapd serves /metrics and /healthz. {@code enabled: false} serves nothing. */
public record MetricsConfig(boolean enabled, InetSocketAddress listen) {
    public static MetricsConfig defaults() {
        return new MetricsConfig(true, new InetSocketAddress("127.0.0.1", 9477));
    }
}
