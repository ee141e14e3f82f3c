package org.zmsnap.export;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.restore.target.Delivered;
import org.zmsnap.restore.target.RestoreTarget;
import org.zmsnap.zimbra.ItemSearch;
import org.zmsnap.zimbra.MailItem;

/**
 * A files target (eml, mbox: whatever restore writes, so export writes the same) that records, for every item it
 * writes, where it went and the SHA-256 of the bytes it was handed: the manifest's items.
 */
final class RecordingTarget implements RestoreTarget {
    private final RestoreTarget files;
    private final Path dir;
    private final Map<Integer, ItemSearch.Hit> hits;
    private final List<ExportManifest.Item> written = new ArrayList<>();

    /**
     * @param dir  the export directory, which manifest paths are relative to
     * @param hits the account's selected items by id (their folder path as search shows it)
     */
    RecordingTarget(RestoreTarget files, Path dir, Map<Integer, ItemSearch.Hit> hits) {
        this.files = files;
        this.dir = dir;
        this.hits = hits;
    }

    List<ExportManifest.Item> written() {
        return List.copyOf(written);
    }

    @Override
    public Delivered message(MailItem item, List<String> folder, byte[] content) {
        return record(item, content, files.message(item, folder, content));
    }

    @Override
    public Delivered file(MailItem item, List<String> folder, byte[] content) {
        return record(item, content, files.file(item, folder, content));
    }

    @Override
    public Optional<String> whyNoFiles() {
        return files.whyNoFiles();
    }

    private Delivered record(MailItem item, byte[] content, Delivered d) {
        if (d instanceof Delivered.Written w) {
            ItemSearch.Hit h = hits.get(item.id());
            written.add(new ExportManifest.Item(h.account().email(), h.account().mailboxId(), h.folder(), item.id(), item.typeName(),
                    item.date().toString(), item.sender(), item.message() ? item.subject() : item.name(), item.size(),
                    ExportFiles.relative(dir, Path.of(w.where()).toAbsolutePath().normalize()), content.length,
                    ExportFiles.sha256(content)));
            return d;
        }
        if (d instanceof Delivered.AlreadyPresent p) {
            // The directory started empty: a file already there means two items met at one name. Never overwrite.
            return new Delivered.Refused(p.where(), "a file of that name was already written by this export");
        }
        return d;
    }

    @Override
    public void close() {
        files.close();
    }
}
