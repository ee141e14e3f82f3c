package org.zmsnap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code restore:} section, in the style of ConfigLoaderTest. */
class RestoreConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String MINIMAL = """
            mariadb:
              socket: /run/mysqld/mysqld.sock
            datasets: [tank/zimbra/db, tank/zimbra/store]
            """;

    private static Config parse(String yaml) {
        return ConfigLoader.parse(yaml, Path.of("test.yaml"));
    }

    private static ConfigException error(String restoreSection) {
        return assertThrows(ConfigException.class, () -> parse(MINIMAL + restoreSection));
    }

    private Path passwordFile(String mode) throws Exception {
        Path pw = dir.resolve("imap-pw-" + mode);
        Files.writeString(pw, "secret\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString(mode));
        return pw;
    }

    @Test
    void absentSectionGivesDefaultsAndNoImap() {
        RestoreConfig r = parse(MINIMAL).restore();
        assertEquals(RestoreConfig.defaults(), r);
        assertEquals(Optional.empty(), r.imap(), "without imap: restores can only write files");
    }

    @Test
    void readsEveryKey() throws Exception {
        Path pw = passwordFile("rw-------");
        RestoreConfig r = parse(MINIMAL + """
                restore:
                  workdir: /srv/zmsnap-restore
                  mariadbd: /opt/zimbra/common/sbin/mysqld
                  datadir: db/data
                  imap:
                    host: mail.example.com
                    port: 7143
                    tls: none
                    admin-user: admin@example.com
                    admin-password-file: %s
                """.formatted(pw)).restore();
        assertEquals(Path.of("/srv/zmsnap-restore"), r.workdir());
        assertEquals(Path.of("/opt/zimbra/common/sbin/mysqld"), r.mariadbd());
        assertEquals(Path.of("db/data"), r.datadir());
        assertEquals(new RestoreConfig.ImapConfig("mail.example.com", 7143, RestoreConfig.Tls.NONE, "admin@example.com", pw,
                Optional.empty()),
                r.imap().orElseThrow());
    }

    @Test
    void imapDefaultsToLocalStarttlsOn143() throws Exception {
        Path pw = passwordFile("r--------");
        RestoreConfig.ImapConfig i = parse(MINIMAL + """
                restore:
                  imap: { admin-user: admin, admin-password-file: %s }
                """.formatted(pw)).restore().imap().orElseThrow();
        assertEquals("127.0.0.1", i.host());
        assertEquals(143, i.port());
        assertEquals(RestoreConfig.Tls.STARTTLS, i.tls());
    }

    @Test
    void implicitTlsDefaultsTo993AndTakesACaFile() throws Exception {
        Path pw = passwordFile("r--------");
        Path ca = Files.createTempFile("zmsnap-ca", ".pem");
        Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n");
        RestoreConfig.ImapConfig i = parse(MINIMAL + """
                restore:
                  imap: { host: mail.example.com, tls: implicit, ca-file: %s, admin-user: admin, admin-password-file: %s }
                """.formatted(ca, pw)).restore().imap().orElseThrow();
        assertEquals(993, i.port());
        assertEquals(RestoreConfig.Tls.IMPLICIT, i.tls());
        assertEquals(Optional.of(ca), i.caFile());

        ConfigException missing = error("restore:\n  imap: { tls: implicit, ca-file: /nonexistent/ca.pem, admin-user: a,"
                + " admin-password-file: " + pw + " }\n");
        assertEquals("restore.imap.ca-file", missing.path());
        ConfigException plain = error("restore:\n  imap: { tls: none, ca-file: " + ca + ", admin-user: a,"
                + " admin-password-file: " + pw + " }\n");
        assertTrue(plain.getMessage().contains("tls is none"), plain.getMessage());
        ConfigException bad = error("restore:\n  imap: { tls: ssl, admin-user: a, admin-password-file: " + pw + " }\n");
        assertTrue(bad.getMessage().contains("starttls | implicit | none"), bad.getMessage());
    }

    @Test
    void unknownKeyNamesItsPathAndTheClosestValidKey() {
        ConfigException e = error("restore:\n  wrokdir: /srv/r\n");
        assertEquals("restore.wrokdir", e.path());
        assertTrue(e.getMessage().contains("workdir"), e.getMessage());
    }

    @Test
    void unknownImapKeyIsReportedUnderImap() throws Exception {
        Path pw = passwordFile("rw-------");
        ConfigException e = error("restore:\n  imap:\n    admin-user: a\n    admin-password-file: " + pw + "\n    prot: 143\n");
        assertEquals("restore.imap.prot", e.path());
        assertTrue(e.getMessage().contains("port"), e.getMessage());
    }

    @Test
    void relativeWorkdirIsRejected() {
        assertEquals("restore.workdir", error("restore:\n  workdir: var/restore\n").path());
    }

    @Test
    void workdirTooLongForTheSandboxSocketIsRejected() {
        // 61 characters: the sandbox socket below it would not fit sun_path
        String longDir = "/" + "a".repeat(60);
        ConfigException e = error("restore:\n  workdir: " + longDir + "\n");
        assertEquals("restore.workdir", e.path());
        assertTrue(e.getMessage().contains("60 characters"), e.getMessage());
        // exactly 60 is still accepted
        assertEquals(Path.of("/" + "a".repeat(59)), parse(MINIMAL + "restore:\n  workdir: /" + "a".repeat(59) + "\n").restore().workdir());
    }

    @Test
    void badImapValuesNameTheirKey() throws Exception {
        Path pw = passwordFile("rw-------");
        String base = "restore:\n  imap:\n    admin-user: a\n    admin-password-file: " + pw + "\n";
        assertEquals("restore.imap.port", error(base + "    port: 0\n").path());
        assertEquals("restore.imap.port", error(base + "    port: 70000\n").path());
        assertEquals("restore.imap.port", error(base + "    port: imap\n").path());
        ConfigException tls = error(base + "    tls: ssl\n");
        assertEquals("restore.imap.tls", tls.path());
        assertTrue(tls.getMessage().contains("starttls | implicit | none"), tls.getMessage());
        assertEquals("restore.imap.host", error(base + "    host: 'bad host!'\n").path());
    }

    @Test
    void imapNeedsAdminUserAndAPrivatePasswordFile() throws Exception {
        Path pw = passwordFile("rw-------");
        assertTrue(error("restore:\n  imap:\n    admin-password-file: " + pw + "\n").getMessage().contains("admin-user"));
        assertTrue(error("restore:\n  imap:\n    admin-user: a\n").getMessage().contains("admin-password-file"));
        assertEquals("restore.imap.admin-password-file",
                error("restore:\n  imap:\n    admin-user: a\n    admin-password-file: " + dir.resolve("none") + "\n").path());
        ConfigException loose = error("restore:\n  imap:\n    admin-user: a\n    admin-password-file: "
                + passwordFile("rw-r--r--") + "\n");
        assertTrue(loose.getMessage().contains("chmod 600"), loose.getMessage());
    }

    @Test
    void zmprovDefaultsToZimbrasAndCanBeTurnedOffOrMoved() {
        assertEquals(new RestoreConfig.Zmprov(Optional.of(Path.of("/opt/zimbra/bin/zmprov")), Optional.of("zimbra")),
                parse(MINIMAL).restore().zmprov());
        assertEquals(new RestoreConfig.Zmprov(Optional.empty(), Optional.of("zimbra")),
                parse(MINIMAL + "restore:\n  zmprov: none\n").restore().zmprov());
        assertEquals(new RestoreConfig.Zmprov(Optional.of(Path.of("/usr/local/bin/zmprov")), Optional.empty()),
                parse(MINIMAL + "restore:\n  zmprov: /usr/local/bin/zmprov\n  zmprov-user: none\n").restore().zmprov());
    }

    @Test
    void zmprovMustBeAbsoluteAndItsUserAUserName() {
        assertTrue(error("restore:\n  zmprov: bin/zmprov\n").getMessage().contains("restore.zmprov"));
        assertTrue(error("restore:\n  zmprov-user: \"zimbra; rm\"\n").getMessage().contains("restore.zmprov-user"));
    }
}
