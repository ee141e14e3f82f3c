package org.zmsnap.salvage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.RestoreUsageException;

/**
 * {@code manifest.json} of a salvage directory. Written last, through a temporary file and an atomic rename, so
 * its presence means the export finished; read back by {@code restore --from-salvage}.
 *
 * @param version      of this format (1)
 * @param salvageTime  when the salvaged state was taken: the newer set's time, ISO-8601 UTC
 * @param host         the mailbox host the sets are from
 * @param base         the set compared against (the newest one the DR copy also has)
 * @param newer        the salvaged set
 * @param problems     items that were found but could not be exported (or were exported with a warning), named
 */
public record SalvageManifest(int version, String salvageTime, String host, String base, String newer,
                              List<SalvageItem> items, List<String> problems) {
    public static final String FILE = "manifest.json";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public SalvageManifest {
        items = items == null ? List.of() : List.copyOf(items);
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public Instant salvageInstant() {
        return Instant.parse(salvageTime);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the salvage manifest", e);
        }
    }

    public static SalvageManifest fromJson(byte[] json, String where) {
        SalvageManifest m;
        try {
            m = JSON.readValue(json, SalvageManifest.class);
        } catch (IOException e) {
            throw new RestoreUsageException(where + " is not a salvage manifest: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        m.check(where);
        return m;
    }

    /** Writes DIR/manifest.json atomically (temporary file, fsync, rename). */
    public Path write(Path dir) {
        Path file = dir.resolve(FILE);
        SalvageFiles.write(file, toJson(), null);
        return file;
    }

    /** DIR/manifest.json; none (an export that did not finish, or not a salvage directory) is a usage error. */
    public static SalvageManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RestoreUsageException("no " + FILE + " in " + dir + ": not a salvage directory, or its export did not"
                    + " finish (the manifest is written last). Run the export again (zmsnap failback resumes it); nothing was changed.");
        } catch (IOException e) {
            throw new RestoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return fromJson(bytes, file.toString());
    }

    /** Every field restore relies on is there and sane; a file name that leaves the directory is refused. */
    private void check(String where) {
        if (version != VERSION) {
            throw new RestoreUsageException(where + ": manifest version " + version + ", this zmsnap reads version " + VERSION);
        }
        try {
            salvageInstant();
        } catch (DateTimeParseException | NullPointerException e) {
            throw new RestoreUsageException(where + ": salvage_time '" + salvageTime + "' is not an ISO time");
        }
        for (SalvageItem i : items) {
            String what = where + ": item " + i.itemId() + " of " + i.account();
            if (i.account() == null || i.zimbraId() == null || i.type() == null || i.file() == null || i.sha256() == null
                    || i.folder() == null || i.date() == null) {
                throw new RestoreUsageException(what + " lacks account, zimbra_id, type, folder, date, file or sha256");
            }
            if (!i.sha256().matches("[0-9a-fA-F]{64}")) {
                throw new RestoreUsageException(what + ": sha256 '" + i.sha256() + "' is not 64 hex digits");
            }
            Path rel = Path.of(i.file());
            if (rel.isAbsolute() || rel.normalize().startsWith("..") || !rel.normalize().equals(rel)) {
                throw new RestoreUsageException(what + ": file '" + i.file() + "' is not a plain path inside the salvage directory");
            }
            try {
                Instant.parse(i.date());
            } catch (DateTimeParseException e) {
                throw new RestoreUsageException(what + ": date '" + i.date() + "' is not an ISO time");
            }
        }
    }

    static void moveAtomically(Path tmp, Path file) throws IOException {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
