package org.zmsnap.mariadb;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.zmsnap.config.QuiesceMethod;

/**
 * The one rule of what the quiesce account needs, read from what {@link DatabaseQuiescer} runs:
 * <ul>
 *   <li>RELOAD: {@code FLUSH TABLES WITH READ LOCK}, {@code BACKUP STAGE} (MariaDB has no BACKUP_ADMIN: its
 *       BACKUP STAGE needs RELOAD) and {@code FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS};</li>
 *   <li>SUPER: {@code SET GLOBAL innodb_flush_log_at_trx_commit = 1} around the lock, needed only while the server
 *       runs with another setting (Zimbra's 0); without it every cycle fails;</li>
 *   <li>PROCESS (FTWRL only): the pre-flight reads {@code information_schema.PROCESSLIST}, which without PROCESS shows
 *       only the account's own sessions, so a long write by Zimbra's user goes unseen and FTWRL queues every writer
 *       behind it until the acquire timeout;</li>
 *   <li>BINLOG MONITOR (REPLICATION CLIENT before 10.5.2; SUPER also does) when the binlog is on:
 *       {@code SHOW BINLOG STATUS} for the recorded binlog position; without it the set records no position.</li>
 * </ul>
 * The watchdog's {@code KILL CONNECTION} ends a session of the same account, which needs no privilege, so
 * CONNECTION ADMIN is not asked for.
 */
public final class Privileges {
    private Privileges() {}

    /**
     * One privilege the account should hold.
     *
     * @param anyOf    any of these grants it
     * @param required without it snapshot cycles fail; otherwise they work, but worse ({@code why} says how)
     */
    public record Need(String name, Set<String> anyOf, boolean required, String why) {}

    /**
     * What {@code method} needs on a server of {@code version} with this flush setting and binlog state: privilege
     * names as that version's GRANT spells them.
     */
    public static List<Need> needed(QuiesceMethod method, int flushLogAtTrxCommit, boolean binlog, ServerVersion version) {
        List<Need> out = new ArrayList<>();
        if (method == QuiesceMethod.NONE) {
            return out;
        }
        out.add(new Need("RELOAD", Set.of("RELOAD"), true, method == QuiesceMethod.FTWRL
                ? "FLUSH TABLES WITH READ LOCK and FLUSH ENGINE LOGS need it" : "BACKUP STAGE and FLUSH ENGINE LOGS need it"));
        out.add(new Need("SUPER", Set.of("SUPER"), flushLogAtTrxCommit != 1, flushLogAtTrxCommit != 1
                ? "innodb_flush_log_at_trx_commit is " + flushLogAtTrxCommit + ": each cycle sets it to 1 around the lock"
                        + " (SET GLOBAL) to make the last commits durable"
                : "innodb_flush_log_at_trx_commit is 1 now; if it is set back to 0 (Zimbra's default) every cycle needs"
                        + " SET GLOBAL"));
        if (method == QuiesceMethod.FTWRL) {
            out.add(new Need("PROCESS", Set.of("PROCESS"), false, "the pre-flight sees other accounts' long writes only with"
                    + " PROCESS; without it FLUSH TABLES WITH READ LOCK may queue every writer behind one"));
        }
        if (binlog) {
            out.add(new Need(version.binlogMonitorPrivilege(), Set.of("BINLOG MONITOR", "REPLICATION CLIENT", "SUPER"), false,
                    version.binlogStatusStatement() + " records the binlog position with each set"));
        }
        return out;
    }

    /** The needs {@code granted} does not meet. */
    public static List<Need> missing(List<Need> needs, Set<String> granted) {
        return needs.stream().filter(n -> !Grants.has(granted, n.anyOf())).toList();
    }

    /** The statement an admin runs to grant {@code needs} to {@code account} (user@host, as CURRENT_USER() gives it). */
    public static String grantStatement(List<Need> needs, String account) {
        return grantStatement(needs.stream().map(Need::name).distinct().collect(java.util.stream.Collectors.joining(", ")),
                "*.*", account);
    }

    /** {@code GRANT privileges ON on TO 'user'@'host'}. */
    public static String grantStatement(String privileges, String on, String account) {
        int at = account.lastIndexOf('@');
        String user = at < 0 ? account : account.substring(0, at);
        String host = at < 0 ? "%" : account.substring(at + 1);
        return "GRANT " + privileges + " ON " + on + " TO '" + user.replace("'", "''") + "'@'" + host.replace("'", "''") + "'";
    }
}
