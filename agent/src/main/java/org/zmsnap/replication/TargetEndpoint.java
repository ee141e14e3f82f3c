package org.zmsnap.replication;

import java.util.List;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.exec.LocalStreamingRunner;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.exec.StreamingRunner;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsWorkGate;

/** The DR side of a target: ZFS there (listing, destroy, hold) and a way to start {@code zfs receive}. */
public final class TargetEndpoint implements AutoCloseable {
    private final Zfs zfs;
    private final StreamingRunner streaming;
    private final String zfsCommand;
    private final AutoCloseable connection;
    private final String where;
    private final boolean local;

    private TargetEndpoint(Zfs zfs, StreamingRunner streaming, String zfsCommand, AutoCloseable connection, String where,
                           boolean local) {
        this.zfs = zfs;
        this.streaming = streaming;
        this.zfsCommand = zfsCommand;
        this.connection = connection;
        this.where = where;
        this.local = local;
    }

    public static TargetEndpoint open(TargetConfig t) {
        return open(t, ZfsWorkGate.unshared());
    }

    /**
     * @param gate for a target on this host ({@code host: local}): its receives, holds and destroys wait there while a
     *             snapshot cycle holds the database lock, like this host's other zfs work. A remote target's pool is not
     *             this host's: nothing there waits.
     */
    public static TargetEndpoint open(TargetConfig t, ZfsWorkGate gate) {
        if (t.local()) {
            return thisHost(new Zfs(new LocalCommandRunner(), t.remoteZfs(), t.commandTimeout(), gate), new LocalStreamingRunner(),
                    t.remoteZfs());
        }
        SshRunner ssh = SshRunner.connect(t.host(), t.port(), t.user(), t.identity().orElseThrow(), t.knownHosts().orElseThrow(),
                t.commandTimeout());
        return new TargetEndpoint(new Zfs(ssh, t.remoteZfs(), t.commandTimeout()), ssh, t.remoteZfs(), ssh, ssh.where(), false);
    }

    /**
     * This host's own ZFS as the receiving end ({@code host: local}, and failback's receive back): receives get the
     * same overrides {@code zmsnap serve} pins. The runners are this host's, or — in the OpenZFS tests — an SSH runner
     * to the guest that plays this host.
     */
    public static TargetEndpoint thisHost(Zfs zfs, StreamingRunner streaming, String zfsCommand) {
        return new TargetEndpoint(zfs, streaming, zfsCommand, () -> { }, "this host", true);
    }

    public Zfs zfs() {
        return zfs;
    }

    /** Starts commands on that host with raw pipes: the sender when the copies travel back (failback). */
    public StreamingRunner streaming() {
        return streaming;
    }

    public String zfsCommand() {
        return zfsCommand;
    }

    public String where() {
        return where;
    }

    /**
     * {@code zfs receive -u DATASET}: never mounted (a DR copy must not appear over live paths), never forced.
     * With {@code -s} when {@code resumable} (the sender can {@code send -t}) and the DR host's ZFS can resume
     * (OpenZFS), so an interrupted transfer continues. Without a sender that can resume, partial state would only
     * block the next receive.
     */
    public org.zmsnap.exec.RunningCommand receive(org.zmsnap.zfs.DatasetName dataset, boolean resumable) {
        List<String> argv = new java.util.ArrayList<>(List.of(zfsCommand, "receive"));
        if (resumable && zfs.features().resumableReceive()) {
            argv.add("-s");
        }
        argv.add("-u");
        if (local && zfs.features().receiveOverrides()) {
            // Here, as 'zmsnap serve' does on a DR host: received properties never decide mounts or exec rights.
            argv.addAll(ServePolicy.RECEIVE_OVERRIDES);
        }
        argv.add(dataset.value());
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
