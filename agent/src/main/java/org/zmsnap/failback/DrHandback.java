package org.zmsnap.failback;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.config.Config;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.promote.CopyState;
import org.zmsnap.promote.PromotedMark;
import org.zmsnap.snapshot.HostLock;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zfs.Zfs;

/**
 * The DR host's part of a failback, each an explicit command of its admin: {@link #grant} the old host's key the right
 * to read its copies back for a while, {@link #handback} the service (final set with the service stopped, the copies
 * read-only replicas again), {@link #revoke} the grant. The DR host's standing rights never grow: only the grant opens
 * anything, and it expires.
 */
public final class DrHandback {
    /** Policy of the final set taken with the service stopped on the DR host. */
    public static final String HANDBACK_POLICY = "handback";
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    private final Config config;
    private final Zfs zfs;
    private final StepInterruption interruption = StepInterruption.fromSystemProperty();

    public DrHandback(Config config, Zfs zfs) {
        this.config = config;
        this.zfs = zfs;
    }

    /** Refused: nothing was changed. {@code usage}: exit 2, else 1. */
    public static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean usage;

        Refusal(String message, boolean usage) {
            super(message);
            this.usage = usage;
        }

        public boolean usage() {
            return usage;
        }
    }

    /** Sets the grant on the source's root; only for a source promoted here (or handed back, to finish). */
    public FailbackGrant grant(SourceConfig s, Duration duration) {
        if (duration.isNegative() || duration.isZero() || duration.compareTo(FailbackGrant.MAX) > 0) {
            throw new Refusal("a grant lasts more than 0 and at most " + FailbackGrant.MAX.toHours() + " hours, not "
                    + duration.toHours(), true);
        }
        try (HostLock ignored = HostLock.acquire(config.linkLock("source", s.name()), "failback grant for " + s.name(), LOCK_WAIT)) {
            State st = state(s);
            if (st.promoted().isEmpty() && st.handback().isEmpty()) {
                throw new Refusal("source " + s.name() + " is not promoted on this host: there is nothing to fail back", true);
            }
            FailbackGrant g = new FailbackGrant(Instant.now().plus(duration), config.host());
            zfs.set(s.root(), FailbackGrant.PROPERTY, g.value());
            return g;
        }
    }

    /**
     * Removes the grant and the failback's holds on the copies (the newest set sent back, and the promoted set promote
     * kept as the failback's base): the key is append-only again and DR retention may prune those sets.
     */
    public int revoke(SourceConfig s) {
        try (HostLock ignored = HostLock.acquire(config.linkLock("source", s.name()), "failback revoke for " + s.name(), LOCK_WAIT)) {
            if (zfs.missing(List.of(s.root())).isEmpty()) {
                zfs.inherit(s.root(), FailbackGrant.PROPERTY);
            }
            int released = 0;
            List<String> tags = List.of("zmsnap:" + FailbackService.HOLD_NAME, org.zmsnap.promote.PromotionPlan.FAILBACK_BASE_TAG);
            for (DatasetName c : present(s)) {
                for (SnapshotInfo i : zfs.snapshots(c, List.of())) {
                    for (String tag : tags) {
                        if (i.held() && zfs.release(tag, i.name())) {
                            released++;
                        }
                    }
                }
            }
            return released;
        }
    }

    /** @param finalSet the set the old host goes live on; {@code already}: an earlier run had handed back */
    public record Handback(String finalSet, boolean already, List<String> steps) {}

    /**
     * Hands the service back: refuses while anything uses the live datasets (Zimbra must be stopped: the write pause
     * starts here), takes the final set, marks it, and makes the copies read-only, unmounted replicas again. Safe to
     * run again after an interruption.
     */
    public Handback handback(SourceConfig s) {
        try (HostLock ignored = HostLock.acquire(config.linkLock("source", s.name()), "failback handback of " + s.name(), LOCK_WAIT)) {
            State st = state(s);
            if (st.promoted().isEmpty()) {
                if (st.handback().isPresent()) {
                    return new Handback(st.handback().get().set(), true, List.of());
                }
                throw new Refusal("source " + s.name() + " is not promoted on this host: there is nothing to hand back", true);
            }
            List<DatasetName> copies = s.copies();
            List<DatasetName> clones = zfs.present(copies.stream().map(CopyState::cloneOf).toList());
            if (!clones.isEmpty()) {
                throw new Refusal("source " + s.name() + " was promoted as clones (" + clones.get(0) + "): handback supports a copy"
                        + " promoted in place. See docs/failover.md", true);
            }
            Map<DatasetName, Path> mounted = new LinkedHashMap<>();
            for (DatasetName c : copies) {
                Map<String, String> p = zfs.properties(c, List.of("mounted", "mountpoint"));
                if ("yes".equals(p.get("mounted")) && p.getOrDefault("mountpoint", "").startsWith("/")) {
                    mounted.put(c, Path.of(p.get("mountpoint")));
                }
            }
            List<String> users = new PathUsers().of(mounted.values());
            if (!users.isEmpty()) {
                throw new Refusal("the promoted datasets are in use by " + String.join(", ", users) + ": stop Zimbra here first"
                        + " (zmcontrol stop); the handback's final set must hold everything this host accepted", false);
            }
            List<String> steps = new ArrayList<>();
            List<DatasetName> deepestFirst = copies.stream().sorted(Comparator.comparing(DatasetName::value).reversed()).toList();
            // Fenced before the final set, not after: a mounted copy takes writes nobody means (atime=on turns every
            // read into one), and a block born after the final set makes the old host's next push into this copy
            // fail as "modified since the most recent snapshot".
            for (DatasetName c : deepestFirst) {
                zfs.unmount(c);
                zfs.set(c, "readonly", "on");
                interruption.after("handback-fence");
            }
            String finalSet = finalSet(copies, steps);
            HandbackMark mark = new HandbackMark(Instant.now(), finalSet, config.host());
            for (DatasetName c : deepestFirst) {
                zfs.set(c, HandbackMark.PROPERTY, mark.value());
                zfs.inherit(c, "mountpoint");
                zfs.inherit(c, PromotedMark.PROPERTY);
                interruption.after("handback-copy");
            }
            steps.add("copies read-only and unmounted before the final set, marked " + HandbackMark.PROPERTY + "=" + mark.value());
            return new Handback(finalSet, false, steps);
        }
    }

    /** The final set: taken now, or the one an interrupted handback took (the newest, of the handback policy, everywhere). */
    private String finalSet(List<DatasetName> copies, List<String> steps) {
        Optional<String> existing = Optional.empty();
        for (DatasetName c : copies) {
            List<SnapshotInfo> snaps = zfs.snapshots(c, List.of());
            Optional<String> newest = snaps.isEmpty() ? Optional.empty() : Optional.of(snaps.get(snaps.size() - 1).name().snapshot())
                    .filter(n -> SnapshotTag.parse(n).map(t -> t.policy().equals(HANDBACK_POLICY)).orElse(false));
            if (newest.isEmpty() || (existing.isPresent() && !existing.equals(newest))) {
                existing = Optional.empty();
                break;
            }
            existing = newest;
        }
        if (existing.isPresent()) {
            return existing.get();
        }
        String name = new SnapshotTag(HANDBACK_POLICY, Instant.now()).name();
        List<SnapshotName> names = copies.stream().map(c -> c.at(name)).toList();
        // The service is stopped (checked): nothing writes between the per-dataset calls where ZFS has no atomic one.
        if (zfs.features().multiSnapshot()) {
            zfs.snapshot(names, false, Map.of(), zfs.defaultTimeout());
        } else {
            names.forEach(n -> zfs.snapshot(List.of(n), false, Map.of(), zfs.defaultTimeout()));
        }
        interruption.after("handback-snapshot");
        steps.add("final set @" + name + " taken with the service stopped");
        return name;
    }

    private record State(Optional<String> promoted, Optional<HandbackMark> handback) {}

    private State state(SourceConfig s) {
        List<DatasetName> present = present(s);
        if (present.isEmpty()) {
            throw new Refusal("source " + s.name() + " has no copies under " + s.root() + " on this host", true);
        }
        // Promoted while any copy still carries the mark: a handback cut between two copies is not yet done.
        Optional<String> promoted = Optional.empty();
        Optional<String> handback = Optional.empty();
        for (DatasetName c : present) {
            Map<String, String> p = zfs.properties(c, List.of(PromotedMark.PROPERTY, HandbackMark.PROPERTY));
            promoted = promoted.or(() -> Optional.ofNullable(p.get(PromotedMark.PROPERTY)));
            handback = handback.or(() -> Optional.ofNullable(p.get(HandbackMark.PROPERTY)));
        }
        return new State(promoted, HandbackMark.parse(handback));
    }

    private List<DatasetName> present(SourceConfig s) {
        return zfs.present(s.copies());
    }
}
