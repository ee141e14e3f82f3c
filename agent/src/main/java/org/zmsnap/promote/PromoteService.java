package org.zmsnap.promote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.zmsnap.config.Config;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.snapshot.HostLock;
import org.zmsnap.zfs.Zfs;

/**
 * {@code zmsnap promote}: under the source's link lock (the one a pull holds, taken without waiting), survey the
 * copies, plan, and carry the plan out (or only show it).
 */
public final class PromoteService {
    private final Config config;
    private final Zfs zfs;
    private final CopySurvey survey;
    private final Clock clock;

    public PromoteService(Config config, Zfs zfs) {
        this(config, zfs, new CopySurvey(zfs, new RunningReceives(java.nio.file.Path.of("/proc"), config.zfs().command()),
                MountTable::read, PathState::of), Clock.systemUTC());
    }

    public PromoteService(Config config, Zfs zfs, CopySurvey survey, Clock clock) {
        this.config = config;
        this.zfs = zfs;
        this.survey = survey;
        this.clock = clock;
    }

    /** @throws org.zmsnap.config.ConfigException for an unknown source, or a config without sources */
    public PromotionOutcome promote(PromoteRequest req) {
        SourceConfig src = config.source(req.source());
        Path lockFile = config.linkLock("source", src.name());
        HostLock lock;
        try {
            lock = HostLock.acquire(lockFile, "promote of " + src.name(), Duration.ZERO);
        } catch (HostLock.HostLockBusyException e) {
            return new PromotionOutcome.Refused("a pull for " + src.name() + " is running (" + holder(lockFile) + "; it holds "
                    + lockFile + "). Wait for it to finish (or stop it), then promote.", true);
        }
        try (lock) {
            long start = System.nanoTime();
            PromotionPlan plan = PromotionPlan.plan(src, survey.take(src), req, clock.instant(), config.host(),
                    freePath(PromotedConfig.defaultPath(config.source(), src.name())),
                    new PromotedConfig.Site(config.host(), config.lockFile(), config.zfs().command()));
            if (plan instanceof PromotionPlan.Refused r) {
                return new PromotionOutcome.Refused(r.reason(), r.busy());
            }
            PromotionPlan.Ready ready = (PromotionPlan.Ready) plan;
            long surveyed = (System.nanoTime() - start) / 1000;
            if (req.dryRun()) {
                return new PromotionOutcome.DryRun(ready, surveyed);
            }
            return new Promoter(zfs).execute(ready, surveyed);
        }
    }

    private static String holder(Path lockFile) {
        try {
            String s = Files.readString(lockFile, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "holder unknown" : s;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /** The suggested config's path, or, when a file is there already, one with the time in its name. */
    private Path freePath(Path p) {
        if (!Files.exists(p)) {
            return p;
        }
        String stamp = clock.instant().toString().replace(":", "");
        return p.resolveSibling(p.getFileName().toString().replace(".yaml", "-" + stamp + ".yaml"));
    }
}
