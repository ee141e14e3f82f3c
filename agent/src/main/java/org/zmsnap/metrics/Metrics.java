package org.zmsnap.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.TransferProgress;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SetReport;
import org.zmsnap.zfs.DatasetName;

/** zmsnap's Prometheus metrics (listed in docs/metrics.md) plus JVM and process metrics. */
public final class Metrics implements AutoCloseable {
    private static final Duration[] LOCK_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> kept = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter destroyed;
    private final Timer acquire;
    private final Timer hold;
    private final Counter gateForced;
    private final Timer gateWaitCycle;
    private final Timer gateWaitWork;

    public Metrics(String host, Duration lockBudget, Map<String, Duration> periods) {
        registry.config().commonTags("host", host);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        destroyed = Counter.builder("zmsnap.retention.destroyed").description("snapshot sets destroyed by retention")
                .register(registry);
        acquire = Timer.builder("zmsnap.lock.acquire").description("time to acquire the database lock")
                .serviceLevelObjectives(LOCK_BUCKETS).register(registry);
        hold = Timer.builder("zmsnap.lock.hold").description("time the database lock was held (writers blocked)")
                .serviceLevelObjectives(LOCK_BUCKETS).register(registry);
        gateForced = Counter.builder("zmsnap.gate.forced")
                .description("snapshot cycles that went ahead while zmsnap's own zfs work was still running after the lock budget")
                .register(registry);
        gateWaitCycle = Timer.builder("zmsnap.gate.wait").tag("side", "cycle")
                .description("time spent at the ZFS work gate: a cycle waiting for zfs work in flight, or work waiting for a cycle")
                .serviceLevelObjectives(LOCK_BUCKETS).register(registry);
        gateWaitWork = Timer.builder("zmsnap.gate.wait").tag("side", "work")
                .description("time spent at the ZFS work gate: a cycle waiting for zfs work in flight, or work waiting for a cycle")
                .serviceLevelObjectives(LOCK_BUCKETS).register(registry);
        Gauge.builder("zmsnap.coverage.ok", coverageOk, v -> v.get() < 0 ? Double.NaN : v.get())
                .description("1 when MariaDB's datadir, InnoDB directories and every Zimbra volume are on configured datasets")
                .register(registry);
        Gauge.builder("zmsnap.lock.budget.seconds", () -> lockBudget.toMillis() / 1000.0)
                .description("configured lock budget").register(registry);
        periods.forEach((policy, period) -> {
            Gauge.builder("zmsnap.policy.period.seconds", () -> period.toSeconds()).tag("policy", policy)
                    .description("the policy's schedule period").register(registry);
            gaugeFor(lastSuccess, "zmsnap.snapshot.last.success.timestamp.seconds", policy,
                    "unix time of the policy's last successful snapshot set");
            gaugeFor(kept, "zmsnap.snapshots.kept", policy, "snapshot sets of the policy on disk after retention");
            for (String result : new String[] {"consistent", "inconsistent", "skipped", "failed"}) {
                counter(policy, result);
            }
        });
    }

    private void gaugeFor(Map<String, AtomicLong> map, String name, String policy, String description) {
        AtomicLong v = map.computeIfAbsent(policy, p -> new AtomicLong());
        Gauge.builder(name, v, AtomicLong::get).tag("policy", policy).description(description).register(registry);
    }

    private Counter counter(String policy, String result) {
        return Counter.builder("zmsnap.snapshot").tag("policy", policy).tag("result", result)
                .description("snapshot cycles by result").register(registry);
    }

    public void cycle(String policy, CycleOutcome outcome) {
        if (outcome instanceof CycleOutcome.Taken t) {
            SetReport r = t.report();
            counter(policy, r.consistent() ? "consistent" : "inconsistent").increment();
            if (r.holdMicros() > 0 || r.acquireMicros() > 0) {
                acquire.record(Duration.ofNanos(r.acquireMicros() * 1000));
                hold.record(Duration.ofNanos(r.holdMicros() * 1000));
            }
            lastSuccessGauge(policy).set(r.tag().time().getEpochSecond());
            gateWaitCycle.record(Duration.ofNanos(r.gateWaitMicros() * 1000));
            if (r.gateForced()) {
                gateForced.increment();
            }
        } else if (outcome instanceof CycleOutcome.Skipped) {
            counter(policy, "skipped").increment();
        } else {
            counter(policy, "failed").increment();
        }
    }

    public void lastSuccess(String policy, long epochSecond) {
        lastSuccessGauge(policy).accumulateAndGet(epochSecond, Math::max);
    }

    private AtomicLong lastSuccessGauge(String policy) {
        if (!lastSuccess.containsKey(policy)) {
            gaugeFor(lastSuccess, "zmsnap.snapshot.last.success.timestamp.seconds", policy,
                    "unix time of the policy's last successful snapshot set");
        }
        return lastSuccess.get(policy);
    }

    public void kept(String policy, long sets) {
        if (!kept.containsKey(policy)) {
            gaugeFor(kept, "zmsnap.snapshots.kept", policy, "snapshot sets of the policy on disk after retention");
        }
        kept.get(policy).set(sets);
    }

    /** Replication, retention or a drill waited for a snapshot cycle at the ZFS work gate. */
    public void gateWork(Duration waited) {
        gateWaitWork.record(waited);
    }

    public void destroyed(int sets) {
        destroyed.increment(sets);
    }

    /** Per-target replication meters, registered when a target is first seen. */
    /**
     * The meters of one kind of DR link: a mailbox host's push targets ({@code zmsnap_replication_*{target}}) and a
     * DR host's sources ({@code zmsnap_source_*{source}}) are measured alike; only names and the label differ.
     */
    private final class Links {
        private final String prefix;
        private final String label;
        private final String runs;
        private final Map<String, java.util.concurrent.atomic.AtomicReference<java.time.Instant>> newest = new ConcurrentHashMap<>();
        private final Map<String, AtomicLong> success = new ConcurrentHashMap<>();
        private final Map<String, Map<DatasetName, Long>> live = new ConcurrentHashMap<>();

        Links(String prefix, String label, String runs) {
            this.prefix = prefix;
            this.label = label;
            this.runs = runs;
        }

        void rpo(String name, Duration rpo) {
            Gauge.builder(prefix + ".rpo.seconds", () -> rpo.toSeconds()).tag(label, name)
                    .description("configured recovery point objective").register(registry);
        }

        void register(String name) {
            newest.computeIfAbsent(name, t -> {
                var ref = new java.util.concurrent.atomic.AtomicReference<java.time.Instant>();
                Gauge.builder(prefix + ".lag.seconds", ref, r -> r.get() == null ? Double.NaN
                                : Duration.between(r.get(), java.time.Instant.now()).toMillis() / 1000.0)
                        .tag(label, t).description("now minus the creation of the newest set the " + label + " link has (the RPO)")
                        .register(registry);
                return ref;
            });
            success.computeIfAbsent(name, t -> {
                AtomicLong v = new AtomicLong();
                Gauge.builder(prefix + ".last.success.timestamp.seconds", v, AtomicLong::get).tag(label, t)
                        .description("unix time of the " + label + "'s last successful replication").register(registry);
                return v;
            });
            for (String result : ReplicationOutcome.RESULTS) {
                Counter.builder(runs).tag(label, name).tag("result", result).description("replication runs by result").register(registry);
            }
            Counter.builder(prefix + ".bytes").tag(label, name).description("bytes replicated").register(registry);
        }

        /**
         * A run's streams as they move: {@code <prefix>_transfer_bytes_total} grows with every chunk (so {@code rate()}
         * shows a seed's live throughput, not only a total when it ends), {@code <prefix>_transfer_streams} counts the
         * streams running now and {@code <prefix>_transfer_running_bytes} what they have moved so far (what
         * {@code zmsnap status} shows).
         */
        TransferProgress progress(String name) {
            Counter moved = Counter.builder(prefix + ".transfer.bytes").tag(label, name)
                    .description("bytes moved by this " + label + "'s streams, counted as they move").register(registry);
            Map<DatasetName, Long> running = live.computeIfAbsent(name, t -> {
                Map<DatasetName, Long> m = new ConcurrentHashMap<>();
                Gauge.builder(prefix + ".transfer.streams", m, Map::size).tag(label, t)
                        .description("streams of this " + label + " running now").register(registry);
                Gauge.builder(prefix + ".transfer.running.bytes", m, x -> x.values().stream().mapToLong(Long::longValue).sum())
                        .tag(label, t).description("bytes the streams running now have moved so far").register(registry);
                return m;
            });
            return new TransferProgress() {
                @Override
                public void started(DatasetName dataset, String step, java.util.OptionalLong expectedBytes) {
                    running.put(dataset, 0L);
                }

                @Override
                public void moved(DatasetName dataset, long bytes) {
                    Long before = running.replace(dataset, bytes);
                    if (before != null && bytes > before) {
                        moved.increment(bytes - before);
                    }
                }

                @Override
                public void finished(DatasetName dataset, long bytes, boolean ok) {
                    Long before = running.remove(dataset);
                    if (before != null) {
                        moved.increment(Math.max(0, bytes - before));
                    }
                }
            };
        }

        void newest(String name, java.time.Instant created) {
            register(name);
            newest.get(name).accumulateAndGet(created, (a, b) -> a == null || b.isAfter(a) ? b : a);
        }

        void run(String name, String result, long bytes, long nanos) {
            register(name);
            Counter.builder(runs).tag(label, name).tag("result", result).register(registry).increment();
            Counter.builder(prefix + ".bytes").tag(label, name).register(registry).increment(bytes);
            Timer.builder(prefix + ".duration").tag(label, name).description("replication run duration")
                    .register(registry).record(Duration.ofNanos(nanos));
            if (result.equals(ReplicationOutcome.REPLICATED) || result.equals(ReplicationOutcome.UP_TO_DATE)) {
                success.get(name).set(java.time.Instant.now().getEpochSecond());
            }
        }
    }

    private final Links targets = new Links("zmsnap.replication", "target", "zmsnap.replication");
    private final Links sources = new Links("zmsnap.source", "source", "zmsnap.source.pull");

    /** The target's configured RPO, for the lag alert. */
    public void rpo(String target, Duration rpo) {
        targets.rpo(target, rpo);
    }

    public void target(String target) {
        targets.register(target);
        targets.progress(target);
    }

    /** What a push to {@code target} tells as its streams move. */
    public TransferProgress targetProgress(String target) {
        return targets.progress(target);
    }

    /** What a pull from {@code source} tells as its streams move. */
    public TransferProgress sourceProgress(String source) {
        return sources.progress(source);
    }

    public void newestCommon(String target, java.time.Instant created) {
        targets.newest(target, created);
    }

    /** @param result one of {@link ReplicationOutcome#RESULTS} */
    public void replication(String target, String result, long bytes, long nanos) {
        targets.run(target, result, bytes, nanos);
    }

    private final Map<String, AtomicLong> promoted = new ConcurrentHashMap<>();

    /** A DR host's source, with its RPO: lag, last success, pulls and bytes are labelled {@code source}. */
    public void source(String source, Duration rpo) {
        sources.register(source);
        sources.progress(source);
        sources.rpo(source, rpo);
        promotedGauge(source);
    }

    private AtomicLong promotedGauge(String source) {
        return promoted.computeIfAbsent(source, s -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("zmsnap.source.promoted.timestamp.seconds", v, AtomicLong::get).tag("source", s)
                    .description("unix time the source's copies were promoted here (zmsnap promote); 0 while they are not")
                    .register(registry);
            return v;
        });
    }

    /** When the source's copies were promoted ({@code org.zmsnap:promoted}), or empty while they are not. */
    public void sourcePromoted(String source, java.util.Optional<java.time.Instant> at) {
        // A mark whose time cannot be read still means promoted: 1 (1970-01-01T00:00:01Z) rather than 0.
        promotedGauge(source).set(at.map(t -> Math.max(1, t.getEpochSecond())).orElse(0L));
    }

    /** The newest set received whole from {@code source}. */
    public void sourceNewest(String source, java.time.Instant created) {
        sources.newest(source, created);
    }

    public void pull(String source, String result, long bytes, long nanos) {
        sources.run(source, result, bytes, nanos);
    }

    private final AtomicLong coverageOk = new AtomicLong(-1);

    /** The newest coverage verdict: 1 every data path on a configured dataset, 0 not, -1 not checked yet. */
    public void coverage(boolean ok) {
        coverageOk.set(ok ? 1 : 0);
    }

    /** Restore-drill meters, registered when drills are configured (every problem kind at 0 from the start). */
    private final AtomicLong verifySuccess = new AtomicLong();
    private final Map<String, AtomicLong> verifyProblems = new ConcurrentHashMap<>();

    public void verifyDrills(java.util.List<String> problemKinds) {
        Gauge.builder("zmsnap.verify.last.success.timestamp.seconds", verifySuccess, AtomicLong::get)
                .description("unix time of the last restore drill that found no problem").register(registry);
        for (String kind : problemKinds) {
            AtomicLong v = verifyProblems.computeIfAbsent(kind, k -> new AtomicLong());
            Gauge.builder("zmsnap.verify.problems", v, AtomicLong::get).tag("kind", kind)
                    .description("problems the last restore drill found, by kind").register(registry);
        }
        Counter.builder("zmsnap.verify.items.checked").description("items the restore drills checked").register(registry);
        for (String result : new String[] {"ok", "problems", "failed", "skipped"}) {
            Counter.builder("zmsnap.verify.runs").tag("result", result).description("restore drills by result").register(registry);
        }
    }

    /**
     * One drill's result: {@code result} ok (no problem), problems (the set is damaged), skipped (a source's copies
     * were being received or held open, the others had no problem) or failed (the drill itself could not run);
     * {@code problems} counts by kind, replacing the previous drill's.
     */
    public void verify(String result, long items, Map<String, Long> problems, long nanos, long finishedEpochSecond) {
        Counter.builder("zmsnap.verify.runs").tag("result", result).register(registry).increment();
        Counter.builder("zmsnap.verify.items.checked").register(registry).increment(items);
        Timer.builder("zmsnap.verify.duration").description("restore drill duration").register(registry)
                .record(Duration.ofNanos(nanos));
        if (!result.equals("failed")) {
            verifyProblems.forEach((kind, v) -> v.set(problems.getOrDefault(kind, 0L)));
        }
        if (result.equals("ok")) {
            verifySuccess.set(finishedEpochSecond);
        }
    }

    public void lastVerifySuccess(long epochSecond) {
        verifySuccess.accumulateAndGet(epochSecond, Math::max);
    }

    /** Registers a 0/1 gauge of the daemon's health, for alerting on the same judgement as /healthz. */
    public void health(Health health) {
        Gauge.builder("zmsnap.healthy", health, h -> h.status().ok() ? 1 : 0)
                .description("1 while every policy succeeded within twice its period").register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
