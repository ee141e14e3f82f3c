package org.zmsnap.promote;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

/**
 * What a promotion will do, decided from a {@link Survey} with no I/O: which set, in place or as clones, where each
 * dataset is mounted, and the steps, or why not. Every refusal is decided here, before anything changes.
 *
 * <p>Two ways to go live, both non-destructive (design invariant 7):
 * <ul>
 * <li><b>in place</b> — the chosen set is the newest snapshot of every copy and every copy is still read-only and
 * unmounted, as replication leaves it: its state <em>is</em> the set. The copies are snapshotted
 * ({@code zmsnap_prepromote_<time>}, held), made writable and mounted. Nothing is rolled back.</li>
 * <li><b>clone</b> — an older set was asked for, or a copy was touched since its newest snapshot: the copies are
 * snapshotted and held the same way and stay as they are, read-only, with every received set; a writable clone of
 * the chosen set ({@code <copy>_promoted}) is mounted instead. {@code zfs rollback -r} is never used: it destroys
 * the newer sets.</li>
 * </ul>
 */
public sealed interface PromotionPlan {
    /** A mountpoint recorded from the mailbox host (which may be compromised) is used only below Zimbra's directory. */
    Path RECORDED_MOUNTPOINTS_UNDER = Path.of("/opt/zimbra");

    String PREPROMOTE_POLICY = "prepromote";
    String HOLD_TAG = "zmsnap:prepromote";
    /** On the promoted set of every copy: the base of a later failback, kept until {@code failback revoke}. */
    String FAILBACK_BASE_TAG = "zmsnap:failback-base";

    enum Mode { IN_PLACE, CLONE }

    /**
     * @param consistency  yes / no / unknown: copies received without {@code -p} carry no zmsnap metadata, so a DR
     *                     copy's set is usually "unknown" — the mailbox host's cycle decided it when it took the set
     * @param live         copy → the dataset that goes live (the copy itself, or its clone), in config order
     * @param mountpoints  live dataset → where it is mounted
     * @param prepromote   the snapshot that keeps each copy's state, one tag for all
     */
    record Ready(String source, SnapshotTag set, String consistency, Instant setCreated, Mode mode, String modeReason,
                 Map<DatasetName, DatasetName> live, Map<DatasetName, Path> mountpoints, SnapshotTag prepromote,
                 List<Step> steps, List<String> warnings) implements PromotionPlan {
        public Ready {
            live = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(live));
            mountpoints = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mountpoints));
            steps = List.copyOf(steps);
            warnings = List.copyOf(warnings);
        }
    }

    /** Nothing was changed. {@code busy}: a pull or receive is running; try again later (else: bad input). */
    record Refused(String reason, boolean busy) implements PromotionPlan {}

    /**
     * @param configFile where the suggested mailbox-host config will be written (a path that does not exist yet)
     */
    static PromotionPlan plan(SourceConfig src, Survey survey, PromoteRequest req, Instant now, String host,
                              Path configFile, PromotedConfig.Site site) {
        // 1. An earlier promotion: say when and to which set.
        for (CopyState c : survey.copies()) {
            Optional<PromotedMark> mark = PromotedMark.parseOptional(c.promoted())
                    .or(() -> c.existingClone().flatMap(cl -> PromotedMark.parseOptional(cl.promoted())));
            if (mark.isPresent()) {
                return new Refused("source " + src.name() + " is already promoted " + mark.get().describe() + " ("
                        + PromotedMark.PROPERTY + " on " + c.copy() + "). It is live here; promoting again would not"
                        + " bring anything back. See docs/failover.md for the way back.", false);
            }
        }
        // 2. A receive still writing into the copies.
        if (!survey.runningReceives().isEmpty()) {
            return new Refused("a receive into " + src.root() + " is running (" + String.join("; ", survey.runningReceives())
                    + "): the mailbox host (or a pull) is still sending. Wait for it to finish, or stop it, then promote.", true);
        }
        // 3. Copies that were never received.
        List<DatasetName> absent = survey.copies().stream().filter(c -> !c.exists()).map(CopyState::copy).toList();
        if (!absent.isEmpty()) {
            return new Refused("no complete set of source " + src.name() + ": " + absent + (absent.size() == 1 ? " does" : " do")
                    + " not exist here (never received). Nothing to promote.", false);
        }
        // 4. Cut receives.
        List<CopyState> cut = survey.copies().stream().filter(c -> c.resumeToken().isPresent()).toList();
        if (!cut.isEmpty() && !req.abortPartial()) {
            return new Refused("a receive into " + cut.stream().map(c -> c.copy().value()).toList() + " was cut mid-stream"
                    + " (receive_resume_token is set): its partial state is not a set and promotion does not use it."
                    + " Run again with --abort-partial to discard that partial state (zfs receive -A; every received set"
                    + " stays), or let the next replication finish it if the mailbox host is still up.", false);
        }
        // 5. The set.
        List<SnapshotSet> sets = sets(survey.copies());
        SnapshotSet chosen;
        List<String> warnings = new ArrayList<>();
        List<String> usable = sets.stream().filter(PromotionPlan::usable).map(s -> s.tag().name()).toList();
        if (req.snapshot().isPresent()) {
            String want = req.snapshot().get();
            Optional<SnapshotSet> named = sets.stream().filter(s -> s.tag().name().equals(want)).findFirst();
            if (named.isEmpty()) {
                return new Refused("unknown set '" + want + "' for source " + src.name() + "; sets complete on every copy: "
                        + (usable.isEmpty() ? "none" : String.join(", ", usable)), false);
            }
            chosen = named.get();
            if (!chosen.missing().isEmpty() || chosen.partial()) {
                return new Refused("set " + want + " is not complete here: missing on " + chosen.missing()
                        + ". A partial set is never promoted; complete sets: " + (usable.isEmpty() ? "none" : String.join(", ", usable)), false);
            }
            if (chosen.consistency().equals("no")) {
                warnings.add("set " + want + " is marked consistent=no (crash-consistent): MariaDB will run crash recovery and"
                        + " the newest deliveries may have blobs without rows; promoted because it was named");
            }
        } else {
            Optional<SnapshotSet> newest = sets.stream().filter(PromotionPlan::usable).findFirst();
            if (newest.isEmpty()) {
                return new Refused("no complete set of source " + src.name() + " here: no zmsnap set is on every copy "
                        + src.copies() + (sets.isEmpty() ? " (no sets at all)" : " (sets seen: "
                        + sets.stream().map(s -> s.tag().name() + (s.missing().isEmpty() ? "" : " missing on " + s.missing())).toList() + ")")
                        + ". Nothing to promote.", false);
            }
            chosen = newest.get();
        }
        if (chosen.consistency().equals("unknown")) {
            warnings.add("the set's consistency is not recorded on DR copies (streams are sent without their properties);"
                    + " the mailbox host's cycle took it under the database lock unless it was configured crash-consistent");
        }
        // 6. In place or as clones.
        String why = null;
        for (CopyState c : survey.copies()) {
            SnapshotInfo newest = c.snapshots().get(c.snapshots().size() - 1);
            if (!newest.name().snapshot().equals(chosen.tag().name())) {
                why = c.copy() + " has snapshots newer than " + chosen.tag().name() + " (newest: " + newest.name().snapshot()
                        + "); they stay, and the set goes live as clones";
            } else if (!c.readonly() || c.mounted()) {
                why = c.copy() + " is " + (c.mounted() ? "mounted" : "writable") + ", so it may hold changes since "
                        + chosen.tag().name() + "; it is kept as it is and the set goes live as clones";
            }
            if (why != null) {
                break;
            }
        }
        Mode mode = why == null ? Mode.IN_PLACE : Mode.CLONE;
        Map<DatasetName, DatasetName> live = new LinkedHashMap<>();
        survey.copies().forEach(c -> live.put(c.copy(), mode == Mode.IN_PLACE ? c.copy() : CopyState.cloneOf(c.copy())));
        if (mode == Mode.CLONE) {
            for (CopyState c : survey.copies()) {
                if (c.existingClone().isPresent()) {
                    return new Refused(c.existingClone().get().name() + " already exists (left by an earlier, failed promotion?)."
                            + " Check it and destroy it (zfs destroy " + c.existingClone().get().name() + ") before promoting again.", false);
                }
            }
        }
        // 7. Mountpoints: configured, else recorded from the mailbox host; free, distinct.
        Map<DatasetName, Path> mountpoints = new LinkedHashMap<>();
        Map<Path, DatasetName> byPath = new HashMap<>();
        for (CopyState c : survey.copies()) {
            Optional<Path> configured = Optional.ofNullable(src.mountpoints().get(c.source()));
            Optional<Path> mp = configured.or(c::recordedMountpoint);
            if (mp.isEmpty()) {
                return new Refused("no mountpoint for " + c.source() + ": the DR config names none and none was recorded"
                        + " when it was seeded. Add it: sources." + src.name() + ".mountpoints." + c.source() + ": /PATH"
                        + " (where the mailbox host had it, e.g. /opt/zimbra/db)", false);
            }
            Path p = mp.get().normalize();
            if (configured.isEmpty() && !p.startsWith(RECORDED_MOUNTPOINTS_UNDER)) {
                // The recorded value came from the mailbox host, which may be the attacker: trusted only where Zimbra
                // lives, never e.g. /root/.ssh or a cron directory.
                return new Refused("the mountpoint recorded from the mailbox host for " + c.source() + " is " + p
                        + ", outside " + RECORDED_MOUNTPOINTS_UNDER + ": a recorded path is trusted only there. If it is"
                        + " right, name it in sources." + src.name() + ".mountpoints." + c.source(), false);
            }
            DatasetName l = live.get(c.copy());
            DatasetName other = byPath.put(p, c.source());
            if (other != null) {
                return new Refused(other + " and " + c.source() + " would both be mounted on " + p
                        + "; give each its own path in sources." + src.name() + ".mountpoints", false);
            }
            Optional<String> mounted = survey.mounts().sourceAt(p);
            if (mounted.isPresent() && !mounted.get().equals(l.value())) {
                return new Refused(p + " (for " + c.source() + ") is in use: " + mounted.get() + " is mounted there."
                        + " Unmount it, or choose another path in sources." + src.name() + ".mountpoints", false);
            }
            PathState state = survey.pathState(p);
            if (mounted.isEmpty() && !state.free()) {
                return new Refused(p + " (for " + c.source() + ") is in use: it is " + (state == PathState.NOT_A_DIRECTORY
                        ? "not a directory" : "a directory that is not empty") + ". Move its contents away, or choose"
                        + " another path in sources." + src.name() + ".mountpoints", false);
            }
            mountpoints.put(l, p);
        }
        // 8. The steps.
        SnapshotTag pre = new SnapshotTag(PREPROMOTE_POLICY, now);
        if (survey.copies().stream().anyMatch(c -> c.snapshots().stream().anyMatch(s -> s.name().snapshot().equals(pre.name())))) {
            return new Refused("a snapshot " + pre.name() + " exists already; run promote again in a second", true);
        }
        PromotedMark mark = new PromotedMark(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), chosen.tag().name(), host);
        List<Step> steps = new ArrayList<>();
        cut.forEach(c -> steps.add(new Step.AbortPartial(c.copy())));
        survey.copies().forEach(c -> steps.add(new Step.Snapshot(c.copy().at(pre.name()))));
        survey.copies().forEach(c -> steps.add(new Step.Hold(HOLD_TAG, c.copy().at(pre.name()))));
        // The promoted set is also the newest one the old host has: a failback's base. Once this host takes and prunes
        // its own sets, nothing else would keep it ('zmsnap failback revoke' releases it).
        survey.copies().forEach(c -> steps.add(new Step.Hold(FAILBACK_BASE_TAG, c.copy().at(chosen.tag().name()))));
        // Parents before children: /opt/zimbra before /opt/zimbra/store.
        List<CopyState> byMount = survey.copies().stream()
                .sorted(Comparator.comparing(c -> mountpoints.get(live.get(c.copy())).toString())).toList();
        for (CopyState c : byMount) {
            DatasetName l = live.get(c.copy());
            Path p = mountpoints.get(l);
            if (mode == Mode.IN_PLACE) {
                steps.add(new Step.Set(c.copy(), "readonly", "off"));
                steps.add(new Step.Set(c.copy(), "mountpoint", p.toString()));
            } else {
                steps.add(new Step.Clone(c.copy().at(chosen.tag().name()), l, p));
            }
            steps.add(new Step.Mount(l, p));
        }
        for (CopyState c : survey.copies()) {
            steps.add(new Step.Set(c.copy(), PromotedMark.PROPERTY, mark.value()));
            if (mode == Mode.CLONE) {
                steps.add(new Step.Set(live.get(c.copy()), PromotedMark.PROPERTY, mark.value()));
            }
        }
        steps.add(new Step.WriteConfig(configFile, PromotedConfig.render(site, src, List.copyOf(live.values()), chosen.tag(), now)));
        return new Ready(src.name(), chosen.tag(), chosen.consistency(), chosen.tag().time(), mode,
                why == null ? "the set is the newest state of every copy" : why, live, mountpoints, pre, steps, warnings);
    }

    /** Complete on every copy, not marked inconsistent, and not promote's own keep-snapshot. */
    private static boolean usable(SnapshotSet s) {
        return s.missing().isEmpty() && s.complete() && !s.consistency().equals("no");
    }

    /** zmsnap's sets over the copies, newest first (the catalog's rule, on the surveyed snapshots). */
    static List<SnapshotSet> sets(List<CopyState> copies) {
        Map<SnapshotTag, Map<DatasetName, SnapshotInfo>> byTag = new TreeMap<>(Comparator.reverseOrder());
        for (CopyState c : copies) {
            for (SnapshotInfo s : c.snapshots()) {
                SnapshotTag.parse(s.name().snapshot()).filter(t -> !t.policy().equals(PREPROMOTE_POLICY))
                        .ifPresent(t -> byTag.computeIfAbsent(t, x -> new LinkedHashMap<>()).put(c.copy(), s));
            }
        }
        List<SnapshotSet> out = new ArrayList<>();
        byTag.forEach((tag, members) -> out.add(new SnapshotSet(tag, members,
                copies.stream().map(CopyState::copy).filter(d -> !members.containsKey(d)).toList())));
        return out;
    }

}
