package org.zmsnap.replication;

import java.util.ArrayList;
import java.util.List;
import org.zmsnap.exec.RunningCommand;
import org.zmsnap.exec.StreamingRunner;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsFeatures;
import org.zmsnap.zfs.ZfsWorkGate;

/**
 * One end of a replication: a host's ZFS (this host, or another over SSH) and a way to start its {@code zfs send} or
 * {@code zfs receive}. Both ends speak the same small vocabulary — list with GUIDs and resume tokens, holds,
 * readonly, start a stream — so push, pull and failback's reverse replication are one {@link Replicator} with the
 * endpoints swapped: a {@link SourceEndpoint} sends, a {@link TargetEndpoint} receives.
 */
public abstract sealed class Endpoint implements AutoCloseable permits SourceEndpoint, TargetEndpoint {
    private final Zfs zfs;
    private final StreamingRunner streaming;
    private final String zfsCommand;
    private final AutoCloseable connection;
    private final String where;

    Endpoint(Zfs zfs, StreamingRunner streaming, String zfsCommand, AutoCloseable connection, String where) {
        this.zfs = zfs;
        this.streaming = streaming;
        this.zfsCommand = zfsCommand;
        this.connection = connection;
        this.where = where;
    }

    /** ZFS on that host, for what is not a replication's vocabulary (status, failback's survey, restore's DR copies). */
    public Zfs zfs() {
        return zfs;
    }

    /** Starts commands on that host with raw pipes. */
    public StreamingRunner streaming() {
        return streaming;
    }

    public String zfsCommand() {
        return zfsCommand;
    }

    /** Where it is, as messages name it: "this host", or {@code user@host:port}. */
    public String where() {
        return where;
    }

    ZfsFeatures features() {
        return zfs.features();
    }

    /** The gate this end's zfs work passes (a snapshot cycle closes it around its lock window). */
    ZfsWorkGate gate() {
        return zfs.gate();
    }

    /** Every dataset below {@code root} with its snapshots (GUIDs, holds) and resume tokens, in one listing. */
    Zfs.Tree tree(DatasetName root) {
        return zfs.tree(root);
    }

    void hold(String tag, SnapshotName snapshot) {
        zfs.hold(tag, snapshot);
    }

    /** Releases {@code tag} on {@code snapshot} if the snapshot still exists (a release of a tag not there is a no-op). */
    void releaseIfExists(String tag, SnapshotName snapshot) {
        if (zfs.exists(snapshot)) {
            zfs.release(tag, snapshot);
        }
    }

    /** Copies are never written to where they were received: {@code readonly=on}. */
    void readOnly(DatasetName dataset) {
        zfs.set(dataset, "readonly", "on");
    }

    /** Starts {@code zfs <args>} on that host with raw pipes. */
    RunningCommand startZfs(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(zfsCommand);
        argv.addAll(args);
        return streaming.start(argv);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception ignored) {
            // closing a session that already failed
        }
    }
}
