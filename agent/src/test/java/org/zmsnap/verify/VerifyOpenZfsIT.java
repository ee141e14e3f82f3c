package org.zmsnap.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.ZfsReach;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.GuestPool;
import org.zmsnap.fixtures.OpenZfsVm;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.TestPool;
import org.zmsnap.fixtures.TestZfs;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.ZfsUnderTest;
import org.zmsnap.restore.RestoreService;

/**
 * What only OpenZFS has: a receive cut mid-stream leaves a {@code receive_resume_token} on a DR copy. A verify of
 * that source's copies is refused before anything is made, with the way out, and changes nothing. The copies are in
 * the OpenZFS guest, reached through the agent's own SSH runner (the /proc scan for running receives is this
 * machine's; covered on zfs-fuse by VerifyDrCopyIT).
 */
class VerifyOpenZfsIT {
    static final String T1 = "zmsnap_hourly_2026-11-30T10:00:00Z";
    static final String T2 = "zmsnap_hourly_2026-11-30T11:00:00Z";

    @Test
    void aCopyWithAResumeTokenIsRefusedAndNothingChanges() throws Exception {
        ZfsUnderTest.require(TestZfs.OPENZFS);
        TestPool src = TestZfs.OPENZFS.createZimbraLayout();
        TestPool dr = null;
        ZfsReach reach = null;
        Path local = Files.createTempDirectory("zmsnap-verify-zfs-it-");
        try {
            dr = TestZfs.OPENZFS.createEmpty("zvz", "2G");
            reach = ZfsReach.of(dr);
            OpenZfsVm vm = ((GuestPool) dr).vm();
            String root = dr.name() + "/mbox1";
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                src.writeRandom(src.dataset(leaf), "a", 256);
                src.zfs("snapshot", src.dataset(leaf) + "@" + T1);
            }
            src.writeRandom(src.dataset("store"), "big", 16 * 1024);
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                src.zfs("snapshot", src.dataset(leaf) + "@" + T2);
            }
            dr.zfs("create", "-p", "-o", "canmount=off", root + "/zimbra");
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                bash(vm, "zfs send " + src.dataset(leaf) + "@" + T1 + " | zfs receive -u " + root + "/zimbra/" + leaf).orThrow();
            }
            // The store's increment is cut after 2 MB of its 16 MiB: a resumable receive keeps the partial state.
            Proc.Result cut = bash(vm, "zfs send -i " + T1 + " " + src.dataset("store") + "@" + T2
                    + " | head -c 2000000 | zfs receive -s -u " + root + "/zimbra/store");
            assertNotEquals(0, cut.exitCode(), "the cut receive fails");
            String token = dr.zfs("get", "-H", "-o", "value", "receive_resume_token", root + "/zimbra/store").stdout().strip();
            assertNotEquals("-", token, "a resume token was left");

            Config cfg = ConfigLoader.parse("host: drz\nlock-file: " + local.resolve("dr.lock") + "\n"
                    + "restore:\n  workdir: " + local.resolve("work") + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n"
                    + "sources:\n  mbox1:\n    datasets: [" + String.join(", ", src.zimbraDatasets()) + "]\n    root: " + root + "\n"
                    + "    keep: { hourly: 5 }\n", local.resolve("dr.yaml"));
            List<String> before = dr.snapshots();
            try (AgentContext ctx = new AgentContext(cfg, reach.runner())) {
                RestoreService restore = new RestoreService(ctx, Optional.empty(), Optional.of("mbox1"));
                SetBusyException e = assertThrows(SetBusyException.class, () -> VerifyService.of(ctx, restore, Clock.systemUTC(),
                        Duration.ZERO, m -> { }).verify("latest", false, 0.01));
                assertTrue(e.getMessage().contains("[" + root + "/zimbra/store] was cut mid-stream (receive_resume_token is set)")
                        && e.getMessage().contains("zfs receive -A " + root + "/zimbra/store") && e.getMessage().contains("Nothing was changed"),
                        e.getMessage());
            }
            assertEquals(before, dr.snapshots());
            assertEquals(token, dr.zfs("get", "-H", "-o", "value", "receive_resume_token", root + "/zimbra/store").stdout().strip(),
                    "the partial state is untouched");
            assertEquals("-", dr.zfs("get", "-H", "-o", "value", "org.zmsnap:verified", root + "/zimbra/db@" + T1).stdout().strip(),
                    "nothing recorded");
            assertFalse(dr.zfs("list", "-H", "-o", "name", "-r", dr.name()).stdout().contains("zmsnap-restore-"), "no clone made");
        } finally {
            if (reach != null) {
                reach.close();
            }
            if (dr != null) {
                dr.close();
            }
            src.close();
            Proc.run(Duration.ofSeconds(30), "rm", "-rf", local.toString());
        }
    }

    static Proc.Result bash(OpenZfsVm vm, String script) {
        return vm.bash(Duration.ofSeconds(120), "set -o pipefail; " + script);
    }
}
