package org.zmsnap.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.VerifyConfig;

class LowPriorityTest {
    static LowPriority with(int nice, VerifyConfig.IoClass io, Set<String> installed) {
        return new LowPriority(nice, io, t -> installed.contains(t) ? Optional.of(Path.of("/usr/bin", t)) : Optional.empty());
    }

    @Test
    void theSandboxIsExecedThroughNiceAndIonice() {
        assertEquals(List.of("/usr/bin/nice", "-n", "10", "/usr/bin/ionice", "-c", "2", "-n", "7"),
                with(10, VerifyConfig.IoClass.BEST_EFFORT, Set.of("nice", "ionice")).launcher());
        assertEquals(List.of("/usr/bin/ionice", "-c", "3"), with(0, VerifyConfig.IoClass.IDLE, Set.of("nice", "ionice")).launcher());
    }

    @Test
    void aToolThatIsNotInstalledIsLeftOutAndNormalPriorityPrefixesNothing() {
        assertEquals(List.of("/usr/bin/nice", "-n", "5"), with(5, VerifyConfig.IoClass.BEST_EFFORT, Set.of("nice")).launcher());
        assertEquals(List.of(), with(0, VerifyConfig.IoClass.NONE, Set.of("nice", "ionice")).launcher());
        assertEquals(List.of(), LowPriority.normal().launcher());
        assertTrue(with(10, VerifyConfig.IoClass.IDLE, Set.of()).lowerThisThread(c -> {
            throw new AssertionError("nothing to run: " + c);
        }).stream().anyMatch(w -> w.contains("renice is not installed")) || LowPriority.threadId().isEmpty());
    }

    @Test
    void fromAThreadAlreadyLoweredTheSandboxIsNotLoweredASecondTime() throws Exception {
        // A process starts at its starting thread's niceness and nice adds to it: the drill lowers its thread first,
        // so the launcher must not add the whole step again (10 + 10 would end at 19).
        List<List<String>> seen = new java.util.ArrayList<>();
        Thread t = new Thread(() -> {
            LowPriority p = LowPriority.of(10, VerifyConfig.IoClass.NONE);
            seen.add(p.launcher());
            p.lowerThisThread(new org.zmsnap.exec.LocalCommandRunner());
            seen.add(p.launcher());
            seen.add(List.of(String.valueOf(LowPriority.threadNice().orElse(-1))));
        });
        t.start();
        t.join();
        int base = LowPriority.processNice().orElse(0);
        if (base + 10 > 19 || LowPriority.threadId().isEmpty()) {
            return; // already at the bottom, or no per-thread niceness here: nothing to tell apart
        }
        assertEquals("-n", seen.get(0).get(1), "before lowering: " + seen.get(0));
        assertEquals(String.valueOf(base + 10), seen.get(2).get(0), "renice lowered the thread");
        assertEquals(List.of(), seen.get(1), "after lowering, the sandbox inherits the thread's niceness as it is");
    }

    @Test
    void withoutAVerifySectionTheDefaultsApply() {
        LowPriority p = LowPriority.of(Optional.empty());
        assertEquals(VerifyConfig.DEFAULT_NICE, p.nice());
        assertEquals(VerifyConfig.IoClass.BEST_EFFORT, p.io());
    }
}
