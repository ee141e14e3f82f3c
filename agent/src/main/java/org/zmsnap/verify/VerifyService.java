package org.zmsnap.verify;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.promote.RunningReceives;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.restore.session.SandboxDatabase;
import org.zmsnap.restore.session.SandboxStartException;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.RestoreException;

/**
 * {@code zmsnap verify} and the daemon's drills: choose the set and open it exactly as a restore does (the
 * source, local or a target's DR copies, is the {@link RestoreService}'s), check it, close it, and record
 * the result on the set's snapshots ({@link SnapshotProperties#VERIFIED}).
 */
public final class VerifyService {
    /** Debug lines with each phase's time (ZMSNAP_LOG_LEVEL=DEBUG): the drill's fixed cost against its checks. */
    private static final Logger LOG = LoggerFactory.getLogger(VerifyService.class);
    /**
     * Incremental checks digest the rows changed since the previous verified set was taken, going by
     * mail_item.change_date (mailboxd's clock, seconds). The margin covers a clock step between that set's tag
     * and mailboxd, at the price of a few more digests.
     */
    static final Duration CHANGE_MARGIN = Duration.ofMinutes(10);

    private final Zfs zfs;
    private final RestoreService restore;
    private final Clock clock;
    private final SetGuard guard;
    private final LowPriority priority;
    private final Consumer<String> notice;

    /**
     * @param guard    whether the chosen set is free to open (not being received, not held by another zmsnap)
     * @param priority the drill's nice/ionice
     * @param notice   what the user or the log should hear while it runs (waiting, a priority not applied)
     */
    public VerifyService(Zfs zfs, RestoreService restore, Clock clock, SetGuard guard, LowPriority priority, Consumer<String> notice) {
        this.zfs = zfs;
        this.restore = restore;
        this.clock = clock;
        this.guard = guard;
        this.priority = priority;
        this.notice = notice;
    }

    /**
     * The verify of {@code restore}'s source on this host: receives seen through /proc with the configured zfs
     * program, the priority of the config's {@code verify} section (or its defaults).
     *
     * @param wait how long to wait for another zmsnap that holds the set open
     */
    public static VerifyService of(AgentContext ctx, RestoreService restore, Clock clock, Duration wait, Consumer<String> notice) {
        SetGuard guard = new SetGuard(ctx.zfs(), restore.source(), restore.config().workdir(),
                new RunningReceives(Path.of("/proc"), ctx.config().zfs().command()), wait, notice);
        return new VerifyService(ctx.zfs(), restore, clock, guard, LowPriority.of(ctx.config().verify()), notice);
    }

    /** What a verify did: the report, and why the result could not be written on the set, if it could not. */
    public record Verified(SnapshotSet set, VerifyReport report, Optional<String> notRecorded) {}

    /**
     * @param full   digest every blob
     * @param sample the share of unchanged items digested in an incremental check
     */
    public Verified verify(String spec, boolean full, double sample) {
        long t0 = System.nanoTime();
        SnapshotSet set = restore.choose(spec);
        guard.check(set);
        VerifyMode mode = full ? VerifyMode.fullCheck() : VerifyMode.incremental(previousVerified(set), sample);
        LOG.debug("verify {}: set chosen and checked free, mode {}: {} ms", set.tag().name(), mode.label(), since(t0));
        VerifyReport report = run(set, mode);
        long t1 = System.nanoTime();
        String value = new VerifiedMark(Instant.now(clock), report.ok(), mode.label()).value();
        Optional<String> notRecorded = Optional.empty();
        try {
            zfs.setProperties(set.members().values().stream().map(s -> s.name()).toList(), Map.of(SnapshotProperties.VERIFIED, value));
        } catch (RuntimeException e) {
            notRecorded = Optional.of(e.getMessage());
        }
        LOG.debug("verify {}: result recorded {} ms; whole verify {} ms", set.tag().name(), since(t1), since(t0));
        return new Verified(set, report, notRecorded);
    }

    private VerifyReport run(SnapshotSet set, VerifyMode mode) {
        long t0 = System.nanoTime();
        // This thread runs the zfs commands and starts the blob readers: lowered first, they inherit its priority.
        priority.lowerThisThread(new LocalCommandRunner()).forEach(notice);
        OpenedSnapshot o;
        try {
            o = restore.open(set, priority.launcher());
            LOG.debug("verify {}: opened (clones {} ms, sandbox start {} ms) {} ms", set.tag().name(), o.timings().cloneMillis(),
                    o.timings().databaseStartMillis(), since(t0));
        } catch (SandboxStartException e) {
            // The clones are gone already (the opener cleans up what it made); the finding is the database.
            return VerifyReport.databaseDown(set.tag().name(), mode, (System.nanoTime() - t0) / 1_000_000, e.getMessage());
        }
        long[] checked = new long[1];
        try (o; Connection c = o.connect()) {
            BlobLocator blobs;
            try {
                blobs = BlobLocator.load(c, o::map);
            } catch (RestoreException e) {
                return VerifyReport.databaseDown(set.tag().name(), mode, (System.nanoTime() - t0) / 1_000_000, e.getMessage());
            }
            VerifyReport r = new SetVerifier(c, blobs, mode, System.nanoTime(), () -> SandboxDatabase.errorTail(o.dir())).verify(set.tag().name());
            LOG.debug("verify {}: checks {} ms ({} items, {} digests)", set.tag().name(), r.millis(), r.items(), r.digestsChecked());
            checked[0] = System.nanoTime();
            if (o.interrupted()) {
                // The hook stopped the sandbox under the checks: what failed then says nothing about the set.
                throw new RestoreException("interrupted; nothing recorded on " + set.tag().name());
            }
            return r;
        } catch (SQLException e) {
            throw new RestoreException("closing the sandbox connection: " + e.getMessage(), e);
        } finally {
            if (checked[0] != 0) {
                LOG.debug("verify {}: closed (sandbox stopped, clones destroyed) {} ms", set.tag().name(), since(checked[0]));
            }
        }
    }

    private static long since(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * When the newest older set of the same chain that verified ok was taken; empty when there is none (then
     * everything counts as new and is digested).
     */
    Optional<Instant> previousVerified(SnapshotSet set) {
        List<SnapshotSet> sets = restore.sets();
        return sets.stream().filter(s -> s.tag().time().isBefore(set.tag().time()))
                .filter(s -> s.property(SnapshotProperties.VERIFIED).map(VerifyService::passed).orElse(false))
                .map(s -> s.tag().time().minus(CHANGE_MARGIN)).findFirst();
    }

    static boolean passed(String verified) {
        return VerifiedMark.parse(verified).map(VerifiedMark::ok).orElse(false);
    }

    /** The marks recorded on {@code sets}, newest set first. */
    public static java.util.List<VerifiedMark> marks(List<SnapshotSet> sets) {
        return sets.stream().flatMap(s -> s.property(SnapshotProperties.VERIFIED).flatMap(VerifiedMark::parse).stream()).toList();
    }
}
