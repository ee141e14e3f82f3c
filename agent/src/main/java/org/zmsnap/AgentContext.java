package org.zmsnap;

import java.time.Clock;
import java.time.Duration;
import org.zmsnap.config.Config;
import org.zmsnap.config.LibZfsCoreMode;
import org.zmsnap.config.QuiesceMethod;
import org.zmsnap.coverage.CoverageCheck;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.mariadb.DatabaseQuiescer;
import org.zmsnap.mariadb.DbConnector;
import org.zmsnap.mariadb.NoQuiescer;
import org.zmsnap.mariadb.Quiescer;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.snapshot.SnapshotCycle;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsWorkGate;

/** Builds the parts a command or the daemon needs from one validated {@link Config}; closes what they hold. */
public final class AgentContext implements AutoCloseable {
    private final Config config;
    private final CommandRunner runner;
    private final ZfsWorkGate gate;
    private final Zfs zfs;
    private final Quiescer quiescer;
    private final CoverageCheck coverage;

    public AgentContext(Config config) {
        this(config, new LocalCommandRunner());
    }

    /** With {@code runner} for zfs (and helper) commands: e.g. an SSH runner when the ZFS is on another host. */
    public AgentContext(Config config, CommandRunner runner) {
        this.config = config;
        this.runner = runner;
        this.gate = gateFor(config);
        Zfs z = new Zfs(runner, config.zfs().command(), config.zfs().timeout(), gate);
        this.zfs = config.zfs().libZfsCore() == LibZfsCoreMode.AUTO ? z.withLibZfsCore() : z;
        DbConnector db = new DbConnector(config.mariadb(), runner);
        this.quiescer = config.mariadb().quiesce() == QuiesceMethod.NONE
                ? new NoQuiescer(config.mariadb().lockBudget())
                : new DatabaseQuiescer(config.mariadb().quiesce(), db, config.mariadb().lockBudget(), config.mariadb().retryWindow(),
                        config.lockFile());
        this.coverage = new CoverageCheck(config.datasets(), db, runner, Clock.systemUTC());
    }

    /**
     * The one gate of this context (the daemon's): a cycle waits for zfs work in flight at most its lock budget, and the gate
     * counts as open again at the latest after that wait, the connection, the pre-flight retries ({@code retry-window}), the
     * txg sync before the lock, the lock budget and one {@code zfs.timeout} more (the snapshot, which may outlive the lock)
     * — a hung cycle cannot keep replication and retention waiting longer.
     */
    static ZfsWorkGate gateFor(Config config) {
        var m = config.mariadb();
        Duration drain = m == null ? Duration.ZERO : m.lockBudget();
        Duration max = drain.plus(config.zfs().timeout()).plus(SnapshotCycle.TXG_SYNC_TIMEOUT);
        if (m != null) {
            max = max.plus(m.retryWindow()).plus(m.lockBudget()).plus(m.connectTimeout());
        }
        return new ZfsWorkGate(drain, max);
    }

    /** zmsnap's own ZFS work waits here while a snapshot cycle holds (or is about to take) the database lock. */
    public ZfsWorkGate gate() {
        return gate;
    }

    public Config config() {
        return config;
    }

    public Zfs zfs() {
        return zfs;
    }

    public Quiescer quiescer() {
        return quiescer;
    }

    /** One check shared by every cycle of this context, so its cache spans the daemon's cycles. */
    public CoverageCheck coverage() {
        return coverage;
    }

    public SnapshotCycle snapshotCycle() {
        return new SnapshotCycle(config, zfs, quiescer, Clock.systemUTC(), coverage);
    }

    public SnapshotCatalog catalog() {
        config.requireMailboxHost("listing this host's snapshot sets");
        return new SnapshotCatalog(zfs, config.datasets());
    }

    @Override
    public void close() {
        quiescer.close();
    }
}
