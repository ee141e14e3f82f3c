package org.zmsnap.promote;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.replication.Replicator;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/** Reads what {@link PromotionPlan} decides from: ZFS, the mount table, the mount paths, the running receives. */
public final class CopySurvey {
    private final Zfs zfs;
    private final RunningReceives receives;
    private final java.util.function.Supplier<MountTable> mounts;
    private final Function<Path, PathState> paths;

    public CopySurvey(Zfs zfs) {
        this(zfs, new RunningReceives(), MountTable::read, PathState::of);
    }

    public CopySurvey(Zfs zfs, RunningReceives receives, java.util.function.Supplier<MountTable> mounts,
                      Function<Path, PathState> paths) {
        this.zfs = zfs;
        this.receives = receives;
        this.mounts = mounts;
        this.paths = paths;
    }

    public Survey take(SourceConfig src) {
        List<String> running = receives.into(src.root());
        boolean resumable = zfs.features().resumableReceive();
        List<String> props = new ArrayList<>(List.of("readonly", "mounted", PromotedMark.PROPERTY, Replicator.SOURCE_MOUNTPOINT));
        if (resumable) {
            props.add("receive_resume_token"); // zfs-fuse does not know the property at all
        }
        List<DatasetName> copies = src.copies();
        List<DatasetName> missing = zfs.missing(copies);
        List<DatasetName> clones = copies.stream().map(CopyState::cloneOf).toList();
        List<DatasetName> missingClones = zfs.missing(clones);
        List<CopyState> states = new ArrayList<>();
        Map<Path, PathState> pathStates = new LinkedHashMap<>();
        for (DatasetName source : src.datasets()) {
            DatasetName copy = src.copyOf(source);
            if (missing.contains(copy)) {
                states.add(CopyState.absent(source, copy));
                continue;
            }
            Map<String, String> p = zfs.properties(copy, props);
            Optional<Path> recorded = Optional.ofNullable(p.get(Replicator.SOURCE_MOUNTPOINT)).filter(v -> v.startsWith("/")).map(Path::of);
            DatasetName cloneName = CopyState.cloneOf(copy);
            Optional<CopyState.CloneState> clone = missingClones.contains(cloneName) ? Optional.empty()
                    : Optional.of(new CopyState.CloneState(cloneName, zfs.getProperty(cloneName, PromotedMark.PROPERTY)));
            states.add(new CopyState(source, copy, true, zfs.snapshots(copy, SnapshotProperties.ALL),
                    "on".equals(p.get("readonly")), "yes".equals(p.get("mounted")), Optional.ofNullable(p.get(PromotedMark.PROPERTY)),
                    Optional.ofNullable(p.get("receive_resume_token")), recorded, clone));
            recorded.ifPresent(r -> pathStates.put(r.normalize(), paths.apply(r.normalize())));
            Optional.ofNullable(src.mountpoints().get(source)).ifPresent(r -> pathStates.put(r.normalize(), paths.apply(r.normalize())));
        }
        return new Survey(states, mounts.get(), pathStates, running, resumable);
    }
}
