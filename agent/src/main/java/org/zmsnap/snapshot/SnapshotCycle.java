package org.zmsnap.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.Config;
import org.zmsnap.config.OnLockFailure;
import org.zmsnap.config.QuiesceMethod;
import org.zmsnap.coverage.CoverageCheck;
import org.zmsnap.coverage.CoverageReport;
import org.zmsnap.mariadb.DbConnector;
import org.zmsnap.mariadb.LockOutcome;
import org.zmsnap.mariadb.LockSteps;
import org.zmsnap.mariadb.LockedAction;
import org.zmsnap.mariadb.Positions;
import org.zmsnap.mariadb.QuiesceException;
import org.zmsnap.mariadb.Quiesced;
import org.zmsnap.mariadb.Quiescer;
import org.zmsnap.runtime.Version;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotStillRunningException;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsException;
import org.zmsnap.zfs.ZfsWorkGate;

/**
 * One snapshot cycle: host lock → check datasets → remove partial sets → quiesce → one snapshot set →
 * release → record metadata. The only place the database lock and a ZFS snapshot meet (coverage, restore and
 * verify read the database and ZFS too, but take no lock).
 */
public final class SnapshotCycle {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCycle.class);
    /** How long a second cycle waits for the first before giving up. */
    public static final Duration HOST_LOCK_WAIT = Duration.ofSeconds(10);
    /** Bound of the txg sync before the lock; a pool slower than this is not waited for longer. */
    public static final Duration TXG_SYNC_TIMEOUT = Duration.ofSeconds(10);

    private final Config config;
    private final Zfs zfs;
    private final Quiescer quiescer;
    private final Clock clock;
    private final CoverageCheck coverage;

    /** With a coverage check of its own (no cache across cycles); the daemon shares one through {@code AgentContext}. */
    public SnapshotCycle(Config config, Zfs zfs, Quiescer quiescer, Clock clock) {
        this(config, zfs, quiescer, clock, new CoverageCheck(config.datasets(), new DbConnector(config.mariadb(), zfs.runner()),
                zfs.runner(), clock));
    }

    public SnapshotCycle(Config config, Zfs zfs, Quiescer quiescer, Clock clock, CoverageCheck coverage) {
        this.config = config;
        this.zfs = zfs;
        this.quiescer = quiescer;
        this.clock = clock;
        this.coverage = coverage;
    }

    public CycleOutcome run(String policy) {
        try (HostLock ignored = HostLock.acquire(config.lockFile(), "snapshot cycle, policy " + policy, HOST_LOCK_WAIT)) {
            return runLocked(policy);
        } catch (HostLock.HostLockBusyException e) {
            return new CycleOutcome.Failed(policy, e.getMessage(), Optional.empty());
        }
    }

    private CycleOutcome runLocked(String policy) {
        List<DatasetName> datasets = config.datasets();
        List<DatasetName> missing;
        try {
            missing = zfs.missing(datasets);
        } catch (ZfsException e) {
            return new CycleOutcome.Failed(policy, "ZFS does not answer: " + e.getMessage(), Optional.empty());
        }
        if (!missing.isEmpty()) {
            return new CycleOutcome.Failed(policy, "dataset(s) " + missing + " do not exist; check 'datasets' in "
                    + config.source() + " (zfs list shows what exists)", Optional.empty());
        }
        SnapshotCatalog catalog = new SnapshotCatalog(zfs, datasets);
        List<SnapshotSet> existing = catalog.sets();
        SnapshotPlan plan = SnapshotPlan.choose(zfs, datasets);
        removePartialSets(existing, plan);
        SnapshotTag tag = nextTag(policy, existing);
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put(SnapshotProperties.POLICY, policy);
        identity.put(SnapshotProperties.HOST, SnapshotProperties.clean(config.host()));
        identity.put(SnapshotProperties.VERSION, Version.get());
        identity.put(SnapshotProperties.DATASETS, Integer.toString(datasets.size()));
        // Before the lock, on a connection of its own: the lock window stays as short as it was.
        CoverageReport cov = coverage.forCycle();
        // The exact zfs calls, built now: under the lock only the process start is left. Metadata goes on after the
        // release with 'zfs set', except what a non-atomic set needs from its first moment (SnapshotPlan.atCreation).
        List<Zfs.SnapshotCall> calls = plan.calls(zfs, tag, plan.atCreation(identity));
        List<DatasetName> pools = plan.onePerPool();
        // Every call of a plan goes the same way (one Zfs, one rule), so the first says how the set was made.
        Zfs.SnapshotCall.Via via = calls.isEmpty() ? Zfs.SnapshotCall.Via.ZFS_COMMAND : calls.get(0).via();

        long[] snapshotMicros = new long[1];
        Duration snapshotBound = outlivesTheLock(plan);
        Quiesced<Boolean> q;
        ZfsWorkGate.Passage gate;
        // From before the acquire until the release, zmsnap's own zfs work (replication, retention) waits: ZfsWorkGate.
        // The cycle's own zfs calls (the txg sync, the snapshot) pass: the gate lets through the thread that closed it.
        try (ZfsWorkGate.Closed closed = zfs.gate().close("snapshot cycle, policy " + policy)) {
            gate = closed.passage();
            q = quiescer.run(new LockedAction<>() {
                @Override
                public Boolean run(Duration remaining) {
                    long t = System.nanoTime();
                    plan.take(zfs, calls, snapshotBound.compareTo(remaining) > 0 ? snapshotBound : remaining);
                    snapshotMicros[0] = (System.nanoTime() - t) / 1000;
                    return Boolean.TRUE;
                }

                @Override
                public void beforeAcquire() {
                    syncPools(pools);
                }
            });
        } catch (QuiesceException e) {
            return new CycleOutcome.Failed(policy, e.getMessage() + "; no snapshot was taken", Optional.empty());
        }

        LockOutcome lock = q.lock();
        if (lock instanceof LockOutcome.NotAcquired na) {
            if (config.mariadb().onLockFailure() == OnLockFailure.SKIP) {
                return new CycleOutcome.Skipped(policy, na.reason() + "; on-lock-failure is skip, so no snapshot was taken");
            }
            LOG.warn("taking a crash-consistent set because the lock was not acquired: {}", na.reason());
            try {
                long t = System.nanoTime();
                plan.take(zfs, calls, zfs.defaultTimeout());
                snapshotMicros[0] = (System.nanoTime() - t) / 1000;
            } catch (ZfsException e) {
                return failed(policy, plan, tag, e, "zfs snapshot failed: " + e.getMessage());
            }
            return finish(policy, plan, cov, identity, gate, via, new SetReport(tag, datasets, plan.kind(), lock.method(), 0, 0, snapshotMicros[0],
                    false, "lock not acquired: " + na.reason(), Optional.empty(), na.attempts(), LockSteps.NONE));
        }
        if (q.failure().isPresent()) {
            Exception e = q.failure().get();
            return failed(policy, plan, tag, e, "snapshot under the lock failed: " + e.getMessage());
        }
        if (lock instanceof LockOutcome.Held held) {
            String note = "";
            if (!held.heldThroughout()) {
                boolean outlasted = held.steps().flushMicros() + snapshotMicros[0] >= held.holdMicros();
                note = (outlasted ? "the lock ended before the snapshot did" : "the lock ended before the positions were read and it was released")
                        + " (snapshot " + ms(snapshotMicros[0]) + " ms, hold " + ms(held.holdMicros()) + " ms, lock budget "
                        + config.mariadb().lockBudget().toMillis() + " ms), so the set"
                        + " is crash-consistent";
                LOG.warn("set {}: {}", tag, note);
            }
            // Positions read under a lock that ended before the snapshot describe an earlier instant than the set: none.
            Optional<Positions> positions = held.heldThroughout() ? Optional.ofNullable(held.positions()) : Optional.empty();
            return finish(policy, plan, cov, identity, gate, via, new SetReport(tag, datasets, plan.kind(), held.method(), held.acquireMicros(),
                    held.holdMicros(), snapshotMicros[0], held.heldThroughout(), note, positions, held.attempts(), held.steps()));
        }
        return finish(policy, plan, cov, identity, gate, via, new SetReport(tag, datasets, plan.kind(), QuiesceMethod.NONE, 0, 0,
                snapshotMicros[0], false, "quiesce is none: crash-consistent only", Optional.empty(), 0, LockSteps.NONE));
    }

    /**
     * How long the snapshot under the lock may run. Writers are let go at the lock budget whatever it does (the
     * quiescer's watchdog); the question is only whether a snapshot still running then is worth waiting for. An atomic
     * set finished after the lock is one instant of every dataset, as after a power cut: crash-consistent, what
     * {@code on-lock-failure: crash-consistent} asks for when the lock cannot serve, so it is waited for up to
     * {@code zfs.timeout} rather than killed (a kill does not stop the ioctl anyway: the kernel would finish the set
     * after the cycle has given it up). A per-dataset set finished after the lock is not one instant, and with
     * {@code skip} the operator wants no set without the lock: both end at the budget, as a failed cycle. With
     * {@code quiesce: none} there is no lock to outlive: the snapshot has {@code zfs.timeout}, as any zfs call.
     */
    private Duration outlivesTheLock(SnapshotPlan plan) {
        if (config.mariadb().quiesce() == QuiesceMethod.NONE
                || plan.atomic() && config.mariadb().onLockFailure() == OnLockFailure.CRASH_CONSISTENT) {
            return zfs.defaultTimeout();
        }
        return Duration.ZERO;
    }

    private CycleOutcome failed(String policy, SnapshotPlan plan, SnapshotTag tag, Exception e, String reason) {
        List<String> left = plan.undo(zfs, tag);
        if (left.isEmpty() && e instanceof SnapshotStillRunningException) {
            return new CycleOutcome.Failed(policy, reason + "; no snapshot of " + tag + " exists now, but if the kernel still makes"
                    + " the set it stays unmarked (consistent unknown) until retention removes it, or run: zfs destroy NAME",
                    Optional.empty());
        }
        if (left.isEmpty()) {
            return new CycleOutcome.Failed(policy, reason + "; no snapshot of " + tag + " remains", Optional.empty());
        }
        return new CycleOutcome.Failed(policy, reason + "; could not remove " + left
                + " (the next cycle removes partial sets, or run: zfs destroy NAME)", Optional.of(String.join(", ", left)));
    }

    /**
     * Before the lock, a txg sync on each pool, so the snapshot under the lock finds little dirty data to write. Only
     * an optimisation: a failure is logged and the cycle goes on.
     */
    private void syncPools(List<DatasetName> pools) {
        try {
            zfs.waitForTxgSync(pools, TXG_SYNC_TIMEOUT);
        } catch (ZfsException e) {
            LOG.warn("txg sync before the lock failed (the snapshot may take longer): {}", e.getMessage());
        }
    }

    /** Removes the unconfigured parent's snapshot and records the metadata (identity first), CONSISTENT last. */
    private CycleOutcome finish(String policy, SnapshotPlan plan, CoverageReport cov, Map<String, String> identity,
                                ZfsWorkGate.Passage gate, Zfs.SnapshotCall.Via via, SetReport taken) {
        SetReport r = withCoverage(taken, cov).withGate(gate);
        try {
            for (var extra : plan.extras(r.tag())) {
                zfs.destroy(extra);
            }
            Map<String, String> props = new LinkedHashMap<>(identity);
            props.putAll(metadata(r));
            props.put(SnapshotProperties.COVERAGE, cov.mark());
            props.put(SnapshotProperties.CONSISTENT, props.remove(SnapshotProperties.CONSISTENT)); // still last
            zfs.setProperties(plan.members(r.tag()), props);
        } catch (ZfsException e) {
            return new CycleOutcome.Failed(policy, "set " + r.tag() + " was taken on every dataset, but recording its metadata"
                    + " failed: " + e.getMessage() + ". It is listed with consistency 'unknown'.", Optional.of(r.tag().name()));
        }
        LockSteps st = r.steps();
        LOG.info("snapshot {} taken: datasets={} method={} quiesce={} acquire_ms={} hold_ms={} (flush={} snapshot={} via {} positions_wait={}"
                        + " release={}; before the lock: preflush={} txg_sync={}) consistent={}{}",
                r.tag(), r.datasets().size(), r.method(), r.quiesce().configName(), ms(r.acquireMicros()), ms(r.holdMicros()),
                ms(st.flushMicros()), ms(r.snapshotMicros()), via, ms(st.positionsWaitMicros()), ms(st.releaseMicros()),
                ms(st.preflushMicros()), ms(st.beforeAcquireMicros()),
                r.consistent() ? "yes" : "no", r.note().isEmpty() ? "" : " note=\"" + r.note() + "\"");
        return new CycleOutcome.Taken(r);
    }

    /** A set that misses data Zimbra needs cannot restore it: never call it consistent. */
    private static SetReport withCoverage(SetReport r, CoverageReport cov) {
        if (cov.ok()) {
            return r;
        }
        String reason = "coverage: " + String.join("; ", cov.problems());
        return new SetReport(r.tag(), r.datasets(), r.method(), r.quiesce(), r.acquireMicros(), r.holdMicros(), r.snapshotMicros(),
                false, r.note().isEmpty() ? reason : r.note() + "; " + reason, r.positions(), r.attempts(), r.steps(), r.gateWaitMicros(),
                r.gateForced());
    }

    private static Map<String, String> metadata(SetReport r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SnapshotProperties.QUIESCE, r.quiesce().configName());
        m.put(SnapshotProperties.ACQUIRE_MS, ms(r.acquireMicros()));
        m.put(SnapshotProperties.HOLD_MS, ms(r.holdMicros()));
        r.positions().ifPresent(p -> putPositions(m, p));
        if (!r.note().isEmpty()) {
            m.put(SnapshotProperties.NOTE, SnapshotProperties.clean(r.note()));
        }
        m.put(SnapshotProperties.CONSISTENT, r.consistent() ? "yes" : "no");
        return m;
    }

    private static void putPositions(Map<String, String> m, Positions p) {
        p.binlogFile().ifPresent(f -> m.put(SnapshotProperties.BINLOG, f + ":" + p.binlogPosition().orElse(0L)));
        if (!p.gtidBinlogPos().isEmpty()) {
            m.put(SnapshotProperties.GTID, SnapshotProperties.clean(p.gtidBinlogPos()));
        }
        p.innodbLsn().ifPresent(l -> m.put(SnapshotProperties.LSN, Long.toString(l)));
        m.put(SnapshotProperties.SERVER, SnapshotProperties.clean(p.serverVersion() + " id " + p.serverId()));
        m.put(SnapshotProperties.REDO_FLUSHED, "yes");
    }

    static String ms(long micros) {
        return String.format(java.util.Locale.ROOT, "%.1f", micros / 1000.0);
    }

    /**
     * A partial set (fewer snapshots than its cycle recorded it was taking) is left by a crash mid-cycle:
     * zmsnap's, and useless. A set merely missing on a dataset added to the config later is not partial.
     */
    private void removePartialSets(List<SnapshotSet> existing, SnapshotPlan plan) {
        for (SnapshotSet s : existing) {
            if (s.partial()) {
                List<String> left = plan.undo(zfs, s.tag());
                LOG.warn("removed partial set {} ({} of {} datasets){}", s.tag(), s.members().size(), s.intendedSize(),
                        left.isEmpty() ? "" : "; could not remove " + left);
            }
        }
    }

    /** Now, to the second; a second later if a set of that name already exists (two manual runs in one second). */
    private SnapshotTag nextTag(String policy, List<SnapshotSet> existing) {
        Set<String> names = existing.stream().map(s -> s.tag().name()).collect(Collectors.toSet());
        Instant t = clock.instant();
        SnapshotTag tag = new SnapshotTag(policy, t);
        while (names.contains(tag.name())) {
            t = t.plusSeconds(1);
            tag = new SnapshotTag(policy, t);
        }
        return tag;
    }
}
