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
 * is read, every blob's digest is compared. A restore or DR host therefore needs a server of the same generation or
 * a newer one (docs/compatibility.md); 11.8's datadir opened by 10.11 is the "older" case proven here.
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
                assertTrue(v.report().ok(), generation + ": " + v.report().problems());
                assertEquals(mailboxes.accounts().size(), v.report().mailboxes(), v.report().toString());
                assertTrue(v.report().items() >= 80 && v.report().digestsChecked() >= 80, v.report().toString());
            }
            assertTrue(host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout().lines()
                    .noneMatch(l -> l.contains("zmsnap-restore-")), "the drill's clones are gone");
        }
    }
}
