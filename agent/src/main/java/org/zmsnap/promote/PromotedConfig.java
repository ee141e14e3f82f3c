package org.zmsnap.promote;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;

/**
 * The mailbox-host config promote suggests for the promoted datasets, so this host can take snapshots of them as
 * the lost host did. Written beside the DR config, never over an existing file; the admin reviews and installs it.
 */
public final class PromotedConfig {
    /** Schedules for the usual policy names; any other policy the source keeps gets an hourly one to adjust. */
    private static final Map<String, String> SCHEDULES = Map.of("frequent", "0 */15 * * * ?", "hourly", "0 0 * * * ?",
            "daily", "0 30 2 * * ?", "weekly", "0 0 3 ? * SUN", "monthly", "0 0 4 1 * ?");

    /** What of this host's own config carries over. */
    public record Site(String host, Path lockFile, String zfsCommand) {}

    private PromotedConfig() {}

    /** The file name for a source: {@code zmsnap.promoted-<source>.yaml} beside {@code config}. */
    public static Path defaultPath(Path config, String source) {
        return config.toAbsolutePath().resolveSibling("zmsnap.promoted-" + source + ".yaml");
    }

    static String render(Site site, SourceConfig src, List<DatasetName> live, SnapshotTag set, Instant now) {
        StringBuilder y = new StringBuilder();
        y.append("# Suggested by 'zmsnap promote --source ").append(src.name()).append("' at ").append(now)
                .append(": the copies of ").append(src.name()).append(" promoted\n")
                .append("# from set ").append(set.name()).append(" now run here. Review it, then install it as this host's config\n")
                .append("# (/etc/zmsnap/zmsnap.yaml, or merge it into it) and restart zmsnapd: this host then snapshots them.\n")
                .append("# Keep the 'sources' of any other mailbox host this DR host still receives. See docs/failover.md.\n");
        y.append("host: ").append(site.host()).append('\n');
        y.append("lock-file: ").append(site.lockFile()).append('\n');
        y.append("mariadb:\n")
                .append("  # Zimbra's MariaDB on this host, once 'zmcontrol start' has started it\n")
                .append("  socket: /opt/zimbra/data/tmp/mysql/mysql.sock\n")
                .append("  user: root\n")
                .append("  # the root password from Zimbra's localconfig (zmlocalconfig -s -m nokey mysql_root_password)\n")
                .append("  zimbra-localconfig: true\n")
                .append("  quiesce: auto\n")
                .append("  lock-budget: 2s\n");
        y.append("datasets:\n");
        live.forEach(d -> y.append("  - ").append(d).append('\n'));
        y.append("zfs:\n  command: ").append(site.zfsCommand()).append('\n');
        y.append("policies:\n");
        src.keep().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String schedule = SCHEDULES.get(e.getKey());
            y.append("  ").append(e.getKey()).append(": { schedule: \"").append(schedule == null ? "0 0 * * * ?" : schedule)
                    .append("\", keep: ").append(e.getValue()).append(" }")
                    .append(schedule == null ? "   # schedule: adjust to what " + src.name() + " used" : "").append('\n');
        });
        return y.toString();
    }
}
