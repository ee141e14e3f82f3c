package org.zmsnap.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.PolicyConfig;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.replication.LastRun;
import org.zmsnap.replication.ReplicationRunner;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.status.StatusItem.Level;
import org.zmsnap.verify.DrillStatus;
import org.zmsnap.verify.VerifiedMark;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

class StatusRulesTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final DatasetName DB = new DatasetName("tank/zimbra/db");
    static final PolicyConfig HOURLY = new PolicyConfig("hourly", "0 0 * * * ?", 24);

    static SnapshotSet set(String policy, Instant at, Map<String, String> props) {
        SnapshotTag tag = new SnapshotTag(policy, at);
        return new SnapshotSet(tag, Map.of(DB, new SnapshotInfo(DB.at(tag.name()), 1, at, 1, 0, props)), List.of());
    }

    static Map<String, String> marks(String consistent, String coverage) {
        return Map.of(SnapshotProperties.CONSISTENT, consistent, SnapshotProperties.COVERAGE, coverage, SnapshotProperties.HOLD_MS, "17.2");
    }

    @Test
    void aPolicyIsOkUntilTwiceItsPeriodHasPassed() {
        Duration hour = Duration.ofHours(1);
        StatusItem fresh = StatusRules.policy(HOURLY, hour, List.of(set("hourly", NOW.minus(Duration.ofMinutes(90)), marks("yes", "yes")),
                set("daily", NOW, marks("yes", "yes"))), NOW);
        assertEquals(Level.OK, fresh.level(), fresh.toString());
        assertTrue(fresh.summary().contains("lock held 17.2 ms") && fresh.summary().contains("1 h 30 min old"), fresh.summary());
        StatusItem late = StatusRules.policy(HOURLY, hour, List.of(set("hourly", NOW.minus(Duration.ofMinutes(121)), marks("yes", "yes"))), NOW);
        assertEquals(Level.BAD, late.level());
        assertTrue(late.why().startsWith("overdue"), late.why());
        assertEquals(Level.BAD, StatusRules.policy(HOURLY, hour, List.of(set("daily", NOW, marks("yes", "yes"))), NOW).level(),
                "another policy's sets do not count");
    }

    @Test
    void aSetThatCannotRestoreZimbraIsNeverOk() {
        StatusItem uncovered = StatusRules.policy(HOURLY, Duration.ofHours(1), List.of(set("hourly", NOW, marks("yes", "no"))), NOW);
        assertEquals(Level.BAD, uncovered.level());
        assertTrue(uncovered.why().contains("zmsnap check"), uncovered.why());
        StatusItem crash = StatusRules.policy(HOURLY, Duration.ofHours(1), List.of(set("hourly", NOW, marks("no", "yes"))), NOW);
        assertEquals(Level.WARN, crash.level(), "crash-consistent: InnoDB recovers it, but the lock was not had");
        StatusItem unknown = StatusRules.policy(HOURLY, Duration.ofHours(1), List.of(set("hourly", NOW, marks("no", "unknown"))), NOW);
        assertEquals(Level.BAD, unknown.level(), "the paths could not be read: it may not restore Zimbra");
        assertTrue(unknown.why().contains("coverage=unknown") && unknown.why().contains("zmsnap check"), unknown.why());
        StatusItem unmarked = StatusRules.policy(HOURLY, Duration.ofHours(1), List.of(set("hourly", NOW,
                Map.of(SnapshotProperties.CONSISTENT, "yes"))), NOW);
        assertEquals(Level.OK, unmarked.level(), "a set from before the coverage check has no mark: judged as before");
    }

    @Test
    void aSetTakenAMomentAgoWhoseMarksAreNotWrittenYetIsJudgedByTheSetBefore() {
        Duration hour = Duration.ofHours(1);
        SnapshotSet marked = set("hourly", NOW.minus(hour), marks("yes", "yes"));
        StatusItem moment = StatusRules.policy(HOURLY, hour, List.of(marked, set("hourly", NOW.minusSeconds(2), Map.of())), NOW);
        assertEquals(Level.OK, moment.level(), moment.toString());
        assertEquals(marked.tag().name(), moment.fields().get("newest"));
        StatusItem old = StatusRules.policy(HOURLY, hour, List.of(marked, set("hourly", NOW.minusSeconds(90), Map.of())), NOW);
        assertEquals(Level.WARN, old.level(), "unmarked for longer than a moment: what it says, consistency unknown");
        StatusItem only = StatusRules.policy(HOURLY, hour, List.of(set("hourly", NOW.minusSeconds(2), Map.of())), NOW);
        assertEquals(Level.WARN, only.level(), "nothing before it: the unmarked set itself");
    }

    static TargetConfig target(Duration rpo) {
        return new ZfsTarget("dr1", "dr.example", 22, "root", Optional.empty(), Optional.empty(), new DatasetName("backup/mbox1"),
                List.of(), Optional.empty(), Map.of("hourly", 48), 0, Duration.ofMinutes(5), Duration.ofMinutes(1), false, "zfs",
                rpo, false, TargetConfig.DEFAULT_MIN_RATE, Duration.ZERO, ZfsTarget.DEFAULT_PARALLEL_STREAMS);
    }

    @Test
    void aTargetIsJudgedByItsLagAgainstItsRpoAndItsLastRun() {
        TargetConfig t = target(Duration.ofHours(2));
        var inCommon = new ReplicationRunner.Status(Optional.of("zmsnap_hourly_2026-11-30T11:00:00Z"),
                Optional.of(NOW.minus(Duration.ofHours(1))), Optional.empty());
        assertEquals(Level.OK, StatusRules.target(t, inCommon, Optional.of(new LastRun("replicated", NOW, 10, Optional.empty(), Optional.empty())), Optional.empty(), NOW).level());
        StatusItem failedRecently = StatusRules.target(t, inCommon,
                Optional.of(new LastRun("failed", NOW, 0, Optional.empty(), Optional.of("connection refused"))), Optional.empty(), NOW);
        assertEquals(Level.WARN, failedRecently.level(), "within the rpo: worth a look, the copy still serves");
        assertTrue(failedRecently.why().contains("connection refused"), failedRecently.why());
        var behind = new ReplicationRunner.Status(Optional.of("zmsnap_hourly_2026-11-30T09:00:00Z"),
                Optional.of(NOW.minus(Duration.ofHours(3))), Optional.empty());
        StatusItem late = StatusRules.target(t, behind, Optional.empty(), Optional.empty(), NOW);
        assertEquals(Level.BAD, late.level());
        assertTrue(late.why().contains("rpo of 2 h") && late.why().contains("zmsnap replicate --target dr1"), late.why());
        assertEquals(Level.BAD, StatusRules.target(t, new ReplicationRunner.Status(Optional.empty(), Optional.empty(), Optional.empty()),
                Optional.of(new LastRun("nothing-eligible", NOW, 0, Optional.empty(), Optional.of("only manual sets"))), Optional.empty(), NOW).level(),
                "nothing in common: no DR copy at all");
        assertEquals(Level.BAD, StatusRules.target(t, new ReplicationRunner.Status(Optional.empty(), Optional.empty(),
                Optional.of("ssh: connect refused")), Optional.empty(), Optional.empty(), NOW).level());
        StatusItem sending = StatusRules.target(t, inCommon, Optional.empty(), Optional.of(new DaemonProbe.Running(2, 3L << 30)), NOW);
        assertEquals(Level.OK, sending.level());
        assertTrue(sending.summary().endsWith(", sending now: 2 streams, 3.0 GiB so far"), sending.summary());
        assertEquals(2, sending.fields().get("sending_streams"));
    }

    @Test
    void drillsAndTheDaemon() {
        VerifiedMark ok = new VerifiedMark(NOW.minus(Duration.ofHours(3)), true, "incremental");
        SnapshotSet drilled = set("hourly", NOW.minus(Duration.ofHours(4)), Map.of(SnapshotProperties.VERIFIED, ok.value()));
        assertEquals(Level.OK, StatusRules.drill(DrillStatus.of("this host", List.of(drilled), NOW, Duration.ofDays(2)), NOW).level());
        StatusItem never = StatusRules.drill(DrillStatus.of("this host", List.of(set("hourly", NOW, Map.of())), NOW, Duration.ofDays(2)), NOW);
        assertEquals(Level.BAD, never.level(), "an unproven backup is not green");
        assertTrue(never.why().contains("zmsnap verify"), never.why());
        assertEquals(Level.OK, StatusRules.daemon(new DaemonProbe.Answer.Healthy()).level());
        assertEquals(Level.BAD, StatusRules.daemon(new DaemonProbe.Answer.Unreachable("http://127.0.0.1:9477/healthz", "Connection refused")).level());
        assertEquals(Level.WARN, StatusRules.daemon(new DaemonProbe.Answer.NotServed()).level());
        assertEquals(Level.BAD, StatusRules.overall(List.of(StatusRules.daemon(new DaemonProbe.Answer.NotServed()), never)));
        assertEquals(Level.WARN, StatusRules.overall(List.of(StatusRules.daemon(new DaemonProbe.Answer.NotServed()))));
    }

    @Test
    void agesReadAsAnAdminWritesThem() {
        assertEquals("42 s", Ages.of(Duration.ofSeconds(42)));
        assertEquals("17 min", Ages.of(Duration.ofMinutes(17)));
        assertEquals("5 h 3 min", Ages.of(Duration.ofMinutes(303)));
        assertEquals("2 h", Ages.of(Duration.ofHours(2)));
        assertEquals("3 d 4 h", Ages.of(Duration.ofHours(76)));
    }
}
