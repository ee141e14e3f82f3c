package org.zmsnap.schedule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.verify.DrillSubjects.Subject;
import org.zmsnap.verify.Problem;
import org.zmsnap.verify.VerifiedMark;
import org.zmsnap.verify.VerifyMode;
import org.zmsnap.verify.VerifyReport;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DrillServiceTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void aFullCheckIsDueWithoutARecentFullOne() {
        Duration week = Duration.ofDays(7);
        assertTrue(DrillService.fullDue(List.of(), NOW, week), "never verified");
        assertTrue(DrillService.fullDue(List.of(new VerifiedMark(NOW.minus(Duration.ofHours(1)), true, "incremental"),
                new VerifiedMark(NOW.minus(Duration.ofDays(8)), true, "full")), NOW, week), "the last full one is 8 days old");
        assertFalse(DrillService.fullDue(List.of(new VerifiedMark(NOW.minus(Duration.ofHours(1)), true, "incremental"),
                new VerifiedMark(NOW.minus(Duration.ofDays(6)), false, "full")), NOW, week), "a full check 6 days ago, failed or not");
    }

    static Subject subject(String name) {
        return new Subject(name, Optional.of(name), () -> {
            throw new AssertionError("the fake drill never opens a set");
        });
    }

    static VerifyReport report(long items, Problem... problems) {
        return new VerifyReport("t", VerifyMode.fullCheck(), 1, items, 0, 0, 1, List.of(problems));
    }

    @Test
    void aSourceWhoseDrillBreaksDoesNotStopTheOthers() {
        List<String> drilled = new ArrayList<>();
        var run = DrillService.run(List.of(subject("a"), subject("b"), subject("c")), s -> {
            drilled.add(s.name());
            return s.name().equals("a") ? new DrillService.SourceOutcome.Failed("sandbox did not start")
                    : new DrillService.SourceOutcome.Verified(report(10));
        });
        assertEquals(List.of("a", "b", "c"), drilled, "b and c are drilled after a broke");
        assertEquals("failed", run.orElseThrow().result(), "a broken drill is not a pass");
        assertEquals(20, run.orElseThrow().items());
    }

    @Test
    void theResultIsTheWorstOfTheSources() {
        Problem missing = new Problem(1, "a@x", 2, "/Inbox", Problem.Kind.MISSING_BLOB, "gone");
        assertEquals("ok", DrillService.run(List.of(subject("a"), subject("b")),
                s -> new DrillService.SourceOutcome.Verified(report(1))).orElseThrow().result());
        assertEquals("skipped", DrillService.run(List.of(subject("a"), subject("b")),
                s -> s.name().equals("a") ? new DrillService.SourceOutcome.Skipped("receiving")
                        : new DrillService.SourceOutcome.Verified(report(1))).orElseThrow().result());
        var problems = DrillService.run(List.of(subject("a"), subject("b")),
                s -> s.name().equals("a") ? new DrillService.SourceOutcome.Skipped("receiving")
                        : new DrillService.SourceOutcome.Verified(report(1, missing))).orElseThrow();
        assertEquals("problems", problems.result());
        assertEquals(Map.of("missing-blob", 1L), problems.byKind());
    }

    @Test
    void aDrillCutShortByShutdownRecordsNothing() {
        List<String> drilled = new ArrayList<>();
        assertTrue(DrillService.run(List.of(subject("a"), subject("b")), s -> {
            drilled.add(s.name());
            return new DrillService.SourceOutcome.Abandoned();
        }).isEmpty());
        assertEquals(List.of("a"), drilled, "nothing more is started once zmsnapd is stopping");
    }
}
