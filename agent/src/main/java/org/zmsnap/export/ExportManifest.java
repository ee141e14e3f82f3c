package org.zmsnap.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.RestoreUsageException;

/**
 * {@code manifest.json} of an export directory (docs/search.md, "Export"). Written last, so its presence means the
 * export finished; {@code zmsnap export --check} compares every file of the directory with {@link #files}.
 *
 * @param version       of this format (1)
 * @param zmsnapVersion the zmsnap that wrote it
 * @param exportedAt    when the export finished, ISO-8601 UTC
 * @param commandLine   the words of the command that made it, as given
 * @param format        eml or mbox
 * @param snapshot      the set the items were read from
 * @param items         every exported item, in the order written
 * @param files         every file of the directory except this manifest: the unit {@code --check} verifies
 * @param problems      items selected but not exported, each with the reason
 */
public record ExportManifest(int version, String zmsnapVersion, String exportedAt, List<String> commandLine, String format,
                             Snapshot snapshot, List<Item> items, List<FileEntry> files, List<String> problems) {
    public static final String FILE = "manifest.json";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ExportManifest {
        commandLine = commandLine == null ? List.of() : List.copyOf(commandLine);
        items = items == null ? List.of() : List.copyOf(items);
        files = files == null ? List.of() : List.copyOf(files);
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    /**
     * @param tag      the set's tag
     * @param source   whose sets: "local" or the DR target/source they are copies of
     * @param host     the mailbox host that took the set (org.zmsnap:host), or the source when the copies do not say
     * @param created  the set's creation time (its first dataset snapshot's), ISO-8601 UTC
     * @param datasets each dataset snapshot of the set with its ZFS GUID
     */
    public record Snapshot(String tag, String source, String host, String created, List<Dataset> datasets) {
        public Snapshot {
            datasets = datasets == null ? List.of() : List.copyOf(datasets);
        }
    }

    /** @param guid the snapshot's ZFS guid as {@code zfs get guid} prints it (unsigned decimal) */
    public record Dataset(String snapshot, String guid, String created) {}

    /**
     * @param mailbox the mailbox id
     * @param folder  the folder path ("/Inbox/Projects")
     * @param date    the item's date, ISO-8601 UTC
     * @param size    the item's size as Zimbra records it
     * @param file    where it was written, relative to the export directory, '/'-separated
     * @param bytes   how many bytes were written for it (a contact's vCard differs from Zimbra's size)
     * @param sha256  of those bytes, lowercase hex: for eml the file's own digest; in an mbox the digest of the message as
     *                stored, before the mbox "From " line and quoting (what a reader gets back out of the mbox)
     */
    public record Item(String account, int mailbox, String folder, int id, String type, String date, String from,
                       String subject, long size, String file, long bytes, String sha256) {}

    /** @param path relative to the export directory, '/'-separated */
    public record FileEntry(String path, long size, String sha256) {}

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the export manifest", e);
        }
    }

    public static ExportManifest fromJson(byte[] json, String where) {
        ExportManifest m;
        try {
            m = JSON.readValue(json, ExportManifest.class);
        } catch (IOException e) {
            throw new RestoreException(where + " is not a readable export manifest: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        if (m.version() != VERSION) {
            throw new RestoreException(where + ": manifest version " + m.version() + ", this zmsnap reads version " + VERSION);
        }
        for (FileEntry f : m.files()) {
            if (f.path() == null || f.sha256() == null) {
                throw new RestoreException(where + ": a file entry lacks path or sha256");
            }
        }
        return m;
    }

    /** Writes DIR/manifest.json last and whole: a temporary file, fsync, an atomic rename. */
    public Path write(Path dir) {
        Path file = dir.resolve(FILE);
        Path tmp = dir.resolve("." + FILE + ".tmp");
        try {
            Files.createDirectories(dir);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(toJson());
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                ch.force(true);
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new RestoreException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** DIR/manifest.json; none is a usage error (not an export directory, or an export that did not finish). */
    public static ExportManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            return fromJson(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new RestoreUsageException("no " + FILE + " in " + dir + ": not an export directory, or its export did not finish"
                    + " (the manifest is written last)");
        } catch (IOException e) {
            throw new RestoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
