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
    void withoutAVerifySectionTheDefaultsApply() {
        LowPriority p = LowPriority.of(Optional.empty());
        assertEquals(VerifyConfig.DEFAULT_NICE, p.nice());
        assertEquals(VerifyConfig.IoClass.BEST_EFFORT, p.io());
    }
}
