package org.zmsnap.cli.man;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zmsnap.daemon.Zmsnapd;
import picocli.CommandLine;

/**
 * Renders zmsnap(8), zmsnapd(8) and zmsnap.yaml(5); {@link DebianFiles} writes them into the Debian package.
 * The command pages come from the picocli model, the file format page from the configuration reference.
 */
public final class ManPages {
    private ManPages() {}

    /** File name → page source. */
    public static Map<String, String> render(String configurationMarkdown, String version, String date) {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("zmsnap.8", CommandManPage.render(org.zmsnap.cli.Main.commandLine().getCommandSpec(), new CommandManPage.Meta(8, date, version,
                List.of("ZMSNAP_JAVA_OPTS: JVM options for the command (default `-Xss512k -XX:+UseSerialGC`)",
                        "ZMSNAP_CDS_ARCHIVE: the class-data archive to start from (default `/var/cache/zmsnap/zmsnap-cli.jsa`; empty: none)",
                        "ZMSNAP_LOG_LEVEL: level of zmsnap's log lines on stderr (default `WARN`; `--verbose` shows `INFO`)",
                        "NO_COLOR: when set, `zmsnap status` prints no colours (neither does it when stdout is not a terminal)"),
                List.of("/etc/zmsnap/zmsnap.yaml: the configuration (see zmsnap.yaml(5)); `--config FILE` reads another",
                        "/var/cache/zmsnap/zmsnap-cli.jsa: the class-data archive that shortens the JVM's start, made by the package (install.md)",
                        "/usr/share/doc/zmsnap/: the manual: install, replication, DR host, restore, verify, metrics"),
                List.of("zmsnapd(8)", "zmsnap.yaml(5)", "zfs(8)"))));
        pages.put("zmsnapd.8", CommandManPage.render(new CommandLine(new Zmsnapd()).getCommandSpec(), new CommandManPage.Meta(8, date, version,
                List.of("ZMSNAPD_JAVA_OPTS: JVM options (from `/etc/default/zmsnapd` under systemd)",
                        "ZMSNAP_LOG_LEVEL: log level (default `INFO`)",
                        "JOURNAL_STREAM: set by systemd: log lines carry a syslog priority and no timestamp, so `journalctl -p` works",
                        "NOTIFY_SOCKET: set by systemd (`Type=notify`): zmsnapd reports READY once the config, MariaDB and the datasets answered"),
                List.of("/etc/zmsnap/zmsnap.yaml: the configuration (see zmsnap.yaml(5))",
                        "/etc/default/zmsnapd: JVM options for the unit",
                        "/lib/systemd/system/zmsnapd.service: the systemd unit (`systemctl enable --now zmsnapd`)",
                        "/run/zmsnap/cycle.lock: the host-wide cycle lock (the config's `lock-file`)",
                        "/usr/share/doc/zmsnap/daemon.md: the daemon's manual; metrics.md: its `/metrics` and `/healthz`"),
                List.of("zmsnap(8)", "zmsnap.yaml(5)", "systemd.service(5)"))));
        pages.put("zmsnap.yaml.5", MarkdownManPage.render(configurationMarkdown, new MarkdownManPage.Meta("zmsnap.yaml", 5,
                "configuration of zmsnap and zmsnapd", "`/etc/zmsnap/zmsnap.yaml`", date, version,
                List.of("zmsnap(8)", "zmsnapd(8)"))));
        return pages;
    }
}
