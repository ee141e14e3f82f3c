package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.exec.LocalCommandRunner;

/**
 * The zmprov conversation, against a stand-in zmprov script that answers as Zimbra 8.8/9/10's does
 * ({@code # name ...} then {@code zimbraId: ...}; ERROR: account.NO_SUCH_ACCOUNT with exit 2).
 */
class ZmprovDirectoryTest {
    private static final String ANNA_ID = "5b1a7e2c-0d3f-4c6b-9a8e-1f2d3c4b5a69";

    @TempDir
    Path dir;

    private ZmprovDirectory directory(String script) throws IOException {
        Path zmprov = dir.resolve("zmprov");
        Files.writeString(zmprov, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(zmprov, PosixFilePermissions.fromString("rwx------"));
        return ZmprovDirectory.of(new RestoreConfig.Zmprov(Optional.of(zmprov), Optional.of("zimbra")), new LocalCommandRunner(), false)
                .orElseThrow();
    }

    @Test
    void aKnownAddressGivesItsZimbraId() throws IOException {
        ZmprovDirectory d = directory("""
                [ "$1 $2 $4" = "-l getAccount zimbraId" ] || exit 9
                case "$3" in
                  anna@example.com|anna.alias@example.com) printf '# name anna@example.com\\nzimbraId: %s\\n\\n' 5B1A7E2C-0D3F-4C6B-9A8E-1F2D3C4B5A69 ;;
                  *) echo "ERROR: account.NO_SUCH_ACCOUNT (no such account: $3)" >&2; exit 2 ;;
                esac
                """);
        assertEquals(Optional.of(ANNA_ID), d.zimbraId("anna@example.com"));
        assertEquals(Optional.of(ANNA_ID), d.zimbraId("anna.alias@example.com"), "aliases resolve through the directory");
        assertEquals(Optional.empty(), d.zimbraId("nobody@example.com"));
        assertEquals(Optional.empty(), d.zimbraId("-l@x"), "nothing that looks like an option reaches zmprov");
    }

    @Test
    void aDirectoryFailureIsAnErrorWithZmprovsWordsAndTheWayOut() throws IOException {
        ZmprovDirectory d = directory("echo 'ERROR: service.FAILURE (system failure: unable to connect to LDAP)' >&2; exit 2\n");
        RestoreException e = assertThrows(RestoreException.class, () -> d.zimbraId("anna@example.com"));
        assertTrue(e.getMessage().contains("unable to connect to LDAP"), e.getMessage());
        assertTrue(e.getMessage().contains("restore.zmprov: none"), e.getMessage());
    }

    @Test
    void runsAsTheZimbraUserWhenRootAndNotAtAllWhereZimbraIsMissing() throws IOException {
        Path zmprov = dir.resolve("zmprov");
        Files.writeString(zmprov, "#!/bin/sh\n");
        Files.setPosixFilePermissions(zmprov, PosixFilePermissions.fromString("rwx------"));
        RestoreConfig.Zmprov cfg = new RestoreConfig.Zmprov(Optional.of(zmprov), Optional.of("zimbra"));
        assertEquals(List.of("runuser", "-u", "zimbra", "--", zmprov.toString()),
                ZmprovDirectory.of(cfg, new LocalCommandRunner(), true).orElseThrow().prefix());
        assertEquals(List.of(zmprov.toString()), ZmprovDirectory.of(cfg, new LocalCommandRunner(), false).orElseThrow().prefix());
        RestoreConfig.Zmprov missing = new RestoreConfig.Zmprov(Optional.of(dir.resolve("no-zimbra-here")), Optional.of("zimbra"));
        assertTrue(ZmprovDirectory.of(missing, new LocalCommandRunner(), true).isEmpty());
        assertTrue(ZmprovDirectory.of(new RestoreConfig.Zmprov(Optional.empty(), Optional.empty()), new LocalCommandRunner(), true).isEmpty());
    }
}
