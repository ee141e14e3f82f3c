package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.exec.ShellQuote;
import org.zmsnap.fixtures.GuestPool;
import org.zmsnap.fixtures.OpenZfsVm;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.TestZfs;
import org.zmsnap.fixtures.ZfsUnderTest;
import org.zmsnap.zfs.DatasetName;

/**
 * What {@code zmsnap serve} relies on from OpenZFS 2.1 (the KVM test guest): the receive argv {@link ServePolicy}
 * builds there ({@code -u} with {@code -x}/{@code -o}) keeps a stream's own {@code mountpoint} and {@code canmount}
 * from taking effect even on its own (without the stream-header check, which every flavour has), also after
 * {@code zfs mount -a}; and {@code zfs send -nvt} prints what {@link SendOnlyPolicy#resumeAllowed} reads.
 */
class ServeOpenZfsIT {
    static final Duration T = Duration.ofSeconds(120);
    GuestPool pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
    }

    OpenZfsVm vm() {
        return pool.vm();
    }

    /** Runs {@code argv < file} in the guest: a stream fed to a receive exactly as serve would run it. */
    Proc.Result feed(List<String> argv, String file) {
        return vm().bash(T, ShellQuote.join(argv) + " < " + ShellQuote.join(List.of(file)));
    }

    @Test
    void receiveOverridesKeepAStreamsMountpointAndCanmountFromTakingEffectFullAndIncremental() {
        ZfsUnderTest.require(TestZfs.OPENZFS);
        pool = GuestPool.create(OpenZfsVm.shared(), "zsv", "512M", false);
        String p = pool.name();
        String victim = "/root/zmsnap-victim-" + p;
        String evil = p + "/attacker";
        pool.zfs("create", "-o", "mountpoint=" + victim, "-o", "canmount=on", evil);
        vm().run(T, "touch", victim + "/authorized_keys").orThrow();
        pool.zfs("snapshot", evil + "@1");
        pool.zfs("snapshot", evil + "@2");
        vm().bash(T, "zfs send -p " + evil + "@1 > /srv/zmsnap/" + p + "-full && zfs send -p -i @1 " + evil + "@2 > /srv/zmsnap/"
                + p + "-inc").orThrow();
        pool.zfs("destroy", "-r", evil);
        assertFalse(vm().run(T, "test", "-e", victim + "/authorized_keys").ok());

        String root = p + "/mbox1";
        pool.zfs("create", root);
        ServePolicy policy = new ServePolicy(DatasetName.of(root), false, true);
        for (String[] c : List.of(new String[] {"zfs receive " + root + "/evil", "-full"},
                new String[] {"zfs receive -u " + root + "/evil", "-inc"})) {
            List<String> argv = policy.check(c[0]).command().orElseThrow();
            assertTrue(argv.containsAll(List.of("-u", "-x", "mountpoint", "-o", "canmount=noauto")), argv.toString());
            Proc.Result r = feed(argv, "/srv/zmsnap/" + p + c[1]);
            assertEquals(0, r.exitCode(), r.stderr());
        }
        String got = pool.zfs("get", "-H", "-o", "property,value,source", "mountpoint,canmount,readonly,exec,setuid,devices,mounted",
                root + "/evil").stdout();
        assertTrue(got.contains("mountpoint\t/srv/zmsnap/mnt/" + p + "/mbox1/evil\tinherited"), got);
        assertTrue(got.contains("canmount\tnoauto\tlocal"), got);
        assertTrue(got.contains("readonly\ton\tlocal") && got.contains("exec\toff\tlocal") && got.contains("setuid\toff\tlocal"), got);
        assertTrue(got.contains("mounted\tno"), got);

        // The guest reboots its mounts: nothing at the attacker's path, nothing of the received dataset mounted.
        vm().run(T, "zfs", "mount", "-a").orThrow();
        assertFalse(vm().run(T, "findmnt", victim).ok(), "nothing mounted at " + victim);
        assertFalse(vm().run(T, "test", "-e", victim + "/authorized_keys").ok());
        assertEquals("no", pool.zfs("get", "-H", "-o", "value", "mounted", root + "/evil").stdout().strip());
    }

    @Test
    void anInterruptedReceiveThroughTheServeArgvResumesAndItsTokenNamesItsSnapshotForSendOnly() {
        ZfsUnderTest.require(TestZfs.OPENZFS);
        pool = GuestPool.create(OpenZfsVm.shared(), "zst", "512M", true);
        String p = pool.name();
        String snap = pool.dataset("store") + "@zmsnap_hourly_2026-11-22T10:00:00Z";
        pool.writeRandom(pool.dataset("store"), "blob", 2048);
        pool.zfs("snapshot", snap);
        String root = p + "/mbox1";
        pool.zfs("create", root);
        // Cut a resumable receive short, received with exactly the argv serve runs on OpenZFS.
        List<String> recv = new ServePolicy(DatasetName.of(root), false, true).check("zfs receive -s -u " + root + "/store")
                .command().orElseThrow();
        vm().bash(T, "zfs send " + snap + " | head -c 600000 | " + ShellQuote.join(recv) + "; true");
        String token = pool.zfs("get", "-H", "-o", "value", "receive_resume_token", root + "/store").stdout().strip();
        assertTrue(token.length() > 20, token);

        // The mailbox host's serve --send-only: the token's snapshot is read with zfs send -nvt, and must be inside.
        SendOnlyPolicy sendOnly = new SendOnlyPolicy(DatasetName.of(p + "/zimbra"));
        ServeDecision d = sendOnly.check("zfs send -t " + token);
        assertTrue(d instanceof ServeDecision.SendResume, d.toString());
        Proc.Result dry = vm().run(T, "zfs", "send", "-nvt", token);
        assertEquals(0, dry.exitCode(), dry.stderr());
        assertEquals(Optional.empty(), sendOnly.resumeAllowed(dry.stdout()), dry.stdout());
        assertTrue(new SendOnlyPolicy(DatasetName.of(p + "/zimbra/db")).resumeAllowed(dry.stdout()).orElseThrow().contains("outside"),
                dry.stdout());

        // The resumed stream goes into the same serve argv and completes.
        Proc.Result resumed = vm().bash(T, "zfs send -t " + token + " | " + ShellQuote.join(recv));
        assertEquals(0, resumed.exitCode(), resumed.stderr());
        assertTrue(pool.zfs("list", "-H", "-t", "snapshot", "-o", "name", root + "/store").stdout()
                .contains(root + "/store@zmsnap_hourly_2026-11-22T10:00:00Z"));
        assertEquals("noauto", pool.zfs("get", "-H", "-o", "value", "canmount", root + "/store").stdout().strip());
    }
}
