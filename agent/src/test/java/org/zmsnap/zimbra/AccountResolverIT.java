package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.zimbra.ZimbraSchema;

/** Account lookup on a real MariaDB with Zimbra's mailbox table, with and without a directory (zmprov). */
class AccountResolverIT {
    private static final String ANNA = "11111111-1111-4111-8111-111111111111";
    private static final String OLD_BOB = "22222222-2222-4222-8222-222222222222";
    private static final String NEW_BOB = "33333333-3333-4333-8333-333333333333";

    @TempDir
    static Path dir;
    private static MariaDbServer db;
    private static Connection c;

    @BeforeAll
    static void start() throws Exception {
        db = MariaDbServer.start(dir.resolve("data"));
        c = db.connect();
        ZimbraSchema.create(c, dir.resolve("store"), dir.resolve("index"));
        try (Statement s = c.createStatement()) {
            // anna was created as anna.old@ and renamed since; bob was deleted and created again (NEW_BOB has no
            // mailbox in this "snapshot" yet).
            s.execute("INSERT INTO zimbra.mailbox (id, group_id, account_id, index_volume_id, comment, version)"
                    + " VALUES (3, 3, '" + ANNA + "', 2, 'anna.old@example.com', '4.1'),"
                    + " (4, 4, '" + OLD_BOB + "', 2, 'Bob@Example.com', '4.1')");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) {
            c.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private static Optional<ZmprovDirectory> directory() throws Exception {
        Path zmprov = dir.resolve("zmprov");
        Files.writeString(zmprov, """
                #!/bin/sh
                case "$3" in
                  anna@example.com|anna.alias@example.com) echo "# name anna@example.com"; echo "zimbraId: %s" ;;
                  bob@example.com) echo "# name bob@example.com"; echo "zimbraId: %s" ;;
                  *) echo "ERROR: account.NO_SUCH_ACCOUNT (no such account: $3)"; exit 2 ;;
                esac
                """.formatted(ANNA, NEW_BOB));
        Files.setPosixFilePermissions(zmprov, PosixFilePermissions.fromString("rwx------"));
        return ZmprovDirectory.of(new RestoreConfig.Zmprov(Optional.of(zmprov), Optional.empty()), new LocalCommandRunner(), false);
    }

    @Test
    void theDirectoryFindsRenamedAccountsAndAliases() throws Exception {
        assertEquals(3, AccountResolver.resolve(c, "anna@example.com", directory()).mailboxId());
        assertEquals(3, AccountResolver.resolve(c, "anna.alias@example.com", directory()).mailboxId());
        RestoreUsageException e = assertThrows(RestoreUsageException.class, () -> AccountResolver.resolve(c, "anna@example.com"));
        assertTrue(e.getMessage().contains("did you mean: anna.old@example.com"), e.getMessage());
    }

    @Test
    void anAccountCreatedAgainUnderItsAddressFindsTheSnapshotsMailboxByComment() throws Exception {
        assertEquals(4, AccountResolver.resolve(c, "bob@example.com", directory()).mailboxId());
        assertEquals(4, AccountResolver.resolve(c, "BOB@example.com", Optional.empty()).mailboxId());
    }

    @Test
    void idsAndMailboxIdsNeedNoDirectory() throws Exception {
        assertEquals(3, AccountResolver.resolve(c, ANNA, directory()).mailboxId());
        assertEquals(4, AccountResolver.resolve(c, "4", directory()).mailboxId());
        assertThrows(RestoreUsageException.class, () -> AccountResolver.resolve(c, "carol@example.com", directory()));
    }
}
