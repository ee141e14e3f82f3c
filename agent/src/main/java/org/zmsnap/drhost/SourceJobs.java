package org.zmsnap.drhost;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.Config;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.replication.LastRun;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.Replicator;
import org.zmsnap.replication.SourceEndpoint;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.retention.Pruner;
import org.zmsnap.snapshot.HostLock;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsException;

/**
 * Pull, prune and status for one DR host's sources. Each job takes the source's link lock, so a pull, a prune
 * and a promotion of the same source never overlap; pulls of different sources may.
 */
public final class SourceJobs {
    private static final Logger LOG = LoggerFactory.getLogger(SourceJobs.class);
    /** On every copy of a promoted source: when, which set, on which host. Written by promote. */
    public static final String PROMOTED = org.zmsnap.promote.PromotedMark.PROPERTY;
    /** On the source's root here: the last pull's result, as {@link LastRun} writes it. */
    public static final String LAST_PULL = "org.zmsnap:source.last";
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    private final Config config;
    private final Zfs zfs;

    /**
     * @param zfs this host's ZFS (the context's): prunes and listings run through it, and its gate — the daemon's, which
     *            a snapshot cycle here closes around its lock window — is the one a pull's receives pass too
     */
    public SourceJobs(Config config, Zfs zfs) {
        this.config = config;
        this.zfs = zfs;
    }

    /** Thrown for a job that must not run now (promoted source, no pull configured): nothing was changed. */
    public static final class SourceStateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SourceStateException(String message) {
            super(message);
        }
    }

    /**
     * Fetches what the source's keep wants from the mailbox host, through {@code zmsnap serve --send-only} there:
     * the same Replicator as a push, with the endpoints swapped (source over SSH, target this host). The DR-side
     * retention of the run is this host's own. This host may take snapshot sets of its own (a promoted DR host does):
     * the receiving side is gated like a {@code host: local} push target, so no receive starts under its lock.
     */
    public ReplicationOutcome pull(SourceConfig s) {
        return pull(s, org.zmsnap.replication.TransferProgress.NONE);
    }

    /** The same pull, telling {@code progress} how its streams move. */
    public ReplicationOutcome pull(SourceConfig s, org.zmsnap.replication.TransferProgress progress) {
        SourceConfig.Pull p = s.pull().orElseThrow(() -> new SourceStateException("source " + s.name()
                + " has no 'pull' section: its mailbox host pushes through 'zmsnap serve' (nothing to pull)"));
        ReplicationOutcome outcome;
        try (HostLock ignored = HostLock.acquire(config.linkLock("source", s.name()), "pull from " + s.name(), LOCK_WAIT)) {
            refuseIfPromoted(s);
            try (SourceEndpoint mailboxHost = SourceEndpoint.over(SshRunner.connect(p.host(), p.port(), p.user(), p.identity(),
                    p.knownHosts(), p.commandTimeout()), p.zfs(), p.commandTimeout());
                 TargetEndpoint here = TargetEndpoint.open(localSide(s), zfs.gate())) {
                outcome = new Replicator(mailboxHost, new SnapshotCatalog(mailboxHost.zfs(), s.datasets()), s.datasets())
                        .withProgress(progress).replicate(localSide(s), here, false);
            }
        } catch (SourceStateException e) {
            throw e;
        } catch (RuntimeException e) {
            outcome = new ReplicationOutcome.Failed(s.name(), e.getMessage(), 0, List.of());
        }
        record(s, outcome);
        return outcome;
    }

    /** DR-side retention for one source: the one rule, never the newest set received whole, never a held set. */
    public Pruner.Result prune(SourceConfig s, boolean dryRun) {
        try (HostLock ignored = HostLock.acquire(config.linkLock("source", s.name()), "prune of " + s.name(), LOCK_WAIT)) {
            refuseIfPromoted(s);
            List<DatasetName> present = present(s);
            return new Pruner(zfs, new SnapshotCatalog(zfs, present, List.of()), s.keep()).pruneCopies(dryRun, s.name());
        }
    }

    /**
     * What {@code zmsnap sources} shows for one source.
     *
     * @param newest   the newest set received on every copy (never promote's {@code zmsnap_prepromote_*})
     * @param sets     how many sets are kept here
     * @param promoted the promotion record, when the copies were promoted
     */
    public record Status(SourceConfig source, Optional<SnapshotSet> newest, int sets, Optional<LastRun> lastPull,
                         Optional<String> promoted, Optional<String> error) {
        public Optional<Duration> lag(Instant now) {
            return newest.map(n -> Duration.between(n.tag().time(), now));
        }
    }

    public Status status(SourceConfig s) {
        try {
            List<DatasetName> present = present(s);
            if (present.isEmpty()) {
                return new Status(s, Optional.empty(), 0, Optional.empty(), Optional.empty(), Optional.empty());
            }
            List<SnapshotSet> sets = new SnapshotCatalog(zfs, s.copies(), List.of()).sets();
            // The newest set *received* whole: promote's own snapshot of the copies' state is newer, but it came from no
            // mailbox host, and the lag and the newest set are about what the source sent.
            Optional<SnapshotSet> newest = sets.stream().filter(x -> x.missing().isEmpty())
                    .filter(x -> !x.tag().policy().equals(org.zmsnap.promote.PromotionPlan.PREPROMOTE_POLICY)).findFirst();
            return new Status(s, newest, sets.size(), lastPull(s), promoted(s, present), Optional.empty());
        } catch (RuntimeException e) {
            return new Status(s, Optional.empty(), 0, Optional.empty(), Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    public Optional<LastRun> lastPull(SourceConfig s) {
        try {
            return zfs.getProperty(s.root(), LAST_PULL).flatMap(LastRun::parse);
        } catch (ZfsException e) {
            return Optional.empty();
        }
    }

    /**
     * The receiving side of a pull, in the shape the Replicator takes: this host, the source's root and keep. Its
     * name becomes the hold tag on the mailbox host ({@code zmsnap:<this host>}), so the mailbox host's
     * retention keeps what this host still needs.
     */
    ZfsTarget localSide(SourceConfig s) {
        SourceConfig.Pull p = s.pull().orElseThrow();
        return new ZfsTarget(holdName(config.host()), "local", 22, "root", Optional.empty(), Optional.empty(), s.root(),
                List.of(), p.schedule(), s.keep(), p.bandwidth(), p.stallTimeout(), p.commandTimeout(), false,
                config.zfs().command(), s.rpo(), true, p.minRate(), p.maxDuration(), ZfsTarget.DEFAULT_PARALLEL_STREAMS);
    }

    /**
     * The hold tag's name for this host: what {@code serve --send-only} accepts ({@code zmsnap:[a-z][a-z0-9-]*},
     * at most 63 characters). A name that had to change gets a short hash of the original, so two DR hosts whose
     * names differ only in case or punctuation ({@code dr1.example.com}, {@code dr1-example.com}) never share a
     * tag and release each other's hold: {@code dr1-example-com-3f2a9c}.
     */
    static String holdName(String host) {
        if (host.matches("[a-z][a-z0-9-]{0,62}")) {
            return host;
        }
        String h = host.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        if (h.isEmpty() || !Character.isLetter(h.charAt(0))) {
            h = "dr-" + h;
        }
        String hash;
        try {
            hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(host.getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return (h.length() > 55 ? h.substring(0, 55) : h) + "-" + hash;
    }

    private List<DatasetName> present(SourceConfig s) {
        return zfs.present(s.copies());
    }

    private Optional<String> promoted(SourceConfig s, List<DatasetName> present) {
        for (DatasetName c : present) {
            Optional<String> v = zfs.getProperty(c, PROMOTED);
            if (v.isPresent() && !v.get().equals("-")) {
                return v;
            }
        }
        return Optional.empty();
    }

    private void refuseIfPromoted(SourceConfig s) {
        promoted(s, present(s)).ifPresent(v -> {
            throw new SourceStateException("source " + s.name() + " was promoted (" + v + "): its copies under " + s.root()
                    + " are now a running mailbox host, so pulls and DR retention for it are stopped. See docs/failover.md.");
        });
    }

    private void record(SourceConfig s, ReplicationOutcome o) {
        try {
            if (zfs.missing(List.of(s.root())).isEmpty()) {
                zfs.set(s.root(), LAST_PULL, LastRun.of(o, Instant.now()).format());
            }
        } catch (ZfsException e) {
            LOG.warn("could not record the pull result for {}: {}", s.name(), e.getMessage());
        }
    }
}
