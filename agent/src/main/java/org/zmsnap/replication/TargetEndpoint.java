package org.zmsnap.replication;

import java.util.ArrayList;
import java.util.List;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.exec.LocalStreamingRunner;
import org.zmsnap.exec.RunningCommand;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.exec.StreamingRunner;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsWorkGate;

/** The receiving side of a replication: ZFS there (listing, rollback, destroy) and a way to start {@code zfs receive}. */
public final class TargetEndpoint extends Endpoint {
    private final boolean local;

    private TargetEndpoint(Zfs zfs, StreamingRunner streaming, String zfsCommand, AutoCloseable connection, String where,
                           boolean local) {
        super(zfs, streaming, zfsCommand, connection, where);
        this.local = local;
    }

    public static TargetEndpoint open(ZfsTarget t) {
        return open(t, ZfsWorkGate.unshared());
    }

    /**
     * @param gate for a target on this host ({@code host: local}): its receives, holds and destroys wait there while a
     *             snapshot cycle holds the database lock, like this host's other zfs work. A remote target's pool is not
     *             this host's: nothing there waits.
     */
    public static TargetEndpoint open(ZfsTarget t, ZfsWorkGate gate) {
        if (t.local()) {
            return thisHost(t, new LocalCommandRunner(), new LocalStreamingRunner(), gate);
        }
        SshRunner ssh = SshRunner.connect(t.host(), t.port(), t.user(), t.identity().orElseThrow(), t.knownHosts().orElseThrow(),
                t.commandTimeout());
        // Behind 'zmsnap serve' the whole run goes through one serve process; a plain login keeps a channel per command.
        ssh.preferServeSession(t.commandTimeout());
        return new TargetEndpoint(new Zfs(ssh, t.remoteZfs(), t.commandTimeout()), ssh, t.remoteZfs(), ssh, ssh.where(), false);
    }

    /**
     * This host's own ZFS as the receiving end of {@code here}: a {@code host: local} target, a DR host's pull, failback's
     * receive back. Every such end passes {@code gate} — the daemon's, as this host's other zfs work does — so its
     * listings, receives, holds and destroys, and the start of each stream into it, wait while a snapshot cycle holds the
     * database lock here. The runners are this host's, or — in the OpenZFS tests — an SSH runner to the guest that plays
     * this host.
     */
    public static TargetEndpoint thisHost(ZfsTarget here, CommandRunner runner, StreamingRunner streaming, ZfsWorkGate gate) {
        return thisHost(new Zfs(runner, here.remoteZfs(), here.commandTimeout(), gate), streaming, here.remoteZfs());
    }

    /**
     * This host's own ZFS as the receiving end, passing whatever gate {@code zfs} has: receives get the same overrides
     * {@code zmsnap serve} pins. Not public: outside the tests, a local end is built with the gate above.
     */
    static TargetEndpoint thisHost(Zfs zfs, StreamingRunner streaming, String zfsCommand) {
        return new TargetEndpoint(zfs, streaming, zfsCommand, () -> { }, "this host", true);
    }

    /**
     * The same host as the sending side, over the same session (closed with this endpoint, not with the source):
     * failback reads the DR host's copies back through the key it was granted.
     */
    public SourceEndpoint asSource() {
        return SourceEndpoint.on(zfs(), streaming(), zfsCommand(), where());
    }

    /** {@code zfs rollback -r}: the target-only snapshots newer than {@code to} are destroyed (only when allowed). */
    void rollbackDestroyingNewer(SnapshotName to) {
        zfs().rollbackDestroyingNewer(to);
    }

    /** A container dataset on the way to a copy ({@code canmount=off}), created from {@code root} down. */
    void createContainer(DatasetName dataset, DatasetName root) {
        zfs().createContainer(dataset, root);
    }

    /** Records a property of the copy (the source's mountpoint, for promote). */
    void set(DatasetName dataset, String property, String value) {
        zfs().set(dataset, property, value);
    }

    /** {@code zfs receive -A}: discards only the partial state of an interrupted receive. */
    void abortResumableReceive(DatasetName dataset) {
        zfs().abortResumableReceive(dataset);
    }

    /** DR-side retention's destroy of one copy's snapshot. */
    void destroy(SnapshotName snapshot) {
        zfs().destroy(snapshot);
    }

    /**
     * {@code zfs receive -u DATASET}: never mounted (a DR copy must not appear over live paths), never forced.
     * With {@code -s} when {@code resumable} (the sender can {@code send -t}) and the DR host's ZFS can resume
     * (OpenZFS), so an interrupted transfer continues. Without a sender that can resume, partial state would only
     * block the next receive.
     */
    RunningCommand receive(DatasetName dataset, boolean resumable) {
        List<String> argv = new ArrayList<>(List.of("receive"));
        if (resumable && features().resumableReceive()) {
            argv.add("-s");
        }
        argv.add("-u");
        if (local && features().receiveOverrides()) {
            // Here, as 'zmsnap serve' does on a DR host: received properties never decide mounts or exec rights.
            argv.addAll(ServePolicy.RECEIVE_OVERRIDES);
        }
        argv.add(dataset.value());
        return startZfs(argv);
    }
}
