package org.zmsnap.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.TestMariaDb;
import org.zmsnap.fixtures.ZimbraZfsHost;
import org.zmsnap.fixtures.zimbra.ConsistencyReport;
import org.zmsnap.fixtures.zimbra.DeliveryLoad;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.MailboxConsistencyCheck;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;

/**
 * The promise of the product: snapshots taken while mail is being delivered are consistent. Each snapshot is
 * cloned and started with mariadbd: every committed message row has its blob with the right digest, and every
 * delivery acknowledged before the cycle began is in it (with Zimbra's innodb_flush_log_at_trx_commit = 0). On every
 * MariaDB generation (-Dmariadb), each clone opened by the same generation's server.
 */
class ConsistencyUnderLoadIT {
    record Taken(String tag, Instant cycleStarted) {}

    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void snapshotsUnderDeliveryLoadAreConsistent(TestMariaDb generation) throws Exception {
        generation.require();
        try (SnapshotHost host = new SnapshotHost("2G", generation, MariaDbServer.Options.zimbraDefaults())) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedMailboxes mailboxes;
            try (Connection c = host.db.connect()) {
                mailboxes = ZimbraMailboxGenerator.generate(c, store, 2, 100);
            }
            int mailboxId = mailboxes.accounts().get(0).mailboxId();
            List<Taken> taken = new ArrayList<>();
            List<DeliveryLoad.Delivery> acknowledged;
            try (DeliveryLoad load = DeliveryLoad.start(host.db, store, mailboxId, 150)) {
                Thread.sleep(500);
                // The other generations prove each lock method once (keeps the matrix inside CI's time budget).
                List<String> methods = generation == TestMariaDb.LOCAL
                        ? List.of("ftwrl", "backup-stage", "ftwrl", "backup-stage", "ftwrl", "ftwrl")
                        : List.of("ftwrl", "backup-stage");
                for (String quiesce : methods) {
                    // A generous budget and the site's back-off: this test is about what a snapshot contains; the
                    // budget and the acquire bound have their own tests (zfs-fuse has stalled a delivery's fsync for over
                    // 6 s here, which a test's 1 s back-off turns into a skipped cycle).
                    Config cfg = ConfigLoader.parse(host.yaml(quiesce, "5s", "skip", "zfs", ZimbraZfsHost.SITE_RETRY_WINDOW),
                            host.dir.resolve("zmsnap.yaml"));
                    try (AgentContext ctx = new AgentContext(cfg)) {
                        Instant started = Instant.now();
                        CycleOutcome o = ctx.snapshotCycle().run("manual");
                        SetReport r = assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report();
                        assertTrue(r.consistent(), r.note());
                        taken.add(new Taken(r.tag().name(), started));
                    }
                    Thread.sleep(1100); // tags are per second
                }
                acknowledged = load.stop();
                assertEquals(0, load.errorCount(), load.errors().toString());
            }
            // more than 500 over six cycles, as before the matrix; the same rate over the containers' two
            assertTrue(acknowledged.size() > 500 * taken.size() / 6, "deliveries during the test: " + acknowledged.size());

            int n = 0;
            for (Taken t : taken) {
                String db = host.pool.dataset("db") + "@" + t.tag();
                String st = host.pool.dataset("store") + "@" + t.tag();
                Path dbClone = host.pool.cloneSnapshot(db, "cdb" + n);
                Path storeClone = host.pool.cloneSnapshot(st, "cst" + n);
                try (MariaDbServer clone = MariaDbServer.start(dbClone.resolve("data"),
                        MariaDbServer.Options.zimbraDefaults().existingDatadir(host.db.password()), generation);
                     Connection c = clone.connect()) {
                    ConsistencyReport report = MailboxConsistencyCheck.check(c, Map.of(store, storeClone));
                    assertTrue(report.ok(), t.tag() + ": " + report);
                    Set<Integer> ids = new HashSet<>();
                    int group = mailboxes.accounts().get(0).groupId();
                    try (Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT id FROM mboxgroup" + group + ".mail_item WHERE mailbox_id = " + mailboxId)) {
                        while (rs.next()) {
                            ids.add(rs.getInt(1));
                        }
                    }
                    List<Integer> missing = acknowledged.stream().filter(d -> d.committedAt().isBefore(t.cycleStarted()))
                            .map(DeliveryLoad.Delivery::itemId).filter(id -> !ids.contains(id)).toList();
                    assertTrue(missing.isEmpty(), t.tag() + ": acknowledged before the cycle but missing: " + missing);
                } finally {
                    host.pool.destroyDataset(host.pool.name() + "/cdb" + n);
                    host.pool.destroyDataset(host.pool.name() + "/cst" + n);
                }
                n++;
            }
        }
    }
}
