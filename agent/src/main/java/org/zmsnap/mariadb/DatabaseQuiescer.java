package org.zmsnap.mariadb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.QuiesceMethod;
import org.zmsnap.runtime.DaemonThreads;

/**
 * Holds FLUSH TABLES WITH READ LOCK or BACKUP STAGE BLOCK_COMMIT on one pinned connection while an action
 * runs, and guarantees writers are blocked for at most the lock budget:
 * <ul>
 *   <li>the acquire is bounded server-side ({@code max_statement_time}, {@code lock_wait_timeout});</li>
 *   <li>{@code wait_timeout} on the lock session is a server-side dead-man switch if this JVM freezes;</li>
 *   <li>a watchdog KILLs the lock session from a second connection when the budget is spent;</li>
 *   <li>a killed process releases the lock at once (the server drops its session).</li>
 * </ul>
 * Before FTWRL it looks at the process list: FTWRL queues behind a running long write and every new write
 * queues behind FTWRL, so with a long write running it backs off and retries instead of stalling delivery.
 */
public final class DatabaseQuiescer implements Quiescer {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseQuiescer.class);
    /** The watchdog fires this much before the budget ends, so the KILL itself lands inside it. */
    static final Duration KILL_MARGIN = Duration.ofMillis(50);
    /** A write that has run this long is treated as long-running: FTWRL would wait for it. */
    static final long LONG_WRITE_MS = 100;
    private static final Pattern WRITE = Pattern.compile(
            "^\\s*(?:/\\*.*?\\*/\\s*)*(INSERT|UPDATE|DELETE|REPLACE|ALTER|CREATE|DROP|RENAME|TRUNCATE|LOAD|OPTIMIZE|REPAIR|ANALYZE|LOCK)\\b",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final long NOT_KILLED = Long.MIN_VALUE;
    private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
    private static final int ER_STATEMENT_TIMEOUT = 1969;
    private static final int ER_QUERY_INTERRUPTED = 1317;
    private static final int ER_CONNECTION_KILLED = 1927;

    /** As configured: {@code auto} is resolved against the server on each run ({@link #effective}). */
    private final QuiesceMethod method;
    private final DbConnector connector;
    private final Duration budget;
    private final Duration retryWindow;
    private final ScheduledExecutorService watchdog;
    /** Reads the positions under the lock while the action runs on the calling thread. */
    private final ExecutorService positionsReader;
    /** Where the site's flush setting is kept while it is raised ({@link RaisedFlushSetting}). */
    private final Path raisedRecord;

    /** @param lockFile the host lock, which serializes cycles: the {@link RaisedFlushSetting} record goes next to it */
    public DatabaseQuiescer(QuiesceMethod method, DbConnector connector, Duration budget, Duration retryWindow, Path lockFile) {
        if (method == QuiesceMethod.NONE) {
            throw new IllegalArgumentException("use NoQuiescer for quiesce: none");
        }
        this.method = method;
        this.connector = connector;
        this.budget = budget;
        this.retryWindow = retryWindow;
        this.raisedRecord = RaisedFlushSetting.fileFor(lockFile);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("zmsnap-lock-watchdog"));
        this.positionsReader = Executors.newSingleThreadExecutor(DaemonThreads.named("zmsnap-lock-positions"));
    }

    @Override
    public QuiesceReadiness readiness() {
        try (Connection c = connector.open(Duration.ofSeconds(10)); Statement s = c.createStatement()) {
            String version;
            String account;
            int flush;
            boolean binlog;
            try (ResultSet rs = s.executeQuery("SELECT @@version, CURRENT_USER(), @@global.innodb_flush_log_at_trx_commit, @@log_bin")) {
                rs.next();
                version = rs.getString(1);
                account = rs.getString(2);
                flush = rs.getInt(3);
                binlog = rs.getInt(4) != 0;
            }
            List<String> grants = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SHOW GRANTS")) {
                while (rs.next()) {
                    grants.add(rs.getString(1));
                }
            }
            ServerVersion v = ServerVersion.parse(version);
            QuiesceMethod m = effective(method, v);
            return new QuiesceReadiness("MariaDB " + version + " on " + connector.target() + " as " + account, account,
                    Grants.global(grants), Privileges.needed(m, flush, binlog, v), unsupported(v), lockLine(method, m, v));
        } catch (SQLException e) {
            throw new QuiesceException("MariaDB on " + connector.target() + " does not answer: " + e.getMessage(), e);
        }
    }

    /**
     * The lock a run takes: {@code auto} is BACKUP STAGE from MariaDB 10.5 (the oldest series proven; 10.4 has it too,
     * for an explicit {@code backup-stage}), which blocks commits only and is had at once even while a long write runs,
     * and FLUSH TABLES WITH READ LOCK on older servers.
     */
    public static QuiesceMethod effective(QuiesceMethod configured, ServerVersion version) {
        if (configured != QuiesceMethod.AUTO) {
            return configured;
        }
        // A version it cannot read (or MySQL's) gets the lock every version has; BACKUP STAGE only from the oldest
        // series the tests prove it on.
        return version.known() && version.atLeast(ServerVersion.AUTO_BACKUP_STAGE) ? QuiesceMethod.BACKUP_STAGE : QuiesceMethod.FTWRL;
    }

    /** What a cycle takes on this server, as {@code zmsnap check} says it. */
    static String lockLine(QuiesceMethod configured, QuiesceMethod m, ServerVersion v) {
        String what = describe(m);
        if (configured != QuiesceMethod.AUTO) {
            return m.configName() + ": " + what;
        }
        if (m == QuiesceMethod.BACKUP_STAGE) {
            return "auto: " + what + " (MariaDB " + v + ": only commits wait, and a long write does not delay the lock)";
        }
        return "auto: " + what + (v.known() ? " (MariaDB " + v + " is older than " + ServerVersion.AUTO_BACKUP_STAGE
                + ", where auto starts taking BACKUP STAGE)" : " (the server's version could not be read)");
    }

    /** Why {@link #method} cannot run on a server of {@code version}, if it cannot. */
    private Optional<String> unsupported(ServerVersion version) {
        if (method == QuiesceMethod.BACKUP_STAGE && !version.hasBackupStage()) {
            return Optional.of("quiesce: backup-stage needs MariaDB 10.4 or later; this server is " + version
                    + ": use quiesce: auto or ftwrl");
        }
        return Optional.empty();
    }

    @Override
    public <T> Quiesced<T> run(LockedAction<T> action) {
        long start = System.nanoTime();
        long retryDeadline = start + retryWindow.toNanos();
        int attempts = 0;
        try (Connection control = connector.open(Duration.ofSeconds(10))) {
            QuiesceMethod m = method == QuiesceMethod.AUTO ? effective(method, version(control)) : method;
            putBackInterrupted(control);
            while (true) {
                attempts++;
                String reason;
                Optional<String> blocker = m == QuiesceMethod.FTWRL ? longRunningWrite(control) : Optional.empty();
                if (blocker.isPresent()) {
                    reason = "a long-running write would make FLUSH TABLES WITH READ LOCK queue every writer: " + blocker.get();
                    LOG.info("backing off (attempt {}): {}", attempts, reason);
                } else {
                    Attempt<T> a;
                    try (Connection lock = connector.open(budget.plusSeconds(5))) {
                        a = attempt(m, control, lock, action, attempts);
                    }
                    if (a.result != null) {
                        return a.result;
                    }
                    reason = a.reason;
                    LOG.info("lock not acquired (attempt {}): {}", attempts, reason);
                }
                if (!backOff(attempts, retryDeadline)) {
                    return new Quiesced<>(new LockOutcome.NotAcquired(m, reason, micros(System.nanoTime() - start), attempts),
                            Optional.empty(), Optional.empty());
                }
            }
        } catch (SQLException e) {
            throw new QuiesceException("MariaDB failed while quiescing: " + e.getMessage(), e);
        }
    }

    /** The server's version, for {@code auto}: asked before the lock on each run, so an upgraded server is seen. */
    private static ServerVersion version(Connection control) throws SQLException {
        synchronized (control) {
            try (Statement s = control.createStatement(); ResultSet rs = s.executeQuery("SELECT @@version")) {
                rs.next();
                return ServerVersion.parse(rs.getString(1));
            }
        }
    }

    /** One try: either a finished result, or the reason the lock was not acquired. */
    private record Attempt<T>(Quiesced<T> result, String reason) {}

    /** The lock session and what does not change while it lives, read before the lock. */
    private record Session(long id, int flushSetting, boolean binlog, String version, long serverId) {}

    /*
     * The critical section. Before the lock, where writers do not wait: the pre-flight process list (in run), reading
     * what does not change (version, server id, the flush setting, whether there is a binlog), the action's own
     * preparation (a txg sync), the redo pre-flush. Inside, only what has to be:
     *   1. the lock statement itself;
     *   2. FLUSH ENGINE LOGS (when the flush setting is not 1): only a flush issued after commits stopped proves
     *      that every commit acknowledged before the lock is durable in the snapshot; a commit racing the pre-flush
     *      could otherwise be acknowledged and not written. After the pre-flush it finds (almost) nothing to write;
     *   3. the action (the snapshot): the point of the lock;
     *   4. positions (GTID, binlog file:pos, InnoDB LSN): they describe the snapshot only if read while commits are
     *      blocked. They are read on another thread while the snapshot runs, so they cost the hold nothing unless
     *      they take longer than the snapshot;
     *   5. the release statement, which ends the window.
     * After the release: the flush setting is restored (the snapshot is taken; until then commits only flush more).
     */
    private <T> Attempt<T> attempt(QuiesceMethod m, Connection control, Connection lock, LockedAction<T> action, int attempts)
            throws SQLException {
        Session session = session(lock);
        boolean raised = false;
        boolean restored = false;
        try {
            long t0 = System.nanoTime();
            try {
                action.beforeAcquire();
            } catch (RuntimeException e) {
                LOG.warn("preparing the action before the lock failed (the lock window may be longer): {}", e.getMessage());
            }
            long t1 = System.nanoTime();
            try (Statement s = lock.createStatement()) {
                // Dead-man switch: if this JVM stops talking (frozen, paused), the server drops the session and the
                // lock. Set after the preparation, which may keep the session idle for longer than the budget.
                s.execute("SET SESSION wait_timeout = " + Math.max(1, ceilSeconds(budget)) + ", lock_wait_timeout = "
                        + Math.max(1, ceilSeconds(acquireTimeout())));
            }
            if (session.flushSetting() != 1) {
                // With innodb_flush_log_at_trx_commit=0 (Zimbra's default) the last second of acknowledged commits may
                // exist only in memory; neither lock flushes it. From here on every commit writes its own redo, and
                // what was committed before is written now, outside the window. Last before the lock: while the
                // setting is 1 every commit waits for its own fsync, so this stretch is kept short.
                remember(lock, session);
                try (Statement s = lock.createStatement()) {
                    s.execute("SET GLOBAL innodb_flush_log_at_trx_commit = 1");
                    raised = true;
                    s.execute("FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS");
                }
            }
            long t2 = System.nanoTime();
            Attempt<T> a = locked(m, control, lock, action, attempts, session, raised, micros(t2 - t1), micros(t1 - t0));
            restored = true; // locked() restored the setting (or logged why it could not)
            return a;
        } finally {
            if (!restored) {
                restoreFlush(lock, control, session, raised);
            }
        }
    }

    private static Session session(Connection lock) throws SQLException {
        try (Statement s = lock.createStatement()) {
            Session session;
            try (ResultSet rs = s.executeQuery(
                    "SELECT CONNECTION_ID(), @@global.innodb_flush_log_at_trx_commit, @@log_bin, @@version, @@server_id")) {
                rs.next();
                session = new Session(rs.getLong(1), rs.getInt(2), rs.getInt(3) != 0, rs.getString(4), rs.getLong(5));
            }
            return session;
        }
    }

    private <T> Attempt<T> locked(QuiesceMethod m, Connection control, Connection lock, LockedAction<T> action, int attempts, Session session,
                                  boolean raised, long preflushMicros, long beforeAcquireMicros) throws SQLException {
        // When the watchdog's KILL was sent and when it returned (the lock ended in between): an action that outlives
        // the budget goes on after writers were let go, and the hold is measured to the kill, not to the action's end.
        AtomicLong killSent = new AtomicLong(NOT_KILLED);
        AtomicLong killed = new AtomicLong(NOT_KILLED);
        long start = System.nanoTime();
        ScheduledFuture<?> kill = watchdog.schedule(() -> killSession(control, lock, session.id(), killSent, killed),
                budget.minus(KILL_MARGIN).toNanos(), TimeUnit.NANOSECONDS);
        try {
            acquire(m, lock);
        } catch (SQLException e) {
            disarm(kill);
            if (isTimeoutOrKill(e)) {
                restoreFlush(lock, control, session, raised);
                // A long write delays FTWRL only; BACKUP STAGE waits for another backup's stage or a commit in progress.
                return new Attempt<>(null, describe(m) + " not acquired within " + acquireTimeout().toMillis() + " ms ("
                        + e.getMessage() + ")" + (m == QuiesceMethod.FTWRL ? processListHint(control)
                        : "; another backup (mariabackup) holding a backup stage, or a long commit, delays it"));
            }
            throw new QuiesceException(describe(m) + " failed: " + e.getMessage()
                    + (e.getErrorCode() == 1227 ? " (the account needs the RELOAD privilege)" : ""), e);
        }
        long acquired = System.nanoTime();
        long flushed = acquired;
        long actionEnd = acquired;
        long positionsEnd;
        long released;
        Future<Positions> reading = null;
        long[] positionsMicros = new long[1];
        Positions positions = null;
        T value = null;
        Exception failure = null;
        boolean alive;
        try {
            if (raised) {
                try (Statement s = lock.createStatement()) {
                    s.execute("FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS");
                }
            }
            flushed = System.nanoTime();
            reading = positionsReader.submit(() -> {
                long t = System.nanoTime();
                Positions p = positions(lock, session);
                positionsMicros[0] = micros(System.nanoTime() - t);
                return p;
            });
            Duration remaining = budget.minus(KILL_MARGIN.multipliedBy(2)).minusNanos(System.nanoTime() - start);
            if (remaining.isNegative() || remaining.isZero()) {
                throw new TimeoutException("the lock budget of " + budget.toMillis() + " ms was spent before the action could start");
            }
            value = action.run(remaining);
        } catch (Exception e) {
            failure = e;
        } finally {
            actionEnd = Math.max(flushed, System.nanoTime());
            positions = await(reading);
            positionsEnd = System.nanoTime();
            alive = release(m, lock);
            released = System.nanoTime();
            disarm(kill);
        }
        long restoreStart = System.nanoTime();
        restoreFlush(lock, control, session, raised);
        long restoreMicros = raised ? micros(System.nanoTime() - restoreStart) : 0;
        boolean wasKilled = killed.get() != NOT_KILLED;
        long lockEnd = wasKilled && killed.get() - released < 0 ? killed.get() : released;
        // Held throughout: the action and the positions were done while the lock stood. A kill sent after both only
        // ended the lock in place of the release statement; a session that died on its own died at an unknown time.
        boolean heldThroughout = wasKilled ? killSent.get() - positionsEnd > 0 : alive;
        if (wasKilled) {
            LOG.warn("the lock budget of {} ms was spent: the lock session was killed to release writers", budget.toMillis());
        }
        LockSteps steps = new LockSteps(preflushMicros, beforeAcquireMicros, micros(flushed - acquired), micros(actionEnd - flushed),
                positionsMicros[0], micros(positionsEnd - actionEnd), micros(released - positionsEnd), restoreMicros);
        LockOutcome.Held held = new LockOutcome.Held(m, micros(acquired - start), micros(lockEnd - acquired),
                heldThroughout, raised, positions, attempts, steps);
        return new Attempt<>(new Quiesced<>(held, Optional.ofNullable(value), Optional.ofNullable(failure)), null);
    }

    /**
     * The flush setting back to what it was: on the lock session, or when that is gone on the control connection, or
     * when both are (the watchdog aborted one, the other broke) on a new connection. Left at 1, the next cycle would
     * read 1 as the site's own setting and never put Zimbra's 0 back.
     */
    private void restoreFlush(Connection lock, Connection control, Session session, boolean raised) {
        if (!raised) {
            return;
        }
        if (setFlush(lock, session.flushSetting()) || setFlush(control, session.flushSetting())) {
            forget();
            return;
        }
        boolean restored = false;
        String why = "the statement failed";
        try (Connection fresh = connector.open(Duration.ofSeconds(5))) {
            restored = setFlush(fresh, session.flushSetting());
        } catch (SQLException | QuiesceException e) {
            why = e.getMessage(); // a failed close after the setting was put back changes nothing
        }
        if (restored) {
            forget();
        } else {
            LOG.error("could not restore innodb_flush_log_at_trx_commit to {} on a new connection ({}); it is 1 now (safe, "
                    + "but slower) until a later cycle puts it back from {} (if it could be written), or set it back with SET GLOBAL "
                    + "innodb_flush_log_at_trx_commit = {}",
                    session.flushSetting(), why, raisedRecord, session.flushSetting());
        }
    }

    /**
     * When the server started, in epoch seconds: with {@code @@server_id}, which server a raised setting belongs to.
     * {@code Uptime} is counted from the same clock reading as {@code UNIX_TIMESTAMP()} within a statement's start.
     */
    private static long serverStarted(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            long now;
            try (ResultSet rs = s.executeQuery("SELECT UNIX_TIMESTAMP()")) {
                rs.next();
                now = rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Uptime'")) {
                if (!rs.next()) {
                    throw new SQLException("no Uptime in SHOW GLOBAL STATUS");
                }
                return now - rs.getLong(2);
            }
        }
    }

    /**
     * Written before the raise (outside the window): a failure to read or write costs only the recovery after a crash,
     * so the cycle goes on, and says so.
     */
    private void remember(Connection lock, Session session) {
        try {
            new RaisedFlushSetting(session.flushSetting(), session.serverId(), serverStarted(lock)).save(raisedRecord);
        } catch (java.io.IOException | SQLException | RuntimeException e) {
            LOG.warn("could not record innodb_flush_log_at_trx_commit = {} in {} before raising it ({}): a cycle cut off "
                    + "before it puts it back would leave it at 1", session.flushSetting(), raisedRecord, e.getMessage());
        }
    }

    private void forget() {
        try {
            java.nio.file.Files.deleteIfExists(raisedRecord);
        } catch (java.io.IOException e) {
            LOG.warn("could not remove {}: {}", raisedRecord, e.getMessage());
        }
    }

    /**
     * A cycle cut off while the setting was raised (SIGKILL, Ctrl-C, a crash) left it at 1 and its record behind: put
     * the site's value back, but only on the same server, not restarted since (a restart took its configuration's
     * value) and still at 1 (anything else is someone's choice). Called under the host lock, before the lock session
     * reads the setting it will restore. Never fails the cycle.
     */
    private void putBackInterrupted(Connection control) {
        Optional<String> text = RaisedFlushSetting.read(raisedRecord);
        if (text.isEmpty()) {
            return;
        }
        Optional<RaisedFlushSetting> record = RaisedFlushSetting.parse(text.get());
        try {
            if (record.isEmpty()) {
                LOG.warn("ignoring the unreadable record {} of an interrupted cycle's flush setting", raisedRecord);
            } else {
                synchronized (control) {
                    try (Statement s = control.createStatement();
                         ResultSet rs = s.executeQuery("SELECT @@global.innodb_flush_log_at_trx_commit, @@server_id")) {
                        rs.next();
                        int current = rs.getInt(1);
                        long serverId = rs.getLong(2);
                        if (record.get().stillRaisedOn(current, serverId, serverStarted(control))) {
                            try (Statement set = control.createStatement()) {
                                set.execute("SET GLOBAL innodb_flush_log_at_trx_commit = " + record.get().original());
                            }
                            LOG.warn("an interrupted cycle left innodb_flush_log_at_trx_commit at 1: put back the site's {}",
                                    record.get().original());
                        } else {
                            LOG.info("the record of an interrupted cycle's flush setting ({}) no longer applies (setting {} now, "
                                    + "or the server restarted): left as it is", record.get().format().strip(), current);
                        }
                    }
                }
            }
            forget();
        } catch (SQLException e) {
            LOG.warn("could not check the flush setting an interrupted cycle may have left at 1 ({}): tried again next cycle",
                    e.getMessage());
        }
    }

    /** The positions read alongside the action; it never throws (positions() logs what it could not read). */
    private static Positions await(Future<Positions> reading) {
        if (reading == null) {
            return null;
        }
        try {
            return reading.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            LOG.warn("could not read positions under the lock: {}", e.getCause().getMessage());
            return null;
        }
    }

    /** The lock statement(s), within {@link #acquireTimeout()} in all: BACKUP STAGE's second statement gets what is left. */
    private void acquire(QuiesceMethod m, Connection lock) throws SQLException {
        long deadline = System.nanoTime() + acquireTimeout().toNanos();
        try (Statement s = lock.createStatement()) {
            if (m == QuiesceMethod.FTWRL) {
                s.execute(bounded(deadline) + "FLUSH TABLES WITH READ LOCK");
            } else {
                s.execute(bounded(deadline) + "BACKUP STAGE START");
                s.execute(bounded(deadline) + "BACKUP STAGE BLOCK_COMMIT");
            }
        }
    }

    /** A server-side bound of what is left until {@code deadline} (a millisecond at least: 0 would mean none). */
    private static String bounded(long deadline) {
        long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        return String.format(Locale.ROOT, "SET STATEMENT max_statement_time=%.3f FOR ", leftMs / 1000.0);
    }

    /** True when the lock session was still alive and released the lock itself. */
    private static boolean release(QuiesceMethod m, Connection lock) {
        try (Statement s = lock.createStatement()) {
            s.execute(m == QuiesceMethod.FTWRL ? "UNLOCK TABLES" : "BACKUP STAGE END");
            return true;
        } catch (SQLException e) {
            // The session is gone (killed by the watchdog, wait_timeout, or the server): the lock went with it.
            LOG.warn("lock session was gone at release ({}); the lock had already been released", e.getMessage());
            return false;
        }
    }

    private static boolean setFlush(Connection c, int value) {
        try (Statement s = c.createStatement()) {
            s.execute("SET GLOBAL innodb_flush_log_at_trx_commit = " + value);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Ends the lock session from outside: KILL from the control connection, or, if that fails (the control connection
     * killed or broken), aborting the lock connection's socket: a server that can still be reached sees the close at
     * once and drops the session with its lock. The action may run on past this point (a snapshot waited for), so
     * nothing else would end the lock before it but {@code wait_timeout} (also what ends it when the network is gone).
     */
    private static void killSession(Connection control, Connection lock, long lockId, AtomicLong sent, AtomicLong killed) {
        synchronized (control) {
            sent.set(System.nanoTime());
            try (Statement s = control.createStatement()) {
                s.execute("KILL CONNECTION " + lockId);
                killed.set(System.nanoTime()); // not before: writers are let go once the KILL returns
                return;
            } catch (SQLException e) {
                LOG.error("watchdog could not KILL lock session {}: {}; closing its socket instead", lockId, e.getMessage());
            }
        }
        try {
            lock.abort(Runnable::run);
            killed.set(System.nanoTime());
        } catch (SQLException | RuntimeException e) {
            LOG.error("watchdog could not close lock session {} either: {}; the server's wait_timeout drops it", lockId, e.getMessage());
        }
    }

    /** Cancels the watchdog and waits for it if it is already killing, so the control connection is free. */
    private static void disarm(ScheduledFuture<?> kill) {
        if (!kill.cancel(false)) {
            try {
                kill.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException ignored) {
                // the kill ran or never will; either way it is done with the control connection
            }
        }
    }

    private Optional<String> longRunningWrite(Connection control) throws SQLException {
        List<String> found = new ArrayList<>();
        synchronized (control) {
            try (Statement s = control.createStatement();
                 ResultSet rs = s.executeQuery("SELECT ID, USER, TIME_MS, LEFT(INFO, 160) FROM information_schema.PROCESSLIST"
                         + " WHERE COMMAND = 'Query' AND ID <> CONNECTION_ID() AND INFO IS NOT NULL AND TIME_MS >= "
                         + LONG_WRITE_MS)) {
                while (rs.next()) {
                    String info = rs.getString(4);
                    if (WRITE.matcher(info).find()) {
                        found.add("id " + rs.getLong(1) + " (" + rs.getString(2) + ", " + Math.round(rs.getDouble(3)) + " ms): "
                                + info.replaceAll("\\s+", " "));
                    }
                }
            }
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", found));
    }

    private String processListHint(Connection control) {
        try {
            return longRunningWrite(control).map(w -> "; running: " + w).orElse("");
        } catch (SQLException e) {
            return "";
        }
    }

    /**
     * The positions that describe the snapshot, in one round trip (two with a binlog): read under the lock only,
     * while commits are blocked. Version and server id come from the session, read before the lock.
     */
    private static Positions positions(Connection c, Session session) {
        Optional<String> file = Optional.empty();
        Optional<Long> pos = Optional.empty();
        String gtidBinlog = "";
        String gtidSlave = "";
        Optional<Long> lsn = Optional.empty();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT @@gtid_binlog_pos, @@gtid_slave_pos, (SELECT VARIABLE_VALUE FROM"
                    + " information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_LSN_CURRENT')")) {
                rs.next();
                gtidBinlog = nullToEmpty(rs.getString(1));
                gtidSlave = nullToEmpty(rs.getString(2));
                String l = rs.getString(3);
                lsn = l == null ? Optional.empty() : Optional.of(Long.parseLong(l.strip()));
            }
            if (session.binlog()) {
                try (ResultSet rs = s.executeQuery(ServerVersion.parse(session.version()).binlogStatusStatement())) {
                    if (rs.next()) {
                        file = Optional.of(rs.getString(1));
                        pos = Optional.of(rs.getLong(2));
                    }
                } catch (SQLException noPrivilege) {
                    LOG.debug("no binlog position: {}", noPrivilege.getMessage());
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("could not read all positions under the lock: {}", e.getMessage());
        }
        return new Positions(file, pos, gtidBinlog, gtidSlave, lsn, session.version(), session.serverId());
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The acquire may use at most 40% of the budget: the rest is for the snapshot under the lock. */
    Duration acquireTimeout() {
        return budget.multipliedBy(2).dividedBy(5);
    }

    private boolean backOff(int attempts, long deadline) {
        long base = Math.min(2_000, 200L << Math.min(attempts - 1, 4));
        long sleepMs = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sleepMs) > deadline) {
            return false;
        }
        try {
            Thread.sleep(sleepMs);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String describe(QuiesceMethod m) {
        return m == QuiesceMethod.FTWRL ? "FLUSH TABLES WITH READ LOCK" : "BACKUP STAGE BLOCK_COMMIT";
    }

    private static boolean isTimeoutOrKill(SQLException e) {
        int code = e.getErrorCode();
        return code == ER_LOCK_WAIT_TIMEOUT || code == ER_STATEMENT_TIMEOUT || code == ER_QUERY_INTERRUPTED
                || code == ER_CONNECTION_KILLED || e instanceof java.sql.SQLNonTransientConnectionException;
    }

    private static long ceilSeconds(Duration d) {
        return (d.toMillis() + 999) / 1000;
    }

    private static long micros(long nanos) {
        return nanos / 1_000;
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        positionsReader.shutdownNow();
    }
}
