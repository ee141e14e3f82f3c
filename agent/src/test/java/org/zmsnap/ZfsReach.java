package org.zmsnap;

import java.time.Duration;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.exec.LocalStreamingRunner;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.exec.StreamingRunner;
import org.zmsnap.fixtures.OpenZfsVm;
import org.zmsnap.fixtures.TestPool;

/**
 * How the agent reaches a test pool's ZFS: local commands for this machine's zfs-fuse, or its own SSH runner
 * (JSch, strict host key) to root in the OpenZFS guest — so the agent's Zfs wrapper runs the guest's zfs.
 */
public final class ZfsReach implements AutoCloseable {
    private final CommandRunner runner;
    private final StreamingRunner streaming;
    private final AutoCloseable connection;

    private ZfsReach(CommandRunner runner, StreamingRunner streaming, AutoCloseable connection) {
        this.runner = runner;
        this.streaming = streaming;
        this.connection = connection;
    }

    public static ZfsReach of(TestPool pool) {
        if (pool.login().isEmpty()) {
            return new ZfsReach(new LocalCommandRunner(), new LocalStreamingRunner(), () -> { });
        }
        OpenZfsVm.Login l = pool.login().get();
        SshRunner ssh = SshRunner.connect(l.host(), l.port(), l.user(), l.identity(), l.knownHosts(), Duration.ofSeconds(60));
        return new ZfsReach(ssh, ssh, ssh);
    }

    public CommandRunner runner() {
        return runner;
    }

    public StreamingRunner streaming() {
        return streaming;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception ignored) {
            // a session that already dropped
        }
    }
}
