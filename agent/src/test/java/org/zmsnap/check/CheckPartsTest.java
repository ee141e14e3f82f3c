package org.zmsnap.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.config.RestoreConfig;

class CheckPartsTest {
    @TempDir
    Path dir;

    @Test
    void anExceptionBecomesAFailingLineWithItsMessageAndTheFix() {
        Lines l = new Lines("target dr1");
        boolean went = l.attempt("serve", "fix the forced command", x -> {
            throw new IllegalStateException("zmsnap serve (root a/b): refused 'zfs list c'");
        });
        assertFalse(went);
        CheckResult r = l.results().get(0);
        assertInstanceOf(CheckResult.Fail.class, r);
        assertEquals("target dr1", r.area());
        assertEquals("zmsnap serve (root a/b): refused 'zfs list c'", r.detail());
        assertEquals("fix the forced command", r.fix());
        assertEquals("fail", r.level());
        assertEquals("NullPointerException", Lines.message(new NullPointerException()));
    }

    @Test
    void aReportFailsOnlyWithAFailingLine() {
        CheckReport warned = new CheckReport(List.of(new CheckResult.Ok("a", "b", "c"), new CheckResult.Warn("a", "b", "c", "d")));
        assertFalse(warned.failed());
        assertEquals(1, warned.count(CheckResult.Warn.class));
        assertTrue(new CheckReport(List.of(new CheckResult.Fail("a", "b", "c", "d"))).failed());
    }

    @Test
    void anUnknownHostKeyGetsTheKeyscanCommandForItsPortAndFile() {
        String m = "the host key of [10.0.0.2]:2222 (ssh-ed25519) is not in /etc/zmsnap/known_hosts: refusing to connect";
        assertTrue(SshProbe.hostKeyProblem(m));
        String fix = SshProbe.hostKeyFix(m, "10.0.0.2", 2222, Path.of("/etc/zmsnap/known_hosts"));
        assertTrue(fix.endsWith("ssh-keyscan -p 2222 10.0.0.2 >> /etc/zmsnap/known_hosts"), fix);
        String changed = SshProbe.hostKeyFix("the host key of dr has CHANGED since", "dr", 22, Path.of("/k"));
        assertTrue(changed.contains("ssh-keygen -R 'dr' -f /k && ssh-keyscan dr >> /k"), changed);
        assertFalse(SshProbe.hostKeyProblem("SSH login to root@dr:22 refused: check the target's user and identity"));
    }

    @Test
    void theLockFilesDirectoryMustExistAndBeWritable() throws Exception {
        assertEquals("ok", HostCheck.lockFile(withLock(dir.resolve("cycle.lock"))).get(0).level());
        CheckResult missing = HostCheck.lockFile(withLock(dir.resolve("run/zmsnap/cycle.lock"))).get(0);
        assertEquals("fail", missing.level());
        assertTrue(missing.fix().contains("mkdir -p " + dir.resolve("run/zmsnap")), missing.fix());
    }

    @Test
    void restoreNeedsAnExecutableMariadbdAndSaysHowMuchRoomTheWorkdirHas() throws Exception {
        Path bin = Files.createFile(dir.resolve("mariadbd"));
        RestoreConfig r = new RestoreConfig(dir.resolve("work"), bin, Path.of("data"), Optional.empty(), RestoreConfig.Zmprov.defaults());
        List<CheckResult> lines = RestoreCheck.run(r, Optional.empty(), Duration.ofSeconds(1));
        assertEquals("fail", lines.get(0).level());
        assertTrue(lines.get(0).detail().contains("not an executable file"), lines.get(0).detail());
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        lines = RestoreCheck.run(r, Optional.empty(), Duration.ofSeconds(1));
        assertEquals("ok", lines.get(0).level());
        assertEquals("workdir", lines.get(1).what());
        assertTrue(lines.get(1).detail().contains("(created on first use)"), lines.get(1).detail());
        assertEquals(2, lines.size()); // no imap section: no IMAP lines
    }

    @Test
    void aHostWithoutZfsGetsFailingLinesNamingThePackageNotAStackTrace() {
        org.zmsnap.zfs.Zfs none = new org.zmsnap.zfs.Zfs(new org.zmsnap.exec.LocalCommandRunner(), dir.resolve("no-zfs").toString(),
                Duration.ofSeconds(5));
        CheckResult zfs = HostCheck.zfs(none).get(0);
        assertEquals("fail", zfs.level());
        assertTrue(zfs.detail().contains("no-zfs"), zfs.detail());
        assertTrue(zfs.fix().contains("zfsutils-linux"), zfs.fix());
        List<CheckResult> lines = HostCheck.datasets(withLock(dir.resolve("cycle.lock")), none);
        CheckResult datasets = lines.get(0);
        assertEquals("fail", datasets.level());
        assertTrue(datasets.fix().contains("zfsutils-linux"), datasets.fix());
        CheckResult route = lines.get(lines.size() - 1);
        assertEquals("snapshot call", route.what());
        assertEquals("'" + dir.resolve("no-zfs") + " snapshot' (libzfs-core is off, or this is not this host's plain zfs program)",
                route.detail());
    }

    private org.zmsnap.config.Config withLock(Path lock) {
        String yaml = "mariadb:\n  socket: /run/mysqld/mysqld.sock\ndatasets:\n  - tank/zimbra/db\nlock-file: " + lock + "\n";
        return org.zmsnap.config.ConfigLoader.parse(yaml, Path.of("test.yaml"));
    }
}
