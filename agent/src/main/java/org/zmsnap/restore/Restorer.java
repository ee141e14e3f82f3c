package org.zmsnap.restore;

import java.util.ArrayList;
import java.util.List;
import org.zmsnap.restore.target.Delivered;
import org.zmsnap.restore.target.ItemFiles;
import org.zmsnap.restore.target.RestoreTarget;
import org.zmsnap.runtime.ReadAhead;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.BlobContent;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.BlobReader;
import org.zmsnap.zimbra.Folder;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.MailItem;

/**
 * Carries items from an opened snapshot into a target: reads each blob through the locator, checks it, and
 * counts every item into exactly one bucket (restored, already present, failed, not a message). Messages of
 * one folder go to the target in batches, so a target can store many in one round trip and one commit.
 */
public final class Restorer {
    /** Bounds a batch so a slow or refused one costs little and memory stays small. */
    static final int BATCH_MESSAGES = 100;
    static final long BATCH_BYTES = 8L << 20;
    /** Blob reads in flight: enough to overlap FUSE round trips on a two-core host, few enough for memory. */
    static final int READ_THREADS = 3;
    static final int READ_WINDOW = 16;

    private final java.util.function.Function<MailItem, BlobContent> reader;
    private final FolderTree folders;
    private final boolean strict;
    private final boolean dryRun;

    public Restorer(Account account, FolderTree folders, BlobLocator blobs, boolean strict, boolean dryRun) {
        this(item -> BlobReader.read(blobs.locate(account.mailboxId(), item), item.digest()), folders, strict, dryRun);
    }

    /**
     * @param reader an item's content from wherever it is kept (a snapshot's blob store, a salvage directory);
     *               called for items with a blob that are not contacts
     */
    public Restorer(java.util.function.Function<MailItem, BlobContent> reader, FolderTree folders, boolean strict, boolean dryRun) {
        this.reader = reader;
        this.folders = folders;
        this.strict = strict;
        this.dryRun = dryRun;
    }

    public RestoreSummary run(List<MailItem> items, RestoreTarget target, RestoreProgress progress) {
        Tally tally = new Tally(items.size(), progress);
        Batch batch = new Batch(target, tally);
        try (ReadAhead<MailItem, BlobContent> reads = new ReadAhead<>(items,
                // A contact's blob holds only its attachments, which are not restored: not read.
                item -> item.hasBlob() && !item.contact() ? reader.apply(item) : null,
                READ_THREADS, READ_WINDOW)) {
            for (int i = 0; i < items.size(); i++) {
                carry(items.get(i), reads.get(i), target, batch, tally);
            }
        }
        batch.flush();
        return tally.summary();
    }

    private void carry(MailItem item, BlobContent content, RestoreTarget target, Batch batch, Tally tally) {
        String label = label(item);
        if (!item.message() && target.whyNoFiles().isPresent()) {
            // Decided before reading, so a dry run counts what the real run would.
            tally.notMessage(item, label + ": not a message: " + target.whyNoFiles().get());
            return;
        }
        byte[] data;
        if (item.contact()) {
            // A contact's fields live in its row's metadata (a blob, if any, holds only attachments): a vCard.
            data = ItemFiles.content(item, null);
        } else if (!item.hasBlob()) {
            if (item.message()) {
                tally.failed(item, label + ": no blob locator");
            } else {
                tally.notMessage(item, label + ": has no blob (its data lives in the database row)");
            }
            return;
        } else {
            data = check(content, label, item, tally);
            if (data == null) {
                return;
            }
            if (!item.message()) {
                data = ItemFiles.content(item, data); // a calendar item's iCalendar; a document as it is
            }
        }
        java.util.Optional<String> instead = item.message() ? java.util.Optional.empty() : target.filesInstead();
        if (dryRun) {
            if (instead.isPresent()) {
                tally.notMessage(item, label + ": would be written as a file: " + instead.get());
            } else {
                tally.restored(item, data.length, "would restore");
            }
            return;
        }
        List<String> folder = folders.byId(item.folderId()).map(Folder::segments).orElse(List.of("folder-" + item.folderId()));
        if (item.message()) {
            batch.add(new RestoreTarget.Outgoing(item, folder, data));
            return;
        }
        batch.flush(); // keeps the target's writes in item order
        try {
            Delivered d = target.file(item, folder, data);
            if (instead.isPresent() && !(d instanceof Delivered.Refused)) {
                // not in the live account, but not lost either: named with its file in the summary
                String where = d instanceof Delivered.Written w ? w.where() : ((Delivered.AlreadyPresent) d).where();
                tally.notMessage(item, label + ": written to " + where + (d instanceof Delivered.AlreadyPresent ? " (already there)" : ""));
            } else {
                tally.outcome(item, label, data.length, d);
            }
        } catch (RestoreTarget.NotAMessageException e) {
            tally.notMessage(item, label + ": " + e.getMessage());
        }
    }

    /** The blob's bytes, or null when the item is counted as failed. */
    private byte[] check(BlobContent content, String label, MailItem item, Tally tally) {
        if (content instanceof BlobContent.Unreadable u) {
            tally.failed(item, label + ": " + u.reason() + " (" + u.file() + ")");
            return null;
        }
        if (content instanceof BlobContent.DigestMismatch d) {
            tally.mismatch(label + ": digest " + d.actual() + " but the row says " + d.expected() + " (" + d.file() + ")");
            if (strict) {
                tally.failed(item, label + ": digest mismatch (--strict)");
                return null;
            }
            return d.bytes();
        }
        BlobContent.Ok ok = (BlobContent.Ok) content;
        if (ok.gzipped()) {
            tally.gzipped();
        }
        return ok.bytes();
    }

    /** Messages of one folder waiting to go to the target together. */
    private static final class Batch {
        private final RestoreTarget target;
        private final Tally tally;
        private final List<RestoreTarget.Outgoing> messages = new ArrayList<>();
        private long bytes;

        Batch(RestoreTarget target, Tally tally) {
            this.target = target;
            this.tally = tally;
        }

        void add(RestoreTarget.Outgoing o) {
            boolean full = messages.size() >= BATCH_MESSAGES || bytes + o.content().length > BATCH_BYTES;
            if (!messages.isEmpty() && (full || !messages.get(0).folder().equals(o.folder()))) {
                flush();
            }
            messages.add(o);
            bytes += o.content().length;
        }

        void flush() {
            if (messages.isEmpty()) {
                return;
            }
            List<Delivered> outcomes = target.messages(List.copyOf(messages));
            for (int i = 0; i < messages.size(); i++) {
                RestoreTarget.Outgoing o = messages.get(i);
                tally.outcome(o.item(), label(o.item()), o.content().length, outcomes.get(i));
            }
            messages.clear();
            bytes = 0;
        }
    }

    private static String label(MailItem item) {
        String n = item.message() ? item.subject() : item.name();
        String d = n == null || n.isBlank() ? "" : " '" + (n.length() > 60 ? n.substring(0, 57) + "..." : n) + "'";
        return item.typeName() + " " + item.id() + d;
    }

    /** The counts of one run, and the progress reports that go with them. */
    private static final class Tally {
        private final int total;
        private final RestoreProgress progress;
        private final long t0 = System.nanoTime();
        private final List<String> failures = new ArrayList<>();
        private final List<String> notMessages = new ArrayList<>();
        private final List<String> mismatches = new ArrayList<>();
        private int done;
        private int restored;
        private int present;
        private int gz;
        private long bytes;

        Tally(int total, RestoreProgress progress) {
            this.total = total;
            this.progress = progress;
        }

        void outcome(MailItem item, String label, long size, Delivered d) {
            if (d instanceof Delivered.Refused r) {
                failed(item, label + ": " + r.where() + " refused it: " + r.reason());
            } else if (d instanceof Delivered.AlreadyPresent) {
                present++;
                progress.item(++done, total, item, "already present");
            } else {
                restored(item, size, "restored");
            }
        }

        void restored(MailItem item, long size, String what) {
            restored++;
            bytes += size;
            progress.item(++done, total, item, what);
        }

        void failed(MailItem item, String why) {
            failures.add(why);
            progress.item(++done, total, item, "failed");
        }

        void notMessage(MailItem item, String why) {
            notMessages.add(why);
            progress.item(++done, total, item, "not a message");
        }

        void mismatch(String what) {
            mismatches.add(what);
        }

        void gzipped() {
            gz++;
        }

        RestoreSummary summary() {
            return new RestoreSummary(restored, present, failures.size(), notMessages.size(), failures, notMessages,
                    mismatches, gz, bytes, (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
