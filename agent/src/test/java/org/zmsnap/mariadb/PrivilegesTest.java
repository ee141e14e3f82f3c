package org.zmsnap.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.QuiesceMethod;

class PrivilegesTest {
    private static final ServerVersion CURRENT = ServerVersion.parse("10.11.6-MariaDB");

    @Test
    void globalGrantsAreReadFromShowGrantsAndOtherLinesIgnored() {
        Set<String> g = Grants.global(List.of(
                "GRANT RELOAD, PROCESS, BINLOG MONITOR ON *.* TO `zmsnap`@`localhost` IDENTIFIED BY PASSWORD '*ABC'",
                "GRANT SELECT, SUPER ON `zimbra`.* TO `zmsnap`@`localhost`",
                "GRANT `backup_role` TO `zmsnap`@`localhost`",
                "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION"));
        assertEquals(Set.of("RELOAD", "PROCESS", "BINLOG MONITOR"), g);
    }

    @Test
    void allPrivilegesAndAnActiveRolesGrantsCount() {
        Set<String> all = Grants.global(List.of("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"));
        assertTrue(Grants.has(all, Set.of("SUPER")));
        Set<String> role = Grants.global(List.of("GRANT USAGE ON *.* TO `u`@`%`", "GRANT `r` TO `u`@`%`", "grant reload on *.* to `r`"));
        assertTrue(Grants.has(role, Set.of("RELOAD")));
        assertFalse(Grants.has(role, Set.of("PROCESS")));
    }

    @Test
    void ftwrlWithZimbrasFlushSettingNeedsReloadAndSuperAndAdvisesProcess() {
        List<Privileges.Need> n = Privileges.needed(QuiesceMethod.FTWRL, 0, false, CURRENT);
        assertEquals(List.of("RELOAD", "SUPER", "PROCESS"), n.stream().map(Privileges.Need::name).toList());
        assertEquals(List.of(true, true, false), n.stream().map(Privileges.Need::required).toList());
        List<Privileges.Need> missing = Privileges.missing(n, Set.of("RELOAD"));
        assertEquals(List.of("SUPER", "PROCESS"), missing.stream().map(Privileges.Need::name).toList());
    }

    @Test
    void backupStageNeedsNoProcessSuperOnlyAdvisedWhenFlushIsOneBinlogMonitorWhenTheBinlogIsOn() {
        List<Privileges.Need> n = Privileges.needed(QuiesceMethod.BACKUP_STAGE, 1, true, CURRENT);
        assertEquals(List.of("RELOAD", "SUPER", "BINLOG MONITOR"), n.stream().map(Privileges.Need::name).toList());
        assertEquals(List.of(true, false, false), n.stream().map(Privileges.Need::required).toList());
        // the older name of BINLOG MONITOR still grants SHOW MASTER STATUS
        assertTrue(Privileges.missing(n.subList(2, 3), Set.of("REPLICATION CLIENT")).isEmpty());
        assertTrue(Privileges.needed(QuiesceMethod.NONE, 0, true, CURRENT).isEmpty());
    }

    @Test
    void theGrantStatementNamesTheAccountAsTheServerKnowsIt() {
        List<Privileges.Need> n = Privileges.needed(QuiesceMethod.FTWRL, 0, false, CURRENT).subList(0, 2);
        assertEquals("GRANT RELOAD, SUPER ON *.* TO 'zmsnap'@'localhost'", Privileges.grantStatement(n, "zmsnap@localhost"));
        assertEquals("GRANT RELOAD, SUPER ON *.* TO 'o''neil'@'%'", Privileges.grantStatement(n, "o'neil@%"));
    }

    @Test
    void checkRefusesOnlyAMissingRequiredPrivilegeAndSaysHowToGrantIt() {
        Quiescer lacksSuper = readinessOf(Set.of("RELOAD"), 0);
        QuiesceException e = org.junit.jupiter.api.Assertions.assertThrows(QuiesceException.class, lacksSuper::check);
        assertTrue(e.getMessage().contains("lacks SUPER"), e.getMessage());
        assertTrue(e.getMessage().contains("GRANT SUPER ON *.* TO 'zmsnap'@'localhost'"), e.getMessage());
        readinessOf(Set.of("RELOAD"), 1).check(); // SUPER and PROCESS only advised: no refusal
    }

    private static Quiescer readinessOf(Set<String> granted, int flush) {
        return new Quiescer() {
            @Override
            public <T> Quiesced<T> run(LockedAction<T> action) {
                throw new UnsupportedOperationException();
            }

            @Override
            public QuiesceReadiness readiness() {
                return new QuiesceReadiness("test", "zmsnap@localhost", granted, Privileges.needed(QuiesceMethod.FTWRL, flush, false, CURRENT));
            }

            @Override
            public void close() {}
        };
    }
}
