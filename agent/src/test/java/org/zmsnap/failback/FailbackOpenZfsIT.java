package org.zmsnap.failback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.ZfsReach;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.fixtures.GuestPool;
import org.zmsnap.fixtures.OpenZfsVm;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.TestZfs;
import org.zmsnap.fixtures.ZfsUnderTest;
import org.zmsnap.promote.CopySurvey;
import org.zmsnap.promote.MountTable;
import org.zmsnap.promote.PathState;
import org.zmsnap.promote.PromoteRequest;
import org.zmsnap.promote.PromoteService;
import org.zmsnap.promote.PromotionOutcome;
import org.zmsnap.promote.RunningReceives;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.Replicator;
import org.zmsnap.replication.SourceEndpoint;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.zfs.Zfs;

/**
 * The storage half of failback on OpenZFS 2.x (the test guest): both the old mailbox host's pool and the DR host's
 * pool are in the guest, and zmsnap's own code drives them over its SSH runner — replication ({@link Replicator}),
 * promotion ({@link PromoteService}), the DR admin's grant and handback ({@link DrHandback}) and the old host's
 * {@link FailbackService} (survey, plan, salvage snapshot and hold, reset by rename + clone + promote, fence, the
 * reverse receive through the replication engine, cutover).
 *
 * <p>What it proves on OpenZFS: a clean old host ({@code written@<common>} = 0) needs no salvage; a write after the
 * common set that no snapshot holds is found by {@code written@<common>} alone (zfs-fuse cannot say and always
 * salvages); nothing on the old host is destroyed (every snapshot GUID is still there, the kept state held); only the
 * increment travels back; the overrides OpenZFS's receive pins ({@code readonly}, {@code exec}, … set locally) are
 * cleared at the cutover and the datasets mount where they were; the next normal replication is incremental.
 *
 * <p>Not here: the salvage <em>export</em> opens the kept state with clones and a sandbox mariadbd on the machine that
 * runs zmsnap, which cannot mount the guest's datasets; it is proven on zfs-fuse by {@code FailbackCliIT} and
 * {@code SalvageIT}. Here the export step is a probe that checks it is handed the common set and the salvage set, and
 * that the salvage snapshot holds the late write ({@code zfs diff} in the guest). No mariadbd runs: the sets are
 * plain {@code zfs snapshot}s of files, enough for the storage steps.
 */
class FailbackOpenZfsIT {
    static final Duration T = Duration.ofSeconds(120);
    static final String T1 = "zmsnap_hourly_2026-11-30T10:00:00Z";
    static final String T2 = "zmsnap_hourly_2026-11-30T11:00:00Z";
    static final String D1 = "zmsnap_hourly_2026-11-30T13:00:00Z";
    static final String D2 = "zmsnap_hourly_2026-11-30T14:00:00Z";
    static final List<String> LEAVES = List.of("db", "store");

    @Test
    void failbackOnOpenZfsKeepsTheOldHostsStateAndSendsOnlyTheIncrement() throws Exception {
        ZfsUnderTest.require(TestZfs.OPENZFS);
        OpenZfsVm vm = OpenZfsVm.shared();
        GuestPool src = GuestPool.create(vm, "zfo", "1G", true);
        GuestPool dr = null;
        ZfsReach reach = null;
        Path work = Files.createTempDirectory("zmsnap-failback-zfs-it-");
        try {
            // atime=off, as on a tuned mail host: with atime=on a mere read of a mounted dataset is a write to ZFS
            // (measured in this guest: an 'ls' of the mountpoint made written@ 13 KiB, zfs diff empty), and failback
            // would, rightly, salvage — which a clean host does not need (see docs/failover.md).
            src.zfs("set", "atime=off", src.name());
            dr = GuestPool.create(vm, "zfd", "1G", false);
            reach = ZfsReach.of(src);
            String root = dr.name() + "/mbox1";
            String live = "/srv/" + dr.name();
            dr.zfs("create", "-p", "-o", "canmount=off", root + "/zimbra");
            List<String> datasets = LEAVES.stream().map(src::dataset).toList();
            OpenZfsVm.Login l = vm.login();
            Config old = ConfigLoader.parse("host: oldhost\nlock-file: " + work.resolve("old.lock") + "\nmariadb:\n  quiesce: none\n"
                    + "datasets: [" + String.join(", ", datasets) + "]\npolicies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 20 }\nzfs:\n  command: zfs\n  timeout: 120s\n"
                    + "targets:\n  dr1:\n    type: zfs\n    host: " + l.host() + "\n    port: " + l.port() + "\n    user: " + l.user()
                    + "\n    identity: " + l.identity() + "\n    known-hosts: " + l.knownHosts() + "\n    root: " + root
                    + "\n    keep: { hourly: 20 }\n    stall-timeout: 60s\n    command-timeout: 120s\n", work.resolve("old.yaml"));
            StringBuilder mps = new StringBuilder("    mountpoints:\n");
            for (String leaf : LEAVES) {
                mps.append("      ").append(src.dataset(leaf)).append(": ").append(live).append('/').append(leaf).append('\n');
            }
            Config drCfg = ConfigLoader.parse("host: drhost\nlock-file: " + work.resolve("dr.lock") + "\nsources:\n  mbox1:\n"
                    + "    datasets: [" + String.join(", ", datasets) + "]\n    root: " + root + "\n    keep: { hourly: 20 }\n" + mps,
                    work.resolve("dr.yaml"));
            SourceConfig source = drCfg.sources().get("mbox1");
            ZfsTarget target = (ZfsTarget) old.targets().get("dr1");
            Zfs drZfs = new Zfs(reach.runner(), "zfs", T); // the same guest: the DR host's zfs
            List<String> probed = new ArrayList<>();
            Salvage probe = exportProbe(src, probed);

            try (AgentContext ctx = new AgentContext(old, reach.runner())) {
                // --- the mailbox host: two sets, both replicated
                src.writeRandom(src.dataset("db"), "ibdata", 256);
                src.writeRandom(src.dataset("store"), "blobs-1", 2048);
                snapshotAll(src, datasets, T1);
                src.writeRandom(src.dataset("store"), "blobs-2", 256);
                snapshotAll(src, datasets, T2);
                assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(ctx, reach, target));
                for (String leaf : LEAVES) {
                    assertEquals(guid(src, src.dataset(leaf) + "@" + T2), guid(dr, copy(root, leaf) + "@" + T2));
                }

                // --- the old host is gone; the DR host promotes its copies in place and serves
                PromoteService promote = new PromoteService(drCfg, drZfs, guestSurvey(vm, drZfs), Clock.systemUTC());
                PromotionOutcome po = promote.promote(PromoteRequest.latest("mbox1"));
                assertInstanceOf(PromotionOutcome.Promoted.class, po, po.toString());
                for (String leaf : LEAVES) {
                    assertEquals("off", prop(dr, "readonly", copy(root, leaf)), "promoted copies are writable");
                    assertEquals("yes", prop(dr, "mounted", copy(root, leaf)));
                }
                dr.writeRandom(copy(root, "store"), "dr-mail-1", 512);
                snapshotAll(dr, LEAVES.stream().map(x -> copy(root, x)).toList(), D1);
                dr.writeRandom(copy(root, "store"), "dr-mail-2", 512);
                dr.writeRandom(copy(root, "db"), "dr-rows", 128);
                snapshotAll(dr, LEAVES.stream().map(x -> copy(root, x)).toList(), D2);

                DrHandback drSide = new DrHandback(drCfg, drZfs);
                FailbackService failback = new FailbackService(ctx, probe, reach.streaming());
                FailbackOutcome.Refused refused = assertInstanceOf(FailbackOutcome.Refused.class,
                        failback.run(new FailbackService.Options("dr1", true, Optional.empty())));
                assertTrue(refused.reason().contains("has not granted"), refused.reason());
                drSide.grant(source, Duration.ofHours(1));

                // --- nothing written here after the common set: written@T2 is 0, so no salvage is planned
                FailbackOutcome.DryRun clean = assertInstanceOf(FailbackOutcome.DryRun.class,
                        failback.run(new FailbackService.Options("dr1", true, Optional.empty())));
                assertEquals(T2, clean.common());
                assertEquals(Optional.empty(), clean.salvage(), "written@" + T2 + " is 0 on OpenZFS: " + clean.steps());
                long increment = 0;
                long full = 0;
                for (String leaf : LEAVES) {
                    increment += sendSize(vm, "-I " + copy(root, leaf) + "@" + T2 + " " + copy(root, leaf) + "@" + D2);
                    full += sendSize(vm, copy(root, leaf) + "@" + D2);
                }
                assertTrue(clean.bytesToSend() > 0 && clean.bytesToSend() < full,
                        "the DR copies' written@" + T2 + ": " + clean.bytesToSend() + ", a full send " + full);

                // --- a write the old host took after its last replicated set, in no snapshot: only written@T2 says so
                src.writeRandom(src.dataset("store"), "late-mail", 192);
                FailbackOutcome.DryRun dirty = assertInstanceOf(FailbackOutcome.DryRun.class,
                        failback.run(new FailbackService.Options("dr1", true, Optional.empty())));
                assertTrue(dirty.salvage().isPresent(), "written@" + T2 + " > 0 on the store: " + dirty.steps());
                Set<String> guidsBefore = guids(src);
                Set<String> dsBefore = filesystems(src);
                List<String> drBefore = dr.snapshots();

                // --- failback, first run: salvage snapshot + hold, export, reset without destroying, fence, receive
                Path salvageDir = work.resolve("salvage");
                FailbackOutcome o = failback.run(new FailbackService.Options("dr1", false, Optional.of(salvageDir)));
                FailbackOutcome.Done first = assertInstanceOf(FailbackOutcome.Done.class, o, o.toString());
                assertFalse(first.live(), "not live before the handback");
                String salvage = first.salvage().orElseThrow();
                assertTrue(first.salvaged().isPresent() && first.salvaged().get().items() > 0, "the export step ran: " + first.salvaged());
                long sent = first.bytes();
                assertTrue(sent > 0 && sent <= increment * 11 / 10 + 65536 && sent < full,
                        "only what the DR host wrote travels back: sent " + sent + ", its increment " + increment + ", a full send " + full);
                assertTrue(guids(src).containsAll(guidsBefore), "no snapshot of the old host was destroyed");
                assertTrue(filesystems(src).size() >= dsBefore.size(), "no dataset destroyed");
                assertTrue(dr.snapshots().containsAll(drBefore), "the DR host lost nothing");
                for (String ds : datasets) {
                    String aside = FailbackService.aside(org.zmsnap.zfs.DatasetName.of(ds), salvage).value();
                    assertTrue(src.zfs("holds", "-H", aside + "@" + salvage).stdout().contains(FailbackService.SALVAGE_HOLD),
                            "the kept state is held: " + aside);
                    assertTrue(src.zfs("holds", "-H", ds + "@" + T2).stdout().contains(FailbackService.SALVAGE_HOLD),
                            "the kept state's origin is held: " + ds + "@" + T2);
                    assertEquals(ds + "@" + T2, prop(src, "origin", aside), "the kept state is a clone of the common set");
                    assertEquals("noauto", prop(src, "canmount", aside));
                    assertEquals("on", prop(src, "readonly", aside));
                    assertEquals("no", prop(src, "mounted", aside), "the kept state never takes the live path");
                    assertEquals("on", prop(src, "readonly", ds), "fenced until the cutover");
                    assertEquals("no", prop(src, "mounted", ds), "fenced until the cutover");
                    String leaf = ds.substring(ds.lastIndexOf('/') + 1);
                    assertEquals(guid(dr, copy(root, leaf) + "@" + D2), guid(src, ds + "@" + D2), "received " + D2 + " into " + ds);
                }
                String storeAside = FailbackService.aside(org.zmsnap.zfs.DatasetName.of(src.dataset("store")), salvage).value();
                assertEquals(probed.get(0), guid(src, storeAside + "@" + salvage),
                        "the salvage snapshot the export step saw with the late write is the one kept and held");

                // a rerun continues from what is there: nothing new to receive
                FailbackOutcome.Done again = assertInstanceOf(FailbackOutcome.Done.class,
                        failback.run(new FailbackService.Options("dr1", false, Optional.of(salvageDir))));
                assertEquals(0, again.bytes(), again.toString());

                // --- the DR host hands the service back: final set, copies read-only unmounted replicas again
                DrHandback.Handback hb = drSide.handback(source);
                String finalSet = hb.finalSet();
                for (String leaf : LEAVES) {
                    assertEquals("on", prop(dr, "readonly", copy(root, leaf)));
                    assertEquals("no", prop(dr, "mounted", copy(root, leaf)));
                }

                // --- failback again: the final set arrives, the cutover makes the datasets live where they were
                o = failback.run(new FailbackService.Options("dr1", false, Optional.of(salvageDir)));
                FailbackOutcome.Done cut = assertInstanceOf(FailbackOutcome.Done.class, o, o.toString());
                assertTrue(cut.live(), cut.toString());
                assertEquals(Optional.of(finalSet), cut.finalSet());
                for (String ds : datasets) {
                    String got = src.zfs("get", "-H", "-o", "property,value,source", "readonly,exec,setuid,devices,canmount,mounted,mountpoint",
                            ds).stdout();
                    assertTrue(got.contains("readonly\toff\t") && !got.contains("readonly\toff\tlocal"), got);
                    assertTrue(got.contains("exec\ton\t") && got.contains("setuid\ton\t") && got.contains("devices\ton\t"),
                            "the receive's overrides are cleared: " + got);
                    assertTrue(got.contains("canmount\ton\t") && got.contains("mounted\tyes\t"), got);
                    assertTrue(got.contains("mountpoint\t/srv/zmsnap/mnt/" + src.name() + "/zimbra/"), got);
                    String leaf = ds.substring(ds.lastIndexOf('/') + 1);
                    assertEquals(guid(dr, copy(root, leaf) + "@" + finalSet), guid(src, ds + "@" + finalSet), "one chain: " + ds);
                }
                assertTrue(vm.run(T, "test", "-f", src.mountpoint(src.dataset("store")) + "/dr-mail-2").ok(),
                        "the DR host's mail is live here");
                assertFalse(vm.run(T, "test", "-e", src.mountpoint(src.dataset("store")) + "/late-mail").ok(),
                        "the late write is in the kept state, not in the live dataset");
                assertTrue(guids(src).containsAll(guidsBefore), "still nothing destroyed");

                // --- the next normal replication is incremental from the final set
                String next = "zmsnap_hourly_" + Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
                src.writeRandom(src.dataset("store"), "after", 64);
                snapshotAll(src, datasets, next);
                ReplicationOutcome r = replicate(ctx, reach, target);
                ReplicationOutcome.Replicated rep = assertInstanceOf(ReplicationOutcome.Replicated.class, r, r.toString());
                assertTrue(!rep.steps().isEmpty() && rep.steps().stream().allMatch(s -> s.contains("-i " + finalSet)), rep.steps().toString());
                drSide.revoke(source);
                assertEquals("-", prop(dr, FailbackGrant.PROPERTY, root));
            }
        } finally {
            if (reach != null) {
                reach.close();
            }
            if (dr != null) {
                dr.close();
            }
            src.close();
            Proc.run(Duration.ofSeconds(30), "rm", "-rf", work.toString());
        }
    }

    /**
     * The export step, where the export itself cannot run (see the class comment): it must be handed the common set
     * and the complete salvage set, and the salvage snapshot must hold what was written after the common set (its GUID
     * is kept in {@code probed}).
     */
    private static Salvage exportProbe(GuestPool src, List<String> probed) {
        return (base, newer, dir) -> {
            assertEquals(T2, base.tag().name());
            assertTrue(newer.tag().name().startsWith("zmsnap_salvage_") && newer.complete(), newer.toString());
            String store = src.dataset("store");
            List<String> added = src.zfs("diff", "-H", store + "@" + base.tag().name(), store + "@" + newer.tag().name()).stdout()
                    .lines().filter(x -> x.startsWith("+")).toList();
            assertTrue(added.stream().anyMatch(x -> x.endsWith("/late-mail")), "the salvage snapshot holds the late write: " + added);
            probed.add(guid(src, store + "@" + newer.tag().name()));
            try {
                Files.createDirectories(dir);
                Files.write(dir.resolve(Salvage.MANIFEST), added);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new Salvage.Summary(dir, added.size(), 0);
        };
    }

    /** The promote survey with the guest's mount table and paths (the DR host is the guest). */
    private static CopySurvey guestSurvey(OpenZfsVm vm, Zfs zfs) {
        return new CopySurvey(zfs, new RunningReceives(),
                () -> MountTable.parse(vm.bash(T, "cat /proc/self/mountinfo").orThrow().stdout()),
                p -> PathState.valueOf(vm.bash(T, "p='" + p + "'; if [ ! -e \"$p\" ]; then echo ABSENT; elif [ ! -d \"$p\" ];"
                        + " then echo NOT_A_DIRECTORY; elif [ -z \"$(ls -A \"$p\")\" ]; then echo EMPTY_DIRECTORY;"
                        + " else echo NON_EMPTY_DIRECTORY; fi").orThrow().stdout().strip()));
    }

    private static ReplicationOutcome replicate(AgentContext ctx, ZfsReach reach, ZfsTarget t) {
        try (TargetEndpoint ep = TargetEndpoint.open(t)) {
            return new Replicator(SourceEndpoint.on(ctx.zfs(), reach.streaming(), "zfs", "this host"), ctx.catalog(), ctx.config().datasets()).replicate(t, ep, false);
        }
    }

    private static String copy(String root, String leaf) {
        return root + "/zimbra/" + leaf;
    }

    /** One set: every dataset in one {@code zfs snapshot} call (one txg on OpenZFS), as the cycle takes it. */
    private static void snapshotAll(GuestPool pool, List<String> datasets, String name) {
        List<String> args = new ArrayList<>(List.of("snapshot"));
        datasets.forEach(d -> args.add(d + "@" + name));
        pool.zfs(args.toArray(String[]::new));
    }

    private static String prop(GuestPool pool, String property, String dataset) {
        return pool.zfs("get", "-H", "-o", "value", property, dataset).stdout().strip();
    }

    private static String guid(GuestPool pool, String snapshot) {
        return prop(pool, "guid", snapshot);
    }

    private static Set<String> guids(GuestPool pool) {
        return new HashSet<>(pool.zfs("list", "-Hp", "-t", "snapshot", "-o", "guid", "-r", pool.name()).stdout().lines().toList());
    }

    private static Set<String> filesystems(GuestPool pool) {
        return new HashSet<>(pool.zfs("list", "-H", "-t", "filesystem", "-o", "name", "-r", pool.name()).stdout().lines().toList());
    }

    /** Bytes of {@code zfs send ARGS} in the guest, counted as they stream. */
    private static long sendSize(OpenZfsVm vm, String args) {
        return Long.parseLong(vm.bash(T, "set -o pipefail; zfs send " + args + " | wc -c").orThrow().stdout().strip());
    }
}
