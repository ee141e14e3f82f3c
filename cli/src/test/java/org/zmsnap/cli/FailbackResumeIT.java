package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.zmsnap.cli.FailbackScenario.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code zmsnap failback} interrupted at every step boundary, and rerun: on one {@link FailbackScenario} (the setup is
 * most of the cost), each run is cut at the next boundary by the test-only {@code -Dzmsnap.test.failAfterStep=NAME}
 * (the JVM halts there as if SIGKILLed: no cleanup, no outcome), and the run after it must continue from what ZFS shows.
 * The receive is cut by a real SIGKILL of the CLI while a {@code zfs receive} reads. The DR host's handback is cut twice
 * too. After every cut: nothing destroyed on either side (every snapshot GUID still there), at most one salvage name,
 * one kept-aside dataset per dataset, one salvage directory. At the end the state is what an uninterrupted failback
 * leaves ({@link FailbackScenario#assertLiveAndNothingLost}, the same checks as {@code FailbackCliIT}): live on the final
 * set with the DR copies' GUIDs, the kept state held, every delivery of either side back or salvaged, the next normal
 * replication an increment.
 */
class FailbackResumeIT {
    /** The step boundaries of the old host's part before the receive, in the order a failback reaches them. */
    static final List<String> BEFORE_RECEIVE = List.of("salvage-mark", "salvage-snapshot", "salvage-export", "unmount", "rename",
            "clone", "promote", "fence");
    /** After the handback: the final set received, then the cutover cut after its first mount and its first mark removed. */
    static final List<String> CUTOVER = List.of("receive", "cutover-mount", "cutover-mark");

    @Test
    void aFailbackCutAtEveryStepContinuesWhereItStoppedAndEndsAsAnUncutOne() throws Exception {
        try (FailbackScenario s = FailbackScenario.oldHostDies("zfr")) {
            s.promoteAndServe();
            CliRun.Result r = s.drSide(List.of(), "grant", "--hours", "2");
            assertEquals(0, r.exit(), r.err());
            Path salvageDir = s.work.resolve("salvage");
            String config = s.m;
            // The run killed mid-receive is capped so that the SIGKILL lands while a 'zfs receive' reads; the others are
            // not (an admin may change the cap between runs), which keeps each under CliRun's two minutes.
            String capped = Files.writeString(s.work.resolve("capped.yaml"), Files.readString(s.mailboxConfig)
                    .replace("    keep: { hourly: 20 }\n", "    keep: { hourly: 20 }\n    bandwidth: 1MiB/s\n")).toString();
            Set<String> oldGuids = new HashSet<>(FailbackScenario.guids(s.host.pool).values());
            Set<String> drGuids = new HashSet<>(FailbackScenario.guids(s.dr).values());
            Map<String, String> mountpoints = new HashMap<>();
            s.host.pool.zimbraDatasets().forEach(ds -> mountpoints.put(ds, s.local("mountpoint", ds)));
            String db = s.host.pool.dataset("db");

            for (String step : BEFORE_RECEIVE) {
                cut(s, config, step, salvageDir);
                assertNothingDestroyed(s, oldGuids, drGuids, step);
                if (step.equals("salvage-snapshot")) {
                    String salvage = salvageName(s).orElseThrow();
                    assertEquals("0", s.local("userrefs", db + "@" + salvage), "cut before the hold");
                    // --- a real SIGKILL of the CLI while it exports (a set open: clones and a sandbox mariadbd)
                    Process p = CliRun.start(Files.createTempFile(s.work, "killed-export", ".out"), "failback", "-c", config,
                            "--target", "dr1", "--salvage-dir", salvageDir.toString());
                    awaitRestoreClone(s, p);
                    // Killed once its sandbox mariadbd runs on the clones: a fixed second after the first clone was
                    // once long enough for a quick export to finish and remove them.
                    awaitSandbox(p);
                    assertTrue(p.isAlive(), "still exporting when killed");
                    p.destroyForcibly(); // SIGKILL
                    p.waitFor();
                    assertTrue(!restoreClones(s).isEmpty(), "the killed export left its clones");
                    assertTrue(!Files.exists(salvageDir.resolve(salvage).resolve("manifest.json")), "and no manifest");
                    assertNothingDestroyed(s, oldGuids, drGuids, "the SIGKILL mid-export");
                }
                if (step.equals("salvage-export")) {
                    String salvage = salvageName(s).orElseThrow();
                    assertEquals("1", s.local("userrefs", db + "@" + salvage), "the run after the cut held it");
                    assertTrue(Files.exists(salvageDir.resolve(salvage).resolve("manifest.json")));
                    assertEquals(List.of(), restoreClones(s), "the killed export's clones removed by the rerun");
                }
                if (step.equals("rename")) {
                    assertEquals("", s.host.pool.zfsResult("list", "-H", "-o", "name", db).stdout().strip(), "renamed aside, not cloned back");
                }
            }
            String salvage = salvageName(s).orElseThrow();
            long manifestTime = Files.getLastModifiedTime(salvageDir.resolve(salvage).resolve("manifest.json")).toMillis();

            // --- a real SIGKILL of the CLI while it receives
            Path log = Files.createTempFile(s.work, "killed", ".out");
            Process p = CliRun.start(log, "failback", "-c", capped, "--target", "dr1", "--salvage-dir", salvageDir.toString());
            awaitReceive(p);
            Thread.sleep(300); // some bytes in, then kill while a receive reads (they follow one another per dataset and set)
            ProcessHandle receive = awaitReceive(p);
            p.destroyForcibly(); // SIGKILL
            p.waitFor();
            // What the killed run started ends by itself: its receive reads EOF, the DR host's send loses its reader
            for (long end = System.nanoTime() + 60_000_000_000L; (receive.isAlive() || !sendsOf(s).isEmpty()) && System.nanoTime() < end; ) {
                Thread.sleep(200);
            }
            assertTrue(!receive.isAlive(), "the killed run's zfs receive ended");
            assertEquals(List.of(), sendsOf(s), "the killed run's zfs send on the DR host ended");
            assertNothingDestroyed(s, oldGuids, drGuids, "the SIGKILL mid-receive");

            // --- rerun: the rest arrives; a rerun after that has nothing to do
            r = CliRun.run(s.work, "failback", "-c", config, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            JsonNode received = JSON.readTree(r.out());
            assertEquals("received", received.get("result").asText(), received.toString());
            assertEquals(salvage, received.get("salvage").asText(), "the salvage the first cut run chose");
            for (String ds : s.host.pool.zimbraDatasets()) {
                assertTrue(s.host.pool.snapshots().contains(ds + "@" + s.drSets.get(1)), "received " + s.drSets.get(1) + " into " + ds);
            }
            r = CliRun.run(s.work, "failback", "-c", config, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            assertEquals(0, JSON.readTree(r.out()).get("bytes").asLong());

            // --- the handback, cut after fencing its first copy, after its final set and after its first mark; the rerun finishes it with that set
            s.stopDrDatabase();
            for (String step : List.of("handback-fence", "handback-snapshot", "handback-copy")) {
                r = s.drSide(List.of("-Dzmsnap.test.failAfterStep=" + step), "handback");
                assertEquals(137, r.exit(), step + ": " + r.err() + r.out());
                assertTrue(r.err().contains("test interruption after step '" + step + "'"), r.err());
            }
            r = s.drSide(List.of(), "handback");
            assertEquals(0, r.exit(), r.err() + r.out());
            String finalSet = s.remote("org.zmsnap:handback", s.copyRoot + "/zimbra/db").split(" ")[1];
            for (String ds : s.host.pool.zimbraDatasets()) {
                String copy = s.copyOf(ds);
                assertEquals(finalSet, s.remote("org.zmsnap:handback", copy).split(" ")[1], copy);
                assertEquals("-", s.remote("org.zmsnap:promoted", copy), copy);
                assertEquals("on", s.remote("readonly", copy), copy);
                assertEquals("no", s.remote("mounted", copy), copy);
            }
            assertEquals(1, s.dr.snapshots().stream().filter(n -> n.contains("@zmsnap_handback_"))
                    .map(n -> n.substring(n.indexOf('@'))).distinct().count(), "one final set: " + s.dr.snapshots());

            // --- the cutover: cut after the final set is received, after the first dataset went live, after its mark
            for (String step : CUTOVER) {
                cut(s, config, step, salvageDir);
                assertNothingDestroyed(s, oldGuids, drGuids, step);
            }
            r = CliRun.run(s.work, "failback", "-c", config, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            JsonNode cut = JSON.readTree(r.out());
            assertEquals("live", cut.get("result").asText(), cut.toString());
            assertEquals(finalSet, cut.get("final_set").asText());
            r = CliRun.run(s.work, "failback", "-c", config, "--target", "dr1", "--json");
            assertEquals("live", JSON.readTree(r.out()).get("result").asText(), "a run after that says so: " + r.out() + r.err());

            // --- the same end as an uncut failback, with one salvage, exported once
            assertEquals(manifestTime, Files.getLastModifiedTime(salvageDir.resolve(salvage).resolve("manifest.json")).toMillis(),
                    "exported once");
            for (String ds : s.host.pool.zimbraDatasets()) {
                assertEquals(mountpoints.get(ds), s.local("mountpoint", ds), "back where Zimbra expects it: " + ds);
                assertEquals("noauto", s.local("canmount", FailbackScenario.aside(ds, salvage)));
                assertEquals("on", s.local("readonly", FailbackScenario.aside(ds, salvage)));
            }
            s.assertLiveAndNothingLost(finalSet, salvage, salvageDir);
            assertNothingDestroyed(s, oldGuids, drGuids, "the end");
        }
    }

    /** One failback run halted right after {@code step}. */
    private static void cut(FailbackScenario s, String config, String step, Path salvageDir) {
        CliRun.Result r = CliRun.run(s.work, List.of("-Dzmsnap.test.failAfterStep=" + step), "failback", "-c", config, "--target", "dr1",
                "--salvage-dir", salvageDir.toString());
        assertEquals(137, r.exit(), step + ": " + r.err() + r.out());
        assertTrue(r.err().contains("test interruption after step '" + step + "'"), r.err());
    }

    /**
     * Every snapshot either side had before the failback is still there (by GUID: the kept-aside datasets carry the old
     * host's under new names); one salvage name at most, one kept-aside dataset per dataset, one salvage directory.
     */
    private static void assertNothingDestroyed(FailbackScenario s, Set<String> oldGuids, Set<String> drGuids, String after) throws IOException {
        Set<String> missing = new TreeSet<>(oldGuids);
        missing.removeAll(FailbackScenario.guids(s.host.pool).values());
        assertTrue(missing.isEmpty(), "after " + after + ": snapshots gone on the old host (GUIDs " + missing + ")");
        missing = new TreeSet<>(drGuids);
        missing.removeAll(FailbackScenario.guids(s.dr).values());
        assertTrue(missing.isEmpty(), "after " + after + ": snapshots gone on the DR host (GUIDs " + missing + ")");
        List<String> snaps = s.host.pool.snapshots();
        assertTrue(snaps.stream().filter(n -> n.contains("@zmsnap_salvage_")).map(n -> n.substring(n.indexOf('@'))).distinct().count() <= 1,
                "after " + after + ": one salvage at most: " + snaps);
        List<String> datasets = s.host.pool.zfs("list", "-H", "-o", "name", "-r", s.host.pool.name()).stdout().lines().toList();
        for (String ds : s.host.pool.zimbraDatasets()) {
            assertTrue(datasets.stream().filter(n -> n.startsWith(ds + "_salvage_")).count() <= 1, "after " + after + ": " + datasets);
        }
        Path dir = s.work.resolve("salvage");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> l = Files.list(dir)) {
                assertTrue(l.count() <= 1, "after " + after + ": one salvage directory");
            }
        }
    }

    private static Optional<String> salvageName(FailbackScenario s) {
        return s.host.pool.snapshots().stream().filter(n -> n.contains("@zmsnap_salvage_")).map(n -> n.substring(n.indexOf('@') + 1)).findFirst();
    }

    /** A restore's clones in the old host's pool ({@code <pool>/zmsnap-restore-<id>-<leaf>}): the salvage export's. */
    private static List<String> restoreClones(FailbackScenario s) {
        return s.host.pool.zfs("list", "-H", "-o", "name", "-r", s.host.pool.name()).stdout().lines()
                .filter(n -> n.startsWith(s.host.pool.name() + "/zmsnap-restore-")).toList();
    }

    private static void awaitRestoreClone(FailbackScenario s, Process cli) throws InterruptedException {
        for (long end = System.nanoTime() + 120_000_000_000L; System.nanoTime() < end; ) {
            if (!restoreClones(s).isEmpty()) {
                return;
            }
            if (!cli.isAlive()) {
                throw new AssertionError("the failback ended before it exported: exit " + cli.exitValue());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no export clone within 120 s");
    }

    /** Until the CLI's sandbox mariadbd (the export's open set) runs. */
    private static void awaitSandbox(Process cli) throws InterruptedException {
        for (long end = System.nanoTime() + 120_000_000_000L; System.nanoTime() < end; ) {
            if (cli.toHandle().descendants().anyMatch(h -> cmdline(h).contains("mariadbd"))) {
                return;
            }
            if (!cli.isAlive()) {
                throw new AssertionError("the failback ended before its sandbox ran: exit " + cli.exitValue());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no sandbox mariadbd within 120 s");
    }

    /** {@code zfs send}s of the DR copies running on this machine (the DR host's side of a failback's receive). */
    private static List<String> sendsOf(FailbackScenario s) {
        return ProcessHandle.allProcesses().map(FailbackResumeIT::cmdline)
                .filter(c -> c.matches("\\S*zfs send .*") && c.contains(s.copyRoot + "/")).toList();
    }

    /** The {@code zfs receive} the CLI started (the failback's receive: this host is the target). */
    private static ProcessHandle awaitReceive(Process cli) throws InterruptedException {
        for (long end = System.nanoTime() + 120_000_000_000L; System.nanoTime() < end; ) {
            Optional<ProcessHandle> r = cli.toHandle().descendants().filter(h -> cmdline(h).matches("\\S*zfs receive .*")).findFirst();
            if (r.isPresent()) {
                return r.get();
            }
            if (!cli.isAlive()) {
                throw new AssertionError("the failback ended before it received anything: exit " + cli.exitValue());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no zfs receive within 120 s");
    }

    private static String cmdline(ProcessHandle h) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
