package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.zmsnap.cli.FailbackScenario.JSON;
import static org.zmsnap.cli.PromoteCliIT.assertRefused;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.ZfsPool;

/**
 * Failback end to end on real zfs-fuse pools and real mariadbd ({@link FailbackScenario}): the mailbox host takes and
 * replicates sets while mail arrives, accepts more after the last replicated set, and dies (mariadbd SIGKILL). The DR
 * host promotes, and mail arrives there. Then every refusal changes nothing; the DR admin grants; {@code zmsnap failback}
 * on the old host keeps and exports what only it had, resets without destroying anything and receives only what the DR
 * host wrote; a rerun adds nothing; the handback (refused while the DR's mariadbd runs) takes the final set; the next
 * failback run goes live; every delivery acknowledged on either side is then on the old host or in the salvage; the
 * next normal replication is incremental. {@code FailbackResumeIT} cuts the same failback at every step.
 */
class FailbackCliIT {
    @Test
    void theOldHostComesBackWithTheDrHostsMailAndItsOwnSalvaged() throws Exception {
        Process squatter = null;
        try (FailbackScenario s = FailbackScenario.oldHostDies("zfb")) {
            String common = s.common;
            String m = s.m;
            Path work = s.work;

            // --- not promoted yet: nothing to fail back
            List<String> oldBefore = s.host.pool.snapshots();
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "dr1"), 2, "not promoted");

            // --- the DR host promotes; mail arrives there
            s.promoteAndServe();
            String d = s.d;
            String copyRoot = s.copyRoot;
            assertEquals("1", s.remote("userrefs", copyRoot + "/zimbra/store@" + common),
                    "promote holds the promoted set: the failback's base, whatever this host's retention does meanwhile");

            // --- bad input and missing rights: each refused, nothing changed on either side
            List<String> drBefore = s.dr.snapshots();
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "nosuch"), 2, "unknown zfs target 'nosuch'", "dr1");
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "dr1"), 2, "has not granted", "zmsnap failback grant");
            assertRefused(CliRun.run(work, "failback", "grant", "-c", d, "--source", "mbox1", "--hours", "500"), 2, "at most 168 hours");
            CliRun.Result r = CliRun.run(work, "failback", "grant", "-c", d, "--source", "mbox1", "--hours", "2");
            assertEquals(0, r.exit(), r.err());
            Path store = s.host.pool.mountpoint(s.host.pool.dataset("store"));
            squatter = new ProcessBuilder("sleep", "300").directory(store.toFile()).start(); // someone still on the store
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "dr1"), 2, "in use by " + squatter.pid() + " (sleep)");
            squatter.destroyForcibly().waitFor();
            squatter = null;
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "dr1"), 2, "--salvage-dir");
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--dry-run", "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode dry = JSON.readTree(r.out());
            assertEquals("dry-run", dry.get("result").asText());
            assertEquals(common, dry.get("common").asText(), "the newest set both sides have");
            assertTrue(dry.get("salvage").asText().startsWith("zmsnap_salvage_"), dry.toString());
            assertEquals(oldBefore, s.host.pool.snapshots(), "refusals and the dry run changed nothing here");
            assertEquals(drBefore, s.dr.snapshots(), "nor on the DR host");

            // --- failback, cut mid-way: the first 'zfs promote' of the reset fails (after the salvage, the export, a
            // rename and a clone); nothing is destroyed and the next run continues from what ZFS shows
            Path salvageDir = work.resolve("salvage");
            Path failingZfs = work.resolve("zfs-without-promote");
            Files.writeString(failingZfs, "#!/bin/bash\nif [ \"$1\" = promote ]; then echo 'injected: promote fails' >&2; exit 1; fi\n"
                    + "exec zfs \"$@\"\n");
            assertTrue(failingZfs.toFile().setExecutable(true));
            String mailboxYaml = Files.readString(s.mailboxConfig);
            String cutYaml = mailboxYaml.replace("\nzfs:\n  command: zfs\n", "\nzfs:\n  command: " + failingZfs + "\n");
            assertNotEquals(mailboxYaml, cutYaml, "the failing zfs is in the cut run's config");
            Path cutConfig = Files.writeString(work.resolve("cut.yaml"), cutYaml);
            r = CliRun.run(work, "failback", "-c", cutConfig.toString(), "--target", "dr1", "--salvage-dir", salvageDir.toString());
            assertRefused(r, 1, "stopped at 'reset " + s.host.pool.dataset("db") + " (original)'", "injected: promote fails", "run the same command again");
            assertEquals(drBefore, s.dr.snapshots(), "the DR host untouched");
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--dry-run");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains(s.host.pool.dataset("db") + ": cloned"), r.out());
            assertTrue(r.out().contains(s.host.pool.dataset("store") + ": original"), r.out());

            // --- failback, first (continued) run: reset, receive while the DR host keeps serving
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            JsonNode first = JSON.readTree(r.out());
            assertEquals("received", first.get("result").asText(), first.toString());
            String salvage = first.get("salvage").asText();
            // what the DR host wrote since the common set (its increment, as zfs sends it) versus a full send
            long increment = 0;
            long full = 0;
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                String copy = copyRoot + "/zimbra/" + leaf;
                increment += sendSize("-I", copy + "@" + common, copy + "@" + s.drSets.get(1));
                full += sendSize(copy + "@" + s.drSets.get(1));
            }
            long sent = first.get("bytes").asLong();
            assertTrue(sent > 0 && sent <= increment * 11 / 10 + 65536 && sent < full,
                    "only what the DR host wrote travels back: sent " + sent + ", its increment " + increment + ", a full send " + full);
            for (String ds : s.host.pool.zimbraDatasets()) {
                String aside = FailbackScenario.aside(ds, salvage);
                assertEquals("1", s.local("userrefs", aside + "@" + salvage), "the kept state is held: " + aside);
                assertEquals(ds + "@" + common, s.local("origin", aside));
                assertEquals("on", s.local("readonly", ds), "fenced until the cutover");
                assertTrue(s.host.pool.snapshots().contains(ds + "@" + s.drSets.get(1)), "received " + s.drSets.get(1) + " into " + ds);
            }

            // a rerun continues from what is there: nothing new to do
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            assertEquals(0, JSON.readTree(r.out()).get("bytes").asLong());

            // --- handback: refused while the DR's mariadbd still runs on the copies
            assertRefused(CliRun.run(work, "failback", "handback", "-c", d, "--source", "mbox1"), 1, "in use by", "(mariadbd)");
            s.stopDrDatabase();
            r = CliRun.run(work, "failback", "handback", "-c", d, "--source", "mbox1");
            assertEquals(0, r.exit(), r.err() + r.out());
            String finalSet = s.remote("org.zmsnap:handback", copyRoot + "/zimbra/db").split(" ")[1];
            assertEquals("on", s.remote("readonly", copyRoot + "/zimbra/store"));
            assertEquals("no", s.remote("mounted", copyRoot + "/zimbra/store"));

            // --- failback, cutover: the final set arrives, the datasets go live
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            JsonNode cut = JSON.readTree(r.out());
            assertEquals("live", cut.get("result").asText(), cut.toString());
            assertEquals(finalSet, cut.get("final_set").asText());

            // every delivery acknowledged on either side is on this host again, or in the salvage; the next normal
            // replication is incremental
            s.assertLiveAndNothingLost(finalSet, salvage, salvageDir);

            // --- the grant ends
            r = CliRun.run(work, "failback", "revoke", "-c", d, "--source", "mbox1");
            assertEquals(0, r.exit(), r.err());
            assertEquals("-", s.remote("org.zmsnap:failback-grant", copyRoot));
            assertEquals("0", s.remote("userrefs", copyRoot + "/zimbra/store@" + common), "the base is released with the grant");
            assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(copyRoot + "/"), "the DR copies are unmounted replicas");
        } finally {
            if (squatter != null) {
                squatter.destroyForcibly().waitFor();
            }
        }
    }

    /** Bytes of {@code zfs send ARGS}, counted as they stream. */
    static long sendSize(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("zfs", "send"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long n;
        try (var in = p.getInputStream()) {
            n = in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        assertEquals(0, p.waitFor(), "zfs send " + args);
        return n;
    }
}
