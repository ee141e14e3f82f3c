package org.zmsnap.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.zmsnap.exec.LocalStreamingRunner;
import org.zmsnap.exec.RunningCommand;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.exec.StreamingRunner;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zfs.Zfs;

/**
 * The sending side of a replication: the mailbox host's ZFS in a push, the mailbox host over SSH in a pull
 * ({@code zmsnap serve --send-only} there), the DR host's copies in failback's reverse replication.
 */
public final class SourceEndpoint extends Endpoint {
    private SourceEndpoint(Zfs zfs, StreamingRunner streaming, String zfsCommand, AutoCloseable connection, String where) {
        super(zfs, streaming, zfsCommand, connection, where);
    }

    /** This host's ZFS, sending with {@code zfs send} here. */
    public static SourceEndpoint thisHost(Zfs zfs, String zfsCommand) {
        return on(zfs, new LocalStreamingRunner(), zfsCommand, "this host");
    }

    /**
     * A source whose commands and streams run through runners the caller owns (closing the endpoint closes nothing):
     * in the OpenZFS tests an SSH runner to the guest that plays this host.
     *
     * @param sender starts {@code zfs send} where {@code zfs} runs its commands
     */
    public static SourceEndpoint on(Zfs zfs, StreamingRunner sender, String zfsCommand, String where) {
        return new SourceEndpoint(zfs, sender, zfsCommand, () -> { }, where);
    }

    /** A host over SSH (a pull: the mailbox host's {@code zmsnap serve --send-only}); closing the endpoint closes the session. */
    public static SourceEndpoint over(SshRunner ssh, String zfsCommand, Duration commandTimeout) {
        ssh.preferServeSession(commandTimeout); // one 'zmsnap serve --send-only' process for the whole pull
        return new SourceEndpoint(new Zfs(ssh, zfsCommand, commandTimeout), ssh, zfsCommand, ssh, ssh.where());
    }

    /** {@code zfs send [-c] [-i|-I from] to}, or {@code zfs send -t token} for a resume. */
    RunningCommand send(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add("send");
        argv.addAll(args);
        return startZfs(argv);
    }

    /** The stream's expected size ({@code zfs send -nP}, OpenZFS), empty where ZFS cannot tell. */
    OptionalLong sendSize(Optional<SnapshotName> from, SnapshotName to, boolean compressed) {
        return zfs().sendSize(from, to, compressed);
    }

    /** Where this host mounts {@code d}, when it is a path. */
    Optional<String> mountpoint(DatasetName d) {
        return zfs().getProperty(d, "mountpoint").filter(mp -> mp.startsWith("/"));
    }
}
