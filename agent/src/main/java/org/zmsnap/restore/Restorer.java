package org.zmsnap.restore;

import java.util.ArrayList;
import java.util.List;

/**
 * Carries items from an opened snapshot into a target: reads each blob through the locator, checks it, and
 * counts every item into exactly one bucket (restored, already present, failed, not a message).
 */
public final class Restorer {
    private final Account account;
    private final FolderTree folders;
    private final BlobLocator blobs;
    private final boolean strict;
    private final boolean dryRun;

    public Restorer(Account account, FolderTree folders, BlobLocator blobs, boolean strict, boolean dryRun) {
        this.account = account;
        this.folders = folders;
        this.blobs = blobs;
        this.strict = strict;
        this.dryRun = dryRun;
    }

    public RestoreSummary run(List<MailItem> items, RestoreTarget target, RestoreProgress progress) {
        long t0 = System.nanoTime();
        int restored = 0;
        int present = 0;
        int gz = 0;
        long bytes = 0;
        List<String> failures = new ArrayList<>();
        List<String> notMessages = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        int done = 0;
        for (MailItem item : items) {
            done++;
            String label = item.typeName() + " " + item.id() + describe(item);
            List<String> folder = folders.byId(item.folderId()).map(Folder::segments).orElse(List.of("folder-" + item.folderId()));
            if (item.contact()) {
                // A contact's fields live in its row's metadata (a blob, if any, holds only attachments):
                // file targets write it as a vCard; IMAP has no place for it and says so.
                byte[] card = VCard.bytes(item.id(), org.zmsnap.zimbra.Metadata.contactFields(item.metadata()));
                if (dryRun) {
                    restored++;
                    bytes += card.length;
                    progress.item(done, items.size(), item, "would restore");
                    continue;
                }
                try {
                    Delivered d = target.file(item, folder, card);
                    if (d instanceof Delivered.AlreadyPresent) {
                        present++;
                        progress.item(done, items.size(), item, "already present");
                    } else {
                        restored++;
                        bytes += card.length;
                        progress.item(done, items.size(), item, "restored");
                    }
                } catch (RestoreTarget.NotAMessageException e) {
                    notMessages.add(label + ": " + e.getMessage());
                    progress.item(done, items.size(), item, "not a message");
                }
                continue;
            }
            if (!item.message() && !item.hasBlob()) {
                notMessages.add(label + ": has no blob (its data lives in the database row)");
                progress.item(done, items.size(), item, "not a message");
                continue;
            }
            if (!item.hasBlob()) {
                failures.add(label + ": no blob locator");
                progress.item(done, items.size(), item, "failed");
                continue;
            }
            BlobContent content = BlobReader.read(blobs.locate(account.mailboxId(), item), item.digest());
            byte[] data;
            if (content instanceof BlobContent.Unreadable u) {
                failures.add(label + ": " + u.reason() + " (" + u.file() + ")");
                progress.item(done, items.size(), item, "failed");
                continue;
            } else if (content instanceof BlobContent.DigestMismatch d) {
                mismatches.add(label + ": digest " + d.actual() + " but the row says " + d.expected() + " (" + d.file() + ")");
                if (strict) {
                    failures.add(label + ": digest mismatch (--strict)");
                    progress.item(done, items.size(), item, "failed");
                    continue;
                }
                data = d.bytes();
            } else {
                BlobContent.Ok ok = (BlobContent.Ok) content;
                data = ok.bytes();
                gz += ok.gzipped() ? 1 : 0;
            }
            if (dryRun) {
                restored++;
                bytes += data.length;
                progress.item(done, items.size(), item, "would restore");
                continue;
            }
            try {
                Delivered d = item.message() ? target.message(item, folder, data) : target.file(item, folder, data);
                if (d instanceof Delivered.AlreadyPresent) {
                    present++;
                    progress.item(done, items.size(), item, "already present");
                } else {
                    restored++;
                    bytes += data.length;
                    progress.item(done, items.size(), item, "restored");
                }
            } catch (RestoreTarget.NotAMessageException e) {
                notMessages.add(label + ": " + e.getMessage());
                progress.item(done, items.size(), item, "not a message");
            }
        }
        return new RestoreSummary(restored, present, failures.size(), notMessages.size(), failures, notMessages, mismatches,
                gz, bytes, (System.nanoTime() - t0) / 1_000_000);
    }

    private static String describe(MailItem item) {
        String n = item.message() ? item.subject() : item.name();
        return n == null || n.isBlank() ? "" : " '" + (n.length() > 60 ? n.substring(0, 57) + "..." : n) + "'";
    }
}
