package org.zmsnap.promote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
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
import org.zmsnap.zfs.Zfs;

/**
 * What only OpenZFS has: a receive cut mid-stream leaves a {@code receive_resume_token} on the DR copy. Promote
 * refuses and changes nothing; with {@code --abort-partial} it discards the partial state ({@code zfs receive -A})
 * first, never chooses the cut set, and keeps the newer sets of the other copies by going live as clones.
 *
 * <p>Both pools are in the OpenZFS guest and the agent's {@link Zfs} reaches them over its own SSH runner; the mount
 * table and mount paths are read in the guest too. The process scan for running receives is this machine's (a
 * production promote runs on the DR host itself): covered on zfs-fuse by {@code PromoteCliIT}.
 */
class PromoteZfsIT {
    static final String T1 = "zmsnap_hourly_2026-11-30T10:00:00Z";
    static final String T2 = "zmsnap_hourly_2026-11-30T11:00:00Z";

    @Test
    void aCutReceiveIsRefusedThenDiscardedWithAbortPartial() throws Exception {
        ZfsUnderTest.require(TestZfs.OPENZFS);
        TestPool src = TestZfs.OPENZFS.createZimbraLayout();
        TestPool dr = null;
        ZfsReach reach = null;
        Path local = Files.createTempDirectory("zmsnap-promote-zfs-it-");
        try {
            dr = TestZfs.OPENZFS.createEmpty("zdr", "2G");
            reach = ZfsReach.of(dr);
            OpenZfsVm vm = ((GuestPool) dr).vm();
            String root = dr.name() + "/mbox1";
            String mnt = "/srv/" + dr.name();
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
                String copy = root + "/zimbra/" + leaf;
                bash(vm, "zfs send " + src.dataset(leaf) + "@" + T1 + " | zfs receive -u " + copy).orThrow();
                dr.zfs("set", "readonly=on", copy);
                dr.zfs("set", "org.zmsnap:source-mountpoint=" + mnt + "/" + leaf, copy);
                if (!leaf.equals("store")) {
                    bash(vm, "zfs send -i " + T1 + " " + src.dataset(leaf) + "@" + T2 + " | zfs receive -u " + copy).orThrow();
                }
            }
            // The store's increment is cut after 2 MB of its 16 MiB: a resumable receive keeps the partial state.
            Proc.Result cut = bash(vm, "zfs send -i " + T1 + " " + src.dataset("store") + "@" + T2
                    + " | head -c 2000000 | zfs receive -s -u " + root + "/zimbra/store");
            assertNotEquals(0, cut.exitCode(), "the cut receive fails");
            String token = dr.zfs("get", "-H", "-o", "value", "receive_resume_token", root + "/zimbra/store").stdout().strip();
            assertNotEquals("-", token, "a resume token was left");

            // The recorded paths are outside /opt/zimbra, which promote does not trust from a mailbox host: the DR
            // admin names them.
            StringBuilder mps = new StringBuilder("    mountpoints:\n");
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                mps.append("      ").append(src.dataset(leaf)).append(": ").append(mnt).append('/').append(leaf).append('\n');
            }
            Config cfg = ConfigLoader.parse("host: drz\nlock-file: " + local.resolve("dr.lock") + "\nsources:\n  mbox1:\n"
                    + "    datasets: [" + String.join(", ", src.zimbraDatasets()) + "]\n    root: " + root + "\n"
                    + "    keep: { hourly: 5 }\n" + mps, local.resolve("dr.yaml"));
            Zfs zfs = new Zfs(reach.runner(), "zfs", Duration.ofSeconds(60));
            CopySurvey survey = new CopySurvey(zfs, new RunningReceives(),
                    () -> MountTable.parse(bash(vm, "cat /proc/self/mountinfo").orThrow().stdout()),
                    p -> PathState.valueOf(bash(vm, "p='" + p + "'; if [ ! -e \"$p\" ]; then echo ABSENT; elif [ ! -d \"$p\" ];"
                            + " then echo NOT_A_DIRECTORY; elif [ -z \"$(ls -A \"$p\")\" ]; then echo EMPTY_DIRECTORY;"
                            + " else echo NON_EMPTY_DIRECTORY; fi").orThrow().stdout().strip()));
            PromoteService service = new PromoteService(cfg, zfs, survey, Clock.systemUTC());

            List<String> before = dr.snapshots();
            PromotionOutcome.Refused refused = assertInstanceOf(PromotionOutcome.Refused.class,
                    service.promote(PromoteRequest.latest("mbox1")));
            assertTrue(refused.reason().contains("was cut mid-stream") && refused.reason().contains("--abort-partial"), refused.reason());
            assertEquals(before, dr.snapshots());
            assertEquals(token, dr.zfs("get", "-H", "-o", "value", "receive_resume_token", root + "/zimbra/store").stdout().strip(),
                    "the partial state is untouched by the refusal");

            PromotionOutcome o = service.promote(new PromoteRequest("mbox1", java.util.Optional.empty(), false, true));
            PromotionOutcome.Promoted p = assertInstanceOf(PromotionOutcome.Promoted.class, o, o.toString());
            assertEquals(new Step.AbortPartial(org.zmsnap.zfs.DatasetName.of(root + "/zimbra/store")), p.steps().get(0).step());
            assertEquals(T1, p.plan().set().name(), "the cut set is never chosen");
            assertEquals(PromotionPlan.Mode.CLONE, p.plan().mode(), "the other copies have the newer set");
            assertEquals("-", dr.zfs("get", "-H", "-o", "value", "receive_resume_token", root + "/zimbra/store").stdout().strip());
            assertTrue(dr.snapshots().contains(root + "/zimbra/db@" + T2), "the newer set of the db copy is kept");
            assertEquals("yes", dr.zfs("get", "-H", "-o", "value", "mounted", root + "/zimbra/store_promoted").stdout().strip());
            assertEquals(mnt + "/store", dr.zfs("get", "-H", "-o", "value", "mountpoint", root + "/zimbra/store_promoted").stdout().strip());
            assertTrue(bash(vm, "test -f " + mnt + "/store/a").ok(), "the set's files are in the promoted store");
            assertTrue(dr.zfs("get", "-H", "-o", "value", PromotedMark.PROPERTY, root + "/zimbra/db").stdout().contains(T1));
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
