package org.zmsnap.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.restore.target.Delivered;
import org.zmsnap.restore.target.RestoreTarget;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.Folder;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.Volume;

/** Batching and counting, with blobs in a temp dir standing in for a cloned store and a recording target. */
class RestorerTest {
    private static final Path LIVE_STORE = Path.of("/opt/zimbra/store");
    private static final Account ANNA = new Account(7, 7, "uuid-anna", "anna@example.com");

    @TempDir
    Path clone;

    private final BlobLocator blobs = new BlobLocator(Map.of(1, new Volume(1, LIVE_STORE, 12, 8, 12, 8)),
            p -> p.equals(LIVE_STORE) ? Optional.of(clone) : Optional.empty());
    private final FolderTree folders = FolderTree.of(List.of(new Folder(2, 1, "/Inbox"), new Folder(300, 2, "/Inbox/Verträge")));

    /** Records each batch it is handed; refuses the message whose id it is told to. */
    private static class Recorder implements RestoreTarget {
        final List<List<Outgoing>> batches = new ArrayList<>();
        final List<Integer> order = new ArrayList<>();
        final Map<Integer, String> files = new java.util.HashMap<>();
        final int refuse;

        Recorder(int refuse) {
            this.refuse = refuse;
        }

        @Override
        public List<Delivered> messages(List<Outgoing> batch) {
            batches.add(batch);
            return batch.stream().map(o -> message(o.item(), o.folder(), o.content())).toList();
        }

        @Override
        public Delivered message(MailItem item, List<String> folder, byte[] content) {
            order.add(item.id());
            return item.id() == refuse ? new Delivered.Refused(String.join("/", folder), "NO [OVERQUOTA] quota exceeded")
                    : new Delivered.Written(String.join("/", folder));
        }

        @Override
        public Delivered file(MailItem item, List<String> folder, byte[] content) {
            order.add(item.id());
            files.put(item.id(), new String(content, StandardCharsets.UTF_8));
            return new Delivered.Written("files");
        }

        @Override
        public void close() {}
    }

    @Test
    void messagesGoInBoundedSingleFolderBatchesInItemOrder() throws IOException {
        List<MailItem> items = new ArrayList<>();
        for (int id = 1000; id < 1250; id++) {
            items.add(message(id, 2));
        }
        items.add(document(1250, 2));
        items.add(contact(1251, 2));
        for (int id = 1300; id < 1303; id++) {
            items.add(message(id, 300));
        }
        Recorder target = new Recorder(1042);

        RestoreSummary s = new Restorer(ANNA, folders, blobs, false, false).run(items, target, RestoreProgress.NONE);

        assertEquals(List.of(100, 100, 50, 3), target.batches.stream().map(List::size).toList());
        for (List<RestoreTarget.Outgoing> b : target.batches) {
            assertEquals(1, b.stream().map(RestoreTarget.Outgoing::folder).distinct().count(), "one folder per batch");
        }
        assertEquals(List.of("Inbox", "Verträge"), target.batches.get(3).get(0).folder());
        List<Integer> expectedOrder = items.stream().map(MailItem::id).toList();
        assertEquals(expectedOrder, target.order, "the target sees items in the order they were listed");
        assertEquals(254, s.restored(), "250 + 3 messages + 1 document + 1 contact (a vCard), less the refused one");
        assertEquals(1, s.failed());
        assertTrue(s.failures().get(0).contains("message 1042") && s.failures().get(0).contains("OVERQUOTA"), s.failures().toString());
        assertEquals(0, s.notMessages());
        assertTrue(target.files.get(1251).startsWith("BEGIN:VCARD\r\nVERSION:3.0\r\n") && target.files.get(1251).contains("\r\nFN:Bob\r\n"), target.files.get(1251));
    }

    @Test
    void nonMessagesAreNotMessagesForATargetThatTakesNoFilesInADryRunToo() throws IOException {
        Recorder imapLike = new Recorder(-1) {
            @Override
            public java.util.Optional<String> whyNoFiles() {
                return java.util.Optional.of("IMAP takes messages only (use --to-dir)");
            }
        };
        List<MailItem> items = List.of(message(1, 2), contact(2, 2), document(3, 2));
        for (boolean dryRun : new boolean[] {true, false}) {
            RestoreSummary s = new Restorer(ANNA, folders, blobs, false, dryRun).run(items, imapLike, RestoreProgress.NONE);
            assertEquals(1, s.restored(), "dry run " + dryRun);
            assertEquals(2, s.notMessages(), "dry run " + dryRun);
            assertTrue(s.notMessageItems().get(0).startsWith("contact 2") && s.notMessageItems().get(0).contains("use --to-dir"),
                    s.notMessageItems().toString());
            assertTrue(s.notMessageItems().get(1).startsWith("document 3"), s.notMessageItems().toString());
        }
        assertEquals(List.of(1), imapLike.order, "only the message reached the target, and only in the real run");
    }

    @Test
    void aTargetThatWritesFilesInsteadNamesEachFileAsNotAMessageAndADryRunCountsTheSame() throws IOException {
        Recorder imapAndFiles = new Recorder(-1) {
            @Override
            public java.util.Optional<String> filesInstead() {
                return java.util.Optional.of("IMAP takes messages only; files under /x");
            }
        };
        List<MailItem> items = List.of(message(1, 2), contact(2, 2), document(3, 2));
        for (boolean dryRun : new boolean[] {true, false}) {
            RestoreSummary s = new Restorer(ANNA, folders, blobs, false, dryRun).run(items, imapAndFiles, RestoreProgress.NONE);
            assertEquals(1, s.restored(), "dry run " + dryRun);
            assertEquals(2, s.notMessages(), "dry run " + dryRun);
            assertEquals(0, s.failed(), "dry run " + dryRun);
            String expect = dryRun ? "would be written as a file" : "written to ";
            assertTrue(s.notMessageItems().stream().allMatch(n -> n.contains(expect)), s.notMessageItems().toString());
        }
        assertEquals(List.of(1, 2, 3), imapAndFiles.order, "the real run gave the contact and the document to the target as files");
        assertTrue(imapAndFiles.files.get(2).startsWith("BEGIN:VCARD\r\n"), imapAndFiles.files.get(2));
    }

    @Test
    void aMissingBlobFailsThatItemOnlyAndDryRunWritesNothing() throws IOException {
        List<MailItem> items = List.of(message(1, 2), message(2, 2), message(3, 2));
        Files.delete(blobs.locate(ANNA.mailboxId(), items.get(1)));
        Recorder target = new Recorder(-1);

        RestoreSummary dry = new Restorer(ANNA, folders, blobs, false, true).run(items, target, RestoreProgress.NONE);
        assertEquals(2, dry.restored());
        assertEquals(1, dry.failed());
        assertTrue(target.order.isEmpty(), "a dry run hands nothing to the target");

        RestoreSummary real = new Restorer(ANNA, folders, blobs, false, false).run(items, target, RestoreProgress.NONE);
        assertEquals(List.of(1, 3), target.order);
        assertTrue(real.failures().get(0).contains("blob missing from the snapshot"), real.failures().toString());
    }

    private MailItem message(int id, int folder) throws IOException {
        MailItem m = new MailItem(id, MailItem.MESSAGE, folder, Instant.ofEpochSecond(1_700_000_000L + id), 40, "1", null,
                false, 0, "bob@example.com", "anna@example.com", "subject " + id, null, 1, null);
        writeBlob(m, "Subject: subject " + id + "\r\n\r\nbody\r\n");
        return m;
    }

    private MailItem document(int id, int folder) throws IOException {
        MailItem d = new MailItem(id, MailItem.DOCUMENT, folder, Instant.ofEpochSecond(1_700_000_000L), 5, "1", null,
                false, 0, null, null, null, "contract.pdf", 1, null);
        writeBlob(d, "%PDF-");
        return d;
    }

    private static MailItem contact(int id, int folder) {
        return new MailItem(id, MailItem.CONTACT, folder, Instant.ofEpochSecond(1_700_000_000L), 0, null, null,
                false, 0, null, null, null, "Bob", 1, "d3:fldd9:firstName3:Bobe1:vi10ee");
    }

    private void writeBlob(MailItem item, String content) throws IOException {
        Path p = blobs.locate(ANNA.mailboxId(), item);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.US_ASCII);
    }
}
