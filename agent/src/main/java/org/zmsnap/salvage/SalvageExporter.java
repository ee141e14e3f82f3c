package org.zmsnap.salvage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.restore.target.ImapFlags;
import org.zmsnap.restore.target.OutputDirs;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.AccountResolver;
import org.zmsnap.zimbra.BlobContent;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.BlobReader;
import org.zmsnap.zimbra.Folder;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.ItemQuery;
import org.zmsnap.zimbra.ItemReader;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.Metadata;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.RestoreUsageException;
import org.zmsnap.zimbra.VCard;

/**
 * Exports what exists only in a newer set of this host's datasets compared with a base set: the mail the old host
 * accepted after its last replicated set, before failback rolls it back. Both sets are opened the way restore opens
 * them (clones + sandbox mariadbd, one after the other), never written, and always closed.
 */
public final class SalvageExporter {
    private static final Logger LOG = LoggerFactory.getLogger(SalvageExporter.class);

    private final AgentContext ctx;

    /** @param ctx this host's config: its datasets and the restore section (workdir, mariadbd, datadir) */
    public SalvageExporter(AgentContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Items in {@code newer} but not in {@code base} written to {@code dir} (one directory per account, the folder path
     * below it) plus {@code manifest.json}, written last and atomically: its presence means the export is complete.
     * A rerun into the same directory rewrites the same files and the same manifest.
     */
    public SalvageReport export(SnapshotSet base, SnapshotSet newer, Path dir) {
        if (base.tag().equals(newer.tag()) || base.tag().compareTo(newer.tag()) > 0) {
            throw new RestoreUsageException("salvage compares an older set with a newer one: " + base.tag().name()
                    + " is not older than " + newer.tag().name());
        }
        Path manifestFile = dir.resolve(SalvageManifest.FILE);
        try {
            if (!Files.exists(dir)) {
                // Other people's mail: readable by root only, like restore's workdir. An existing directory keeps the
                // permissions its admin gave it.
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
            // Until the new manifest is written, the directory must not look complete.
            Files.deleteIfExists(manifestFile);
        } catch (IOException e) {
            throw new RestoreException("cannot prepare the salvage directory " + dir + ": " + e.getMessage(), e);
        }
        RestoreService service = new RestoreService(ctx);
        Map<Integer, SalvageSelection.Known> known = baseIds(service, base);
        List<SalvageItem> items = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (OpenedSnapshot o = service.open(newer); Connection c = o.connect()) {
            BlobLocator blobs = BlobLocator.load(c, o::map);
            for (Account a : AccountResolver.all(c)) {
                List<MailItem> fresh = SalvageSelection.newItems(known, a, ItemReader.read(c, a, ItemQuery.all()));
                if (fresh.isEmpty()) {
                    continue;
                }
                FolderTree tree = FolderTree.load(c, a);
                Map<Integer, List<String>> tags = ItemReader.tagNames(c, a, fresh.stream().map(MailItem::id).toList());
                for (MailItem item : fresh) {
                    export(a, item, tree, tags.getOrDefault(item.id(), List.of()), blobs, dir, problems).ifPresent(items::add);
                }
            }
            if (o.interrupted()) {
                throw new RestoreException("interrupted while exporting " + newer.tag().name() + "; its clones are removed");
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read " + newer.tag().name() + ": " + e.getMessage(), e);
        }
        SalvageManifest m = new SalvageManifest(SalvageManifest.VERSION, newer.tag().time().toString(), ctx.config().host(),
                base.tag().name(), newer.tag().name(), items, problems);
        m.write(dir);
        problems.forEach(p -> LOG.warn("salvage: {}", p));
        return report(dir, manifestFile, items);
    }

    /** The base set's mailboxes and the ids each had. */
    private static Map<Integer, SalvageSelection.Known> baseIds(RestoreService service, SnapshotSet base) {
        Map<Integer, SalvageSelection.Known> known = new HashMap<>();
        try (OpenedSnapshot o = service.open(base); Connection c = o.connect()) {
            for (Account a : AccountResolver.all(c)) {
                known.put(a.mailboxId(), new SalvageSelection.Known(a.accountId(), ItemReader.ids(c, a)));
            }
            if (o.interrupted()) {
                throw new RestoreException("interrupted while reading " + base.tag().name() + "; its clones are removed");
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read " + base.tag().name() + ": " + e.getMessage(), e);
        }
        return known;
    }

    /** Writes one item's file; an item that cannot be read is named in {@code problems} and left out. */
    private static Optional<SalvageItem> export(Account a, MailItem item, FolderTree tree, List<String> tags, BlobLocator blobs,
                                                Path dir, List<String> problems) {
        String label = (a.email() == null ? a.accountId() : a.email()) + " " + item.typeName() + " " + item.id();
        byte[] content;
        String format;
        String fileName;
        if (item.contact()) {
            // A contact lives in its row's metadata; restore writes it as a vCard, and so does the salvage.
            content = VCard.bytes(item.id(), Metadata.contactFields(item.metadata()));
            format = "vcf";
            fileName = OutputDirs.fileName(item, "contact");
        } else {
            Optional<byte[]> blob = blob(a, item, blobs, label, problems);
            if (blob.isEmpty()) {
                return Optional.empty();
            }
            content = blob.get();
            if (item.message()) {
                format = "eml";
                fileName = item.id() + ".eml";
            } else if (item.type() == MailItem.APPOINTMENT || item.type() == MailItem.TASK) {
                Optional<byte[]> ics = org.zmsnap.zimbra.CalendarData.ics(content);
                if (ics.isPresent()) {
                    content = ics.get();
                    format = "ics";
                    fileName = item.id() + ".ics";
                } else {
                    format = "eml";
                    fileName = item.id() + ".eml";
                    problems.add(label + ": its invite has no text/calendar part; kept as the stored MIME (" + fileName + ")");
                }
            } else {
                format = "file";
                fileName = OutputDirs.fileName(item, item.typeName());
            }
        }
        String folder = tree.byId(item.folderId()).map(Folder::path).orElse("/folder-" + item.folderId());
        List<String> segments = new ArrayList<>();
        segments.add(a.email() == null || a.email().isBlank() ? a.accountId() : a.email());
        segments.addAll(tree.byId(item.folderId()).map(Folder::segments).orElse(List.of("folder-" + item.folderId())));
        Path file = OutputDirs.of(dir, segments).resolve(fileName);
        SalvageFiles.write(file, content, item.date());
        String rel = dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
        return Optional.of(new SalvageItem(a.email(), a.accountId(), a.mailboxId(), item.id(), item.typeName(), folder,
                List.copyOf(ImapFlags.of(item)), item.flags(), item.unread(), tags, item.date().toString(), content.length, rel,
                SalvageFiles.sha256(content), format, item.message() ? item.subject() : item.name()));
    }

    /** The blob's uncompressed bytes; a digest mismatch is exported with a warning (it is all there is). */
    private static Optional<byte[]> blob(Account a, MailItem item, BlobLocator blobs, String label, List<String> problems) {
        if (!item.hasBlob()) {
            problems.add(label + ": has no blob; not exported");
            return Optional.empty();
        }
        BlobContent content;
        try {
            content = BlobReader.read(blobs.locate(a.mailboxId(), item), item.digest());
        } catch (RestoreException e) {
            problems.add(label + ": " + e.getMessage() + "; not exported");
            return Optional.empty();
        }
        if (content instanceof BlobContent.Unreadable u) {
            problems.add(label + ": " + u.reason() + " (" + u.file() + "); not exported");
            return Optional.empty();
        }
        if (content instanceof BlobContent.DigestMismatch d) {
            problems.add(label + ": digest " + d.actual() + " but the row says " + d.expected() + "; exported as found");
            return Optional.of(d.bytes());
        }
        return Optional.of(((BlobContent.Ok) content).bytes());
    }

    private static SalvageReport report(Path dir, Path manifest, List<SalvageItem> items) {
        int messages = 0;
        int contacts = 0;
        int appointments = 0;
        int documents = 0;
        long bytes = 0;
        for (SalvageItem i : items) {
            switch (i.type()) {
                case "message" -> messages++;
                case "contact" -> contacts++;
                case "appointment", "task" -> appointments++;
                default -> documents++;
            }
            bytes += i.size();
        }
        return new SalvageReport(dir, manifest, messages, contacts, appointments, documents, bytes);
    }
}
