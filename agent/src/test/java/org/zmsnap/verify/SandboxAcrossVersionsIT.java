package org.zmsnap.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.TestMariaDb;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * A set taken from each MariaDB generation (-Dmariadb) is opened by the restore sandbox this host runs — the
 * configured restore.mariadbd, here Debian 12's 10.11 — and drilled in full: InnoDB recovers the clone, every table
 * is read, every blob's digest is compared. 10.11 recovers 10.11's sets and 11.8's; 10.5's it refuses (a snapshot is
 * a crashed datadir, and MariaDB 10.8+ does not recover one with 10.5's redo log), and the drill must then fail
 * naming both versions and the fix — never a green drill, never a bare InnoDB error (docs/compatibility.md).
 */
class SandboxAcrossVersionsIT {

    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void aSetFromEachGenerationIsOpenedAndDrilledByThisHostsSandbox(TestMariaDb generation) throws Exception {
        generation.require();
        try (SnapshotHost host = new SnapshotHost("2G", generation, MariaDbServer.Options.zimbraDefaults())) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedMailboxes mailboxes;
            try (Connection c = host.db.connect()) {
                mailboxes = ZimbraMailboxGenerator.generate(c, store, 2, 40);
            }
            String yaml = host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "restore:\n  workdir: " + host.dir.resolve("restore") + "\n  mariadbd: /usr/sbin/mariadbd\n"
                    + "  datadir: data\n";
            Config cfg = ConfigLoader.parse(yaml, host.dir.resolve("zmsnap.yaml"));
            try (AgentContext ctx = new AgentContext(cfg)) {
                CycleOutcome out = ctx.snapshotCycle().run("manual");
                assertTrue(assertInstanceOf(CycleOutcome.Taken.class, out, out.toString()).report().consistent());
                RestoreService restore = new RestoreService(ctx, Optional.empty(), Optional.empty());
                VerifyService.Verified v = VerifyService.of(ctx, restore, Clock.systemUTC(), Duration.ZERO, m -> { })
                        .verify("latest", true, 1.0);
                if (generation == TestMariaDb.BULLSEYE) {
                    assertEquals(1, v.report().problems().size(), v.report().toString());
                    String detail = v.report().problems().get(0).detail();
                    assertTrue(detail.startsWith("the set was written by MariaDB 10.5.") && detail.contains("is 10.11.")
                            && detail.contains("Set restore.mariadbd to a 10.5 server"), detail);
                } else {
                    assertTrue(v.report().ok(), generation + ": " + v.report().problems());
                    assertEquals(mailboxes.accounts().size(), v.report().mailboxes(), v.report().toString());
                    assertTrue(v.report().items() >= 80 && v.report().digestsChecked() >= 80, v.report().toString());
                }
            }
            assertTrue(host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout().lines()
                    .noneMatch(l -> l.contains("zmsnap-restore-")), "the drill's clones are gone");
        }
    }
}
