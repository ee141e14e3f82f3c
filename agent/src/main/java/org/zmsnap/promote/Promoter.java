package org.zmsnap.promote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.zfs.Zfs;

/** Carries out a {@link PromotionPlan.Ready}'s steps in order, timing each; stops at the first that fails. */
public final class Promoter {
    private static final Logger LOG = LoggerFactory.getLogger(Promoter.class);

    private final Zfs zfs;

    public Promoter(Zfs zfs) {
        this.zfs = zfs;
    }

    /** @param surveyMicros how long the survey and plan took, reported with the steps */
    public PromotionOutcome execute(PromotionPlan.Ready plan, long surveyMicros) {
        long start = System.nanoTime();
        List<PromotionOutcome.StepTime> done = new ArrayList<>();
        for (Step step : plan.steps()) {
            long t = System.nanoTime();
            try {
                run(step);
            } catch (RuntimeException e) {
                LOG.error("promotion of {} stopped at '{}': {}", plan.source(), step.describe(), e.getMessage());
                return new PromotionOutcome.Failed(plan, e.getMessage(), done, step);
            }
            done.add(new PromotionOutcome.StepTime(step, (System.nanoTime() - t) / 1000));
            LOG.info("promote {}: {}", plan.source(), step.describe());
        }
        return new PromotionOutcome.Promoted(plan, done, surveyMicros, surveyMicros + (System.nanoTime() - start) / 1000);
    }

    private void run(Step step) {
        if (step instanceof Step.AbortPartial a) {
            zfs.abortResumableReceive(a.copy());
        } else if (step instanceof Step.Snapshot s) {
            zfs.snapshot(List.of(s.name()), false, Map.of(), zfs.defaultTimeout());
        } else if (step instanceof Step.Hold h) {
            zfs.hold(h.tag(), h.name());
        } else if (step instanceof Step.Clone c) {
            // A clone inherits setuid/devices from its parent (on by default), not from the copy: a compromised
            // source's setuid binaries or device nodes must not go live with it. Zimbra's data needs neither.
            zfs.clone(c.origin(), c.target(), Map.of("readonly", "off", "mountpoint", c.mountpoint().toString(),
                    "setuid", "off", "devices", "off"));
        } else if (step instanceof Step.Set s) {
            zfs.set(s.dataset(), s.property(), s.value());
        } else if (step instanceof Step.Mount m) {
            // A clone mounts itself when it is created; mounting twice is an error.
            if (!zfs.getProperty(m.dataset(), "mounted").orElse("no").equals("yes")) {
                zfs.mount(m.dataset());
            }
        } else if (step instanceof Step.WriteConfig w) {
            try {
                Files.writeString(w.file(), w.yaml(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + w.file() + ": " + e.getMessage(), e);
            }
        } else {
            throw new IllegalStateException("unknown step " + step);
        }
    }
}
