package org.zmsnap.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
    @Test
    void resultsComeInListOrderWhateverOrderTheyFinishIn() throws Exception {
        List<Integer> items = IntStream.range(0, 200).boxed().toList();
        List<Integer> got = new ArrayList<>();
        try (ReadAhead<Integer, Integer> ra = new ReadAhead<>(items, i -> {
            sleepMicros(ThreadLocalRandom.current().nextInt(0, 500));
            return i * 2;
        }, 3, 8)) {
            for (int i = 0; i < items.size(); i++) {
                got.add(ra.get(i));
            }
        }
        assertEquals(items.stream().map(i -> i * 2).toList(), got);
    }

    @Test
    void neverWorksMoreThanTheWindowAheadOfTheConsumer() {
        AtomicInteger started = new AtomicInteger();
        List<Integer> items = IntStream.range(0, 100).boxed().toList();
        try (ReadAhead<Integer, Integer> ra = new ReadAhead<>(items, i -> {
            started.incrementAndGet();
            return i;
        }, 4, 5)) {
            for (int i = 0; i < items.size(); i++) {
                ra.get(i);
                assertTrue(started.get() <= i + 1 + 5, "started " + started.get() + " after taking item " + i);
            }
        }
        assertEquals(100, started.get());
    }

    @Test
    void aFailureReachesTheConsumerAsItself() {
        IllegalStateException boom = new IllegalStateException("volume 9 is not in zimbra.volume");
        try (ReadAhead<Integer, Integer> ra = new ReadAhead<>(List.of(1, 2, 3), i -> {
            if (i == 2) {
                throw boom;
            }
            return i;
        }, 2, 2)) {
            assertEquals(1, ra.get(0));
            assertSame(boom, assertThrows(IllegalStateException.class, () -> ra.get(1)));
        }
    }

    private static void sleepMicros(int us) {
        try {
            Thread.sleep(0, us * 1000 % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
