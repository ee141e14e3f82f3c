package org.zmsnap.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.config.PolicyConfig;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.drhost.SourceJobs;
import org.zmsnap.metrics.Health;
import org.zmsnap.replication.LastRun;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.ReplicationRunner;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.status.StatusItem.Level;
import org.zmsnap.verify.DrillStatus;

/**
 * How each part of {@code zmsnap status} is judged, from facts read elsewhere. Pure. The thresholds are the ones
 * the daemon and the alerts use: a policy is overdue after {@link Health#overdue}, a copy when its lag passes
 * the configured {@code rpo}, a drill by {@link DrillStatus}'s own state. A backup that may not restore is
 * {@code bad}, never {@code ok}.
 */
public final class StatusRules {
    private StatusRules() {}

    public static StatusItem daemon(DaemonProbe.Answer answer) {
        Map<String, Object> f = new LinkedHashMap<>();
        if (answer instanceof DaemonProbe.Answer.Healthy) {
            f.put("health", "healthy");
            return new StatusItem("daemon", "zmsnapd", Level.OK, "healthy", "", f);
        }
        if (answer instanceof DaemonProbe.Answer.Unhealthy u) {
            f.put("health", "unhealthy");
            f.put("reasons", u.reasons());
            return new StatusItem("daemon", "zmsnapd", Level.BAD, "unhealthy", u.reasons().replace('\n', ';'), f);
        }
        if (answer instanceof DaemonProbe.Answer.Unreachable u) {
            f.put("health", "unreachable");
            f.put("url", u.url());
            return new StatusItem("daemon", "zmsnapd", Level.BAD, "not answering",
                    "nothing answered on " + u.url() + " (" + u.why() + "): is zmsnapd running? systemctl status zmsnapd", f);
        }
        f.put("health", "unknown");
        return new StatusItem("daemon", "zmsnapd", Level.WARN, "health unknown",
                "metrics are disabled in the config, so zmsnapd cannot be asked: systemctl status zmsnapd", f);
    }

    /** @param sets this host's sets, any order; only the policy's complete ones count */
    public static StatusItem policy(PolicyConfig policy, Duration period, List<SnapshotSet> sets, Instant now) {
        List<SnapshotSet> mine = sets.stream().filter(s -> s.tag().policy().equals(policy.name()) && s.complete())
                .sorted(Comparator.comparing((SnapshotSet s) -> s.tag().time()).reversed()).toList();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("policy", policy.name());
        f.put("period_seconds", period.toSeconds());
        f.put("sets", mine.size());
        if (mine.isEmpty()) {
            f.put("newest", null);
            return new StatusItem("policy", policy.name(), Level.BAD, "no set yet",
                    "no complete set of this policy exists: zmsnapd takes one at start; journalctl -u zmsnapd says why not", f);
        }
        SnapshotSet newest = mine.stream().filter(x -> !beingMarked(x, now)).findFirst().orElse(mine.get(0));
        Duration age = Duration.between(newest.tag().time(), now);
        String consistent = newest.consistency();
        Optional<String> hold = newest.property(SnapshotProperties.HOLD_MS);
        String coverage = newest.property(SnapshotProperties.COVERAGE).orElse("unknown");
        f.put("newest", newest.tag().name());
        f.put("age_seconds", age.toSeconds());
        f.put("consistent", consistent);
        f.put("coverage", coverage);
        f.put("hold_ms", hold.orElse(null));
        String summary = newest.tag().name() + ", " + Ages.of(age) + " old, consistent " + consistent
                + hold.map(h -> ", lock held " + h + " ms").orElse("");
        if (Health.overdue(age, period)) {
            return new StatusItem("policy", policy.name(), Level.BAD, summary, "overdue: the newest set is " + Ages.of(age)
                    + " old and the policy runs every " + Ages.of(period) + "; journalctl -u zmsnapd says why", f);
        }
        if (coverage.equals("no")) {
            return new StatusItem("policy", policy.name(), Level.BAD, summary, "the newest set does not hold every path Zimbra"
                    + " needs (coverage=no), so it cannot restore it: zmsnap check names the path", f);
        }
        if (coverage.equals("unknown") && newest.property(SnapshotProperties.COVERAGE).isPresent()) {
            // Marked unknown by the cycle (not merely unmarked, as sets from before the coverage check are): the paths
            // could not be read, so nobody knows whether it restores Zimbra.
            return new StatusItem("policy", policy.name(), Level.BAD, summary, "the newest set was taken while its data paths"
                    + " could not be checked (coverage=unknown), so it may not restore Zimbra: zmsnap check says why", f);
        }
        if (!consistent.equals("yes")) {
            return new StatusItem("policy", policy.name(), Level.WARN, summary, "the newest set is only crash-consistent"
                    + newest.property(SnapshotProperties.NOTE).map(n -> " (" + n + ")").orElse("")
                    + ": InnoDB recovers it on restore; zmsnap snapshots --json shows the sets' marks", f);
        }
        return new StatusItem("policy", policy.name(), Level.OK, summary, "", f);
    }

    /** @param running the daemon's streams to this target now, if any */
    /**
     * A set zmsnapd took a moment ago whose marks it has not yet written: they are set right after the lock is
     * released (SnapshotCycle), so for an instant the set says nothing about its consistency. It is judged by the
     * set before it instead of being called crash-consistent; an unmarked set older than this is what it says.
     */
    private static boolean beingMarked(SnapshotSet s, Instant now) {
        return s.property(SnapshotProperties.CONSISTENT).isEmpty()
                && Duration.between(s.tag().time(), now).compareTo(MARK_GRACE) < 0;
    }

    private static final Duration MARK_GRACE = Duration.ofMinutes(1);

    public static StatusItem target(TargetConfig t, ReplicationRunner.Status st, Optional<LastRun> last,
                                    Optional<DaemonProbe.Running> running, Instant now) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("target", t.name());
        f.put("host", t.host());
        f.put("newest_common", st.newestCommon().orElse(null));
        Optional<Duration> lag = st.lag(now);
        f.put("lag_seconds", lag.map(Duration::toSeconds).orElse(null));
        f.put("rpo_seconds", t.rpo().toSeconds());
        f.put("last_result", last.map(LastRun::result).orElse(null));
        f.put("last_run", last.map(l -> l.time().toString()).orElse(null));
        f.put("last_bytes", last.map(LastRun::bytes).orElse(null));
        f.put("sending_streams", running.map(DaemonProbe.Running::streams).orElse(0));
        f.put("sending_bytes", running.map(DaemonProbe.Running::bytes).orElse(0L));
        String summary = st.newestCommon().map(c -> "in common " + c + lag.map(l -> ", lag " + Ages.of(l)).orElse(""))
                .orElse("no set in common") + last.map(l -> ", last run " + l.result()).orElse("") + sending(running);
        if (st.error().isPresent()) {
            return new StatusItem("target", t.name(), Level.BAD, summary, "cannot read the target: " + st.error().get(), f);
        }
        return copy("target", t.name(), summary, lag, t.rpo(), last, "zmsnap replicate --target " + t.name(), f);
    }

    /** ", sending now: 2 streams, 1.2 GiB so far" while the daemon runs the link's transfer. */
    private static String sending(Optional<DaemonProbe.Running> running) {
        return running.map(r -> ", sending now: " + r.streams() + (r.streams() == 1 ? " stream, " : " streams, ")
                + org.zmsnap.config.Sizes.format(r.bytes()) + " so far").orElse("");
    }

    /** @param running the daemon's pull from this source now, if any */
    public static StatusItem source(SourceConfig s, SourceJobs.Status st, Optional<DaemonProbe.Running> running, Instant now) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("source", s.name());
        f.put("mode", s.pull().isPresent() ? "pull" : "push");
        f.put("newest", st.newest().map(n -> n.tag().name()).orElse(null));
        Optional<Duration> lag = st.lag(now);
        f.put("lag_seconds", lag.map(Duration::toSeconds).orElse(null));
        f.put("rpo_seconds", s.rpo().toSeconds());
        f.put("sets", st.sets());
        f.put("last_result", st.lastPull().map(LastRun::result).orElse(null));
        f.put("promoted", st.promoted().orElse(null));
        f.put("receiving_streams", running.map(DaemonProbe.Running::streams).orElse(0));
        f.put("receiving_bytes", running.map(DaemonProbe.Running::bytes).orElse(0L));
        String summary = st.newest().map(n -> "newest " + n.tag().name() + lag.map(l -> ", lag " + Ages.of(l)).orElse(""))
                .orElse("nothing received") + st.lastPull().map(l -> ", last pull " + l.result()).orElse("")
                + running.map(r -> ", pulling now: " + r.streams() + (r.streams() == 1 ? " stream, " : " streams, ")
                        + org.zmsnap.config.Sizes.format(r.bytes()) + " so far").orElse("");
        if (st.error().isPresent()) {
            return new StatusItem("source", s.name(), Level.BAD, summary, st.error().get(), f);
        }
        if (st.promoted().isPresent()) {
            // Expected after a failover: the copy is the live mailbox now, and no longer receives.
            return new StatusItem("source", s.name(), Level.WARN, summary, "promoted (" + st.promoted().get()
                    + "): pulls and DR retention for it are stopped; docs/failover.md has the failback", f);
        }
        String next = s.pull().isPresent() ? "zmsnap pull --source " + s.name() : "zmsnap replicate on the mailbox host";
        return copy("source", s.name(), summary, lag, s.rpo(), st.lastPull(), next, f);
    }

    /** The rule a target and a source share: something in common, within the RPO, and the last run not failed. */
    private static StatusItem copy(String section, String name, String summary, Optional<Duration> lag, Duration rpo,
                                   Optional<LastRun> last, String next, Map<String, Object> f) {
        if (lag.isEmpty()) {
            return new StatusItem(section, name, Level.BAD, summary, "no set has arrived on the DR side yet: " + next, f);
        }
        if (lag.get().compareTo(rpo) > 0) {
            return new StatusItem(section, name, Level.BAD, summary, "behind: the newest set in common is " + Ages.of(lag.get())
                    + " old, more than the rpo of " + Ages.of(rpo) + last.flatMap(LastRun::reason).map(r -> "; last run: " + r).orElse("")
                    + ": " + next, f);
        }
        if (last.isPresent() && (last.get().result().equals(ReplicationOutcome.FAILED) || last.get().result().equals(ReplicationOutcome.REFUSED))) {
            return new StatusItem(section, name, Level.WARN, summary, "the last run " + last.get().result()
                    + last.get().reason().map(r -> ": " + r).orElse("") + " (still within the rpo)", f);
        }
        return new StatusItem(section, name, Level.OK, summary, "", f);
    }

    public static StatusItem drill(DrillStatus d, Instant now) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("subject", d.subject());
        f.put("state", d.state().label());
        f.put("last_drill_set", d.last().map(DrillStatus.Drill::set).orElse(null));
        f.put("last_drill", d.last().map(x -> x.mark().time().toString()).orElse(null));
        f.put("last_ok_set", d.lastOk().map(DrillStatus.Drill::set).orElse(null));
        String summary = d.last().map(x -> d.state().label() + ": " + x.set() + ", " + Ages.of(Duration.between(x.mark().time(), now))
                + " ago, " + x.mark().mode()).orElse(d.state().label());
        if (d.ok()) {
            return new StatusItem("drill", d.subject(), Level.OK, summary, "", f);
        }
        String why = switch (d.state()) {
            case FAILED -> "the newest drill found problems: zmsnap verify --snapshot " + d.last().map(DrillStatus.Drill::set).orElse("latest")
                    + " lists them";
            case STALE -> "no drill recently: is the verify schedule set (docs/verify.md)? journalctl -u zmsnapd says why";
            default -> (d.detail().isEmpty() ? "never drilled" : d.detail()) + ": zmsnap verify --snapshot latest";
        };
        return new StatusItem("drill", d.subject(), Level.BAD, summary, why, f);
    }

    /** The exit status's judgement: the worst line. */
    public static Level overall(List<StatusItem> items) {
        return items.stream().map(StatusItem::level).reduce(Level.OK, Level::worst);
    }
}
