package org.zmsnap.mariadb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The site's {@code innodb_flush_log_at_trx_commit}, written next to the host lock before a cycle raises it to 1 and
 * removed once it is back. A cycle cut off in between (SIGKILL, Ctrl-C of {@code zmsnap snapshot}, a crash) leaves the
 * server at 1, and the next cycle would read 1 as the site's own setting: this record is how that cycle knows better.
 * With the default {@code lock-file} it lives in {@code /run}, so it ends with a reboot, as the server's setting does;
 * anywhere else the server's start time still keeps it from applying to a restarted server.
 *
 * @param original      the setting before the raise
 * @param serverId      {@code @@server_id} of the server it was raised on
 * @param serverStarted when that server started (epoch seconds, from its uptime): a restarted server took its setting
 *                      from its own configuration, which must not be overwritten
 */
public record RaisedFlushSetting(int original, long serverId, long serverStarted) {
    /** Two readings of "now minus uptime" differ by the second boundaries between them. */
    static final long START_SLACK_SECONDS = 2;

    public static Path fileFor(Path lockFile) {
        return lockFile.resolveSibling(lockFile.getFileName() + ".flush-setting");
    }

    /** Whether the server as it is now is the one this record raised, still at the raised value. */
    public boolean stillRaisedOn(int current, long currentServerId, long currentServerStarted) {
        return current == 1 && original != 1 && currentServerId == serverId
                && Math.abs(currentServerStarted - serverStarted) <= START_SLACK_SECONDS;
    }

    String format() {
        return "original=" + original + " server_id=" + serverId + " server_started=" + serverStarted + "\n";
    }

    static Optional<RaisedFlushSetting> parse(String text) {
        Integer original = null;
        Long serverId = null;
        Long started = null;
        for (String part : text.strip().split("\\s+")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                return Optional.empty();
            }
            try {
                switch (kv[0]) {
                    case "original" -> original = Integer.parseInt(kv[1]);
                    case "server_id" -> serverId = Long.parseLong(kv[1]);
                    case "server_started" -> started = Long.parseLong(kv[1]);
                    default -> {
                        return Optional.empty();
                    }
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return original == null || serverId == null || started == null ? Optional.empty()
                : Optional.of(new RaisedFlushSetting(original, serverId, started));
    }

    /** Written whole or not at all (a rename), so a kill mid-write never leaves half a record. */
    void save(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, format(), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The record, if there is one; an unreadable one is reported as empty text to {@link #parse}. */
    static Optional<String> read(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.US_ASCII)) : Optional.empty();
        } catch (IOException e) {
            return Optional.of("");
        }
    }
}
