package org.zmsnap.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.QuiesceMethod;

class ServerVersionTest {
    @Test
    void readsTheVersionsDebianAndZimbraReport() {
        assertEquals(new ServerVersion(10, 5, 23), ServerVersion.parse("10.5.23-MariaDB-0+deb11u1"));
        assertEquals(new ServerVersion(11, 8, 9), ServerVersion.parse("11.8.9-MariaDB-deb13-log"));
        assertEquals(new ServerVersion(10, 1, 48), ServerVersion.parse("10.1.48-MariaDB"));
        assertEquals("unknown", ServerVersion.parse("garbage").toString());
    }

    @Test
    void autoIsBackupStageFrom105AndFtwrlBeforeOrWhenTheVersionIsUnknown() {
        assertEquals(QuiesceMethod.FTWRL, DatabaseQuiescer.effective(QuiesceMethod.AUTO, ServerVersion.parse("10.1.48-MariaDB")));
        assertEquals(QuiesceMethod.FTWRL, DatabaseQuiescer.effective(QuiesceMethod.AUTO, ServerVersion.parse("10.3.39-MariaDB")));
        assertEquals(QuiesceMethod.FTWRL, DatabaseQuiescer.effective(QuiesceMethod.AUTO, ServerVersion.parse("10.4.31-MariaDB")),
                "10.4 has BACKUP STAGE, but auto takes it only where the tests prove it");
        assertEquals(QuiesceMethod.BACKUP_STAGE, DatabaseQuiescer.effective(QuiesceMethod.AUTO, ServerVersion.parse("10.5.23-MariaDB")));
        assertEquals(QuiesceMethod.FTWRL, DatabaseQuiescer.effective(QuiesceMethod.AUTO, ServerVersion.parse("8.0.36")), "MySQL");
        assertEquals(QuiesceMethod.BACKUP_STAGE, DatabaseQuiescer.effective(QuiesceMethod.AUTO, ServerVersion.parse("11.8.9-MariaDB")));
        assertEquals(QuiesceMethod.FTWRL, DatabaseQuiescer.effective(QuiesceMethod.AUTO, ServerVersion.parse("garbage")),
                "a version it cannot read gets the lock every version has");
        for (QuiesceMethod explicit : List.of(QuiesceMethod.FTWRL, QuiesceMethod.BACKUP_STAGE)) {
            assertEquals(explicit, DatabaseQuiescer.effective(explicit, ServerVersion.parse("10.1.48")), "what is configured is kept");
            assertEquals(explicit, DatabaseQuiescer.effective(explicit, ServerVersion.parse("11.8.9")));
        }
    }

    @Test
    void checkSaysWhichLockAutoTookAndWhy() {
        ServerVersion v1011 = ServerVersion.parse("10.11.6-MariaDB");
        ServerVersion v101 = ServerVersion.parse("10.1.48-MariaDB");
        ServerVersion unknown = ServerVersion.parse("garbage");
        assertEquals("auto: BACKUP STAGE BLOCK_COMMIT (MariaDB 10.11.6: only commits wait, and a long write does not delay the lock)",
                DatabaseQuiescer.lockLine(QuiesceMethod.AUTO, DatabaseQuiescer.effective(QuiesceMethod.AUTO, v1011), v1011));
        assertEquals("auto: FLUSH TABLES WITH READ LOCK (MariaDB 10.1.48 is older than 10.5.0, where auto starts taking BACKUP STAGE)",
                DatabaseQuiescer.lockLine(QuiesceMethod.AUTO, DatabaseQuiescer.effective(QuiesceMethod.AUTO, v101), v101));
        assertEquals("auto: FLUSH TABLES WITH READ LOCK (the server's version could not be read)",
                DatabaseQuiescer.lockLine(QuiesceMethod.AUTO, DatabaseQuiescer.effective(QuiesceMethod.AUTO, unknown), unknown));
        assertEquals("ftwrl: FLUSH TABLES WITH READ LOCK", DatabaseQuiescer.lockLine(QuiesceMethod.FTWRL, QuiesceMethod.FTWRL, v1011));
    }

    @Test
    void backupStageFrom104AndTheBinlogStatementAndPrivilegeFrom1052() {
        ServerVersion zimbra87 = ServerVersion.parse("10.1.25-MariaDB");
        ServerVersion v104 = ServerVersion.parse("10.4.31-MariaDB");
        ServerVersion v1052 = ServerVersion.parse("10.5.2-MariaDB");
        assertFalse(zimbra87.hasBackupStage());
        assertTrue(v104.hasBackupStage());
        assertEquals("SHOW MASTER STATUS", v104.binlogStatusStatement());
        assertEquals("SHOW BINLOG STATUS", v1052.binlogStatusStatement());
        assertEquals("REPLICATION CLIENT", v104.binlogMonitorPrivilege());
        assertEquals("BINLOG MONITOR", ServerVersion.parse("11.8.9").binlogMonitorPrivilege());
        assertTrue(ServerVersion.parse("x").hasBackupStage(), "an unreadable version gets the newest rules");
    }

    @Test
    void theBinlogNeedIsNamedAsTheServersGrantSpellsIt() {
        List<String> old = Privileges.needed(QuiesceMethod.FTWRL, 0, true, ServerVersion.parse("10.3.39")).stream()
                .map(Privileges.Need::name).toList();
        assertEquals(List.of("RELOAD", "SUPER", "PROCESS", "REPLICATION CLIENT"), old);
        List<String> current = Privileges.needed(QuiesceMethod.FTWRL, 0, true, ServerVersion.parse("10.11.6")).stream()
                .map(Privileges.Need::name).toList();
        assertEquals(List.of("RELOAD", "SUPER", "PROCESS", "BINLOG MONITOR"), current);
    }
}
