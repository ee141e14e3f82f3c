package org.zmsnap.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.promote.RunningReceives;
import org.zmsnap.restore.session.RestoreSession;
import org.zmsnap.restore.session.RestoreSource;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/** The guard's decisions, over a procfs-shaped directory and a zfs that answers from a table (unit test: no I/O of its own). */
class SetGuardTest {
    static final List<DatasetName> COPIES = List.of(new DatasetName("backup/mbox1/zimbra/db"), new DatasetName("backup/mbox1/zimbra/redolog"));
    static final RestoreSource SOURCE = new RestoreSource("source:mbox1:backup/mbox1", "source mbox1 (backup/mbox1 on this host)",
            Optional.empty(), false, COPIES, Map.of());
    static final SnapshotSet SET = DrillStatusTest.set("2026-11-30T10:00:00Z", null);

    @TempDir
    Path tmp;

    /** zfs version answers only when {@code openZfs}; receive_resume_token is set on {@code cut}. */
    static Zfs zfs(boolean openZfs, Set<String> cut, List<List<String>> calls) {
        CommandRunner runner = c -> {
            calls.add(c.argv());
            List<String> a = c.argv();
            if (a.get(1).equals("version")) {
                return new CommandResult(c, openZfs ? 0 : 1, openZfs ? "zfs-2.1.11-1\nzfs-kmod-2.1.11-1\n" : "", "", Duration.ZERO);
            }
            if (a.get(1).equals("get") && a.contains("receive_resume_token")) {
                return new CommandResult(c, 0, cut.contains(a.get(a.size() - 1)) ? "1-e3f2a9c-c0-789c\n" : "-\n", "", Duration.ZERO);
            }
            throw new AssertionError("unexpected " + a);
        };
        return new Zfs(runner, "zfs", Duration.ofSeconds(5));
    }

    Path proc(String... cmdlines) throws Exception {
        Path proc = Files.createDirectories(tmp.resolve("proc"));
        int pid = 100;
        for (String c : cmdlines) {
            Path p = Files.createDirectories(proc.resolve(Integer.toString(pid++)));
            Files.write(p.resolve("cmdline"), (c.replace(' ', '\0') + "\0").getBytes(StandardCharsets.UTF_8));
        }
        return proc;
    }

    SetGuard guard(RestoreSource source, Zfs zfs, Path proc, Path workdir) {
        return new SetGuard(zfs, source, workdir, new RunningReceives(proc, "zfs"), Duration.ZERO, m -> { });
    }

    @Test
    void aReceiveRunningIntoACopyIsRefusedBeforeAnythingElse() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        SetBusyException e = assertThrows(SetBusyException.class, () -> guard(SOURCE, zfs(true, Set.of(), calls),
                proc("sshd: root@notty", "zfs receive -u backup/mbox1/zimbra/redolog"), tmp).check(SET));
        assertTrue(e.getMessage().contains("a receive into its copies is running (pid 101: zfs receive -u backup/mbox1/zimbra/redolog)")
                && e.getMessage().contains("nothing was changed"), e.getMessage());
        assertEquals(List.of(), calls, "refused from /proc alone");
    }

    @Test
    void aCutReceiveOnOpenZfsIsRefusedWithTheWayOut() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        SetBusyException e = assertThrows(SetBusyException.class, () -> guard(SOURCE, zfs(true, Set.of("backup/mbox1/zimbra/redolog"), calls),
                proc("zfs receive -u backup/other/zimbra/db"), tmp).check(SET));
        assertTrue(e.getMessage().contains("[backup/mbox1/zimbra/redolog] was cut mid-stream (receive_resume_token is set)")
                && e.getMessage().contains("zfs receive -A backup/mbox1/zimbra/redolog"), e.getMessage());
    }

    @Test
    void zfsFuseHasNoTokenToReadAndThisHostsOwnSetsAreNeverReceivedInto() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        guard(SOURCE, zfs(false, Set.of("backup/mbox1/zimbra/redolog"), calls), proc(), tmp).check(SET);
        assertEquals(List.of(List.of("zfs", "version")), calls);
        RestoreSource local = new RestoreSource("local", "this host", Optional.empty(), false, COPIES, Map.of());
        guard(local, zfs(true, Set.of("backup/mbox1/zimbra/redolog"), calls), proc("zfs receive -u backup/mbox1/zimbra/db"), tmp).check(SET);
    }

    @Test
    void anotherZmsnapWithTheSameSetOpenIsNamedAndOtherSetsOrSourcesAreNot() throws Exception {
        Path workdir = Files.createDirectories(tmp.resolve("work"));
        Process holder = new ProcessBuilder("sleep", "60").start();
        try {
            session(workdir, "a", SET.tag().name(), holder.pid(), "source:mbox2:backup/mbox2");
            session(workdir, "b", "zmsnap_hourly_2026-11-29T10:00:00Z", holder.pid(), SOURCE.key());
            session(workdir, "c", SET.tag().name(), 0, SOURCE.key()); // kept by mount: reused, not waited for
            guard(SOURCE, zfs(false, Set.of(), new ArrayList<>()), proc(), workdir).check(SET);
            session(workdir, "d", SET.tag().name(), holder.pid(), SOURCE.key());
            SetBusyException e = assertThrows(SetBusyException.class,
                    () -> guard(SOURCE, zfs(false, Set.of(), new ArrayList<>()), proc(), workdir).check(SET));
            assertTrue(e.getMessage().contains("is open by another zmsnap: pid " + holder.pid() + " (sleep 60), session d"), e.getMessage());
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    static void session(Path workdir, String id, String tag, long owner, String source) throws Exception {
        Path dir = Files.createDirectories(workdir.resolve(id));
        new RestoreSession(id, tag, owner, 0, 0, List.of(), Map.of(), dir.resolve("data"), source).save(dir);
    }

    @Test
    void theHolderIsNamedByItsZmsnapWords() {
        assertEquals("zmsnap verify -c /etc/zmsnap/dr.yaml --source mbox1 --snapshot latest", SetGuard.command(List.of("-cp", "/opt/zmsnap/lib/*",
                "-Dzmsnap.log.level=WARN", "org.zmsnap.cli.Main", "verify", "-c", "/etc/zmsnap/dr.yaml", "--source", "mbox1", "--snapshot", "latest")));
        assertEquals("zmsnap restore item -c x.yaml --account a@b --item 300", SetGuard.command(List.of("org.zmsnap.cli.Main", "restore", "item",
                "-c", "x.yaml", "--account", "a@b", "--item", "300", "--to-dir", "/tmp/out")));
        assertEquals("zmsnapd, a restore drill", SetGuard.command(List.of("-cp", "x", "org.zmsnap.daemon.Zmsnapd", "-c", "/etc/zmsnap.yaml")));
    }
}
