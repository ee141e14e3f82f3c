package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parallel streams of one run (pure scheduling, no zfs): a stream that throws what replicateDataset does not turn
 * into its outcome (a bug) still ends the run as an error, but only once its siblings have ended too — a stream that
 * outlived its run would go on sending and moving holds after the caller released the target's lock and closed the
 * SSH session.
 */
class ReplicatorParallelTest {
    @Test
    void aFailedRunNamesEveryFailedDatasetFirstThenEachReason() {
        Map<org.zmsnap.zfs.DatasetName, String> one = new LinkedHashMap<>();
        one.put(new org.zmsnap.zfs.DatasetName("dr/mbox1/zimbra/db"), "dr/mbox1/zimbra/db on dr: zfs receive exited -1.");
        assertEquals("dr/mbox1/zimbra/db on dr: zfs receive exited -1.", Replicator.failureReason(one), "one: as it was");
        Map<org.zmsnap.zfs.DatasetName, String> two = new LinkedHashMap<>(one);
        two.put(new org.zmsnap.zfs.DatasetName("dr/mbox1/zimbra/store"), "dr/mbox1/zimbra/store: cannot run 'zfs'");
        assertEquals("2 datasets failed (dr/mbox1/zimbra/db, dr/mbox1/zimbra/store). dr/mbox1/zimbra/db on dr: zfs receive exited -1."
                + " | dr/mbox1/zimbra/store: cannot run 'zfs'", Replicator.failureReason(two));
    }


    @Test
    void resultsComeInTheOrderOfThePlans() {
        Map<String, Integer> plans = new LinkedHashMap<>();
        plans.put("a", 30);
        plans.put("b", 0);
        plans.put("c", 10);
        List<String> out = Replicator.inParallel(plans, 3, (k, ms) -> {
            sleep(ms);
            return k;
        });
        assertEquals(List.of("a", "b", "c"), out);
    }

    @Test
    void aStreamThatThrowsEndsTheRunOnlyAfterItsSiblingsHaveEnded() {
        Map<String, Integer> plans = new LinkedHashMap<>();
        plans.put("throws", 0);
        plans.put("slow1", 400);
        plans.put("slow2", 400);
        List<String> ended = Collections.synchronizedList(new ArrayList<>());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Replicator.inParallel(plans, 3, (k, ms) -> {
            if (k.equals("throws")) {
                throw new IllegalArgumentException("a bug on purpose");
            }
            sleep(ms);
            ended.add(k);
            return k;
        }));
        assertTrue(e.getMessage().contains("a replication stream failed unexpectedly")
                && e.getMessage().contains("a bug on purpose"), e.getMessage());
        assertEquals(List.of("slow1", "slow2"), ended.stream().sorted().toList(),
                "every sibling stream had ended when the run ended");
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // an interrupted sibling ends early: the test then sees it missing from 'ended'
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
