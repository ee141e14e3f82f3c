package org.zmsnap.zimbra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Zimbra's blob path rule, applied to the snapshot's own volume table and mapped into the clones:
 * {@code <volume>/<(mbox >> mbits) & mmask>/<mbox>/msg/<(item >> fbits) & fmask>/<item>-<mod_content>.msg},
 * falling back to the pre-8 name {@code <item>.msg}.
 */
public final class BlobLocator {
    private final Map<Integer, Volume> volumes;
    private final Function<Path, Optional<Path>> toClone;

    public BlobLocator(Map<Integer, Volume> volumes, Function<Path, Optional<Path>> toClone) {
        this.volumes = Map.copyOf(volumes);
        this.toClone = toClone;
    }

    public static BlobLocator load(Connection c, Function<Path, Optional<Path>> toClone) {
        Map<Integer, Volume> v = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, path, file_bits, file_group_bits, mailbox_bits, mailbox_group_bits,"
                     + " compress_blobs, compression_threshold FROM zimbra.volume")) {
            while (rs.next()) {
                v.put(rs.getInt(1), new Volume(rs.getInt(1), Path.of(rs.getString(2)), rs.getInt(3), rs.getInt(4), rs.getInt(5),
                        rs.getInt(6), rs.getBoolean(7), rs.getLong(8)));
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read zimbra.volume: " + e.getMessage(), e);
        }
        return new BlobLocator(v, toClone);
    }

    /** The volume the row's blob is on; a locator that names no volume of the table is an error naming it. */
    public Volume volume(MailItem item) {
        int volumeId;
        try {
            volumeId = Integer.parseInt(item.locator().strip());
        } catch (NumberFormatException e) {
            throw new RestoreException("item " + item.id() + ": locator '" + item.locator() + "' is not a volume id"
                    + " (an external store is not supported)");
        }
        Volume v = volumes.get(volumeId);
        if (v == null) {
            throw new RestoreException("item " + item.id() + ": volume " + volumeId + " is not in zimbra.volume");
        }
        return v;
    }

    /** The blob's file in the clone; a volume whose path is in no cloned dataset is an error naming it. */
    public Path locate(int mailboxId, MailItem item) {
        Volume v = volume(item);
        Path root = toClone.apply(v.path()).orElseThrow(() -> new RestoreException("volume " + v.id() + " (" + v.path()
                + ") is on none of the snapshotted datasets"));
        Path dir = root.resolve(Long.toString((mailboxId >> v.mailboxBits()) & ((1L << v.mailboxGroupBits()) - 1)))
                .resolve(Integer.toString(mailboxId)).resolve("msg")
                .resolve(Long.toString((item.id() >> v.fileBits()) & ((1L << v.fileGroupBits()) - 1)));
        Path current = dir.resolve(item.id() + "-" + item.modContent() + ".msg");
        if (Files.exists(current)) {
            return current;
        }
        Path legacy = dir.resolve(item.id() + ".msg");
        return Files.exists(legacy) ? legacy : current;
    }
}
