package org.zmsnap.zimbra;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.zmsnap.runtime.ReadAhead;

/**
 * Item selection: which items of which mailboxes an {@link ItemFilter} names. Header, date, type, size and folder
 * criteria are one SQL query per {@code mboxgroup} over the set's {@code mail_item}, streamed a mailbox at a time; {@code --deleted} compares with the live
 * mailbox; {@code --text} then reads the candidates' blobs, several at a time, and stops at the limit. Browse,
 * search and restore all select through here.
 */
public final class ItemSearch {
    /** Blob reads overlap: a clone read through FUSE waits on I/O, not on the CPU. */
    static final int THREADS = 4;
    static final int WINDOW = 64;
    public record Hit(Account account, String folder, MailItem item) {}

    /** An item whose text could not be read: listed, never silently skipped. */
    public record Unreadable(Account account, String folder, MailItem item, String why) {}

    /**
     * @param accounts the mailboxes searched (a mailbox without the folder asked for is skipped)
     * @param limited  the limit stopped the search: there may be more
     */
    public record Result(List<Hit> hits, List<Unreadable> unreadable, int accounts, long bodiesRead, boolean limited) {}

    private final Connection c;
    private final BlobLocator blobs;
    private final Function<Account, Set<Integer>> liveIds;

    /** @param liveIds item ids in the live mailbox, asked only with {@code --deleted} */
    public ItemSearch(Connection c, BlobLocator blobs, Function<Account, Set<Integer>> liveIds) {
        this.c = c;
        this.blobs = blobs;
        this.liveIds = liveIds;
    }

    /**
     * @param limit at most this many hits, 0 for all
     * @throws RestoreUsageException when the folder is in none of the mailboxes (naming the first one's folders)
     */
    public Result run(List<Account> accounts, ItemFilter f, int limit) {
        Map<Integer, Integer> order = new HashMap<>();
        accounts.forEach(a -> order.putIfAbsent(a.mailboxId(), order.size()));
        List<Hit> hits = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        long[] read = {0};
        int searched = 0;
        boolean limited = false;
        RestoreUsageException noFolder = null;
        // One folder query and one streamed item query per group (and per Account.BATCH mailboxes), not two per mailbox.
        for (List<Account> batch : Account.batches(accounts)) {
            Map<Integer, FolderTree> trees = FolderTree.load(c, batch);
            Map<Integer, Account> byId = new HashMap<>();
            Map<Integer, Set<Integer>> folders = new HashMap<>();
            for (Account a : batch) {
                try {
                    folders.put(a.mailboxId(), folders(trees.get(a.mailboxId()), f));
                } catch (RestoreUsageException e) {
                    if (accounts.size() == 1) {
                        throw e;
                    }
                    noFolder = noFolder == null ? e : noFolder;
                    continue;
                }
                byId.put(a.mailboxId(), a);
            }
            searched += byId.size();
            List<Account> searchedHere = batch.stream().filter(a -> byId.containsKey(a.mailboxId())).toList();
            Map<Integer, Set<Integer>> restricted = f.folder().isPresent() ? folders : Map.of();
            boolean[] full = {false};
            ItemReader.forEachMailbox(c, searchedHere, f.query(Set.of()), restricted, (mailbox, rows) -> {
                Account a = byId.get(mailbox);
                Selected s = refine(a, trees.get(mailbox), f, rows, limit == 0 ? 0 : limit - hits.size());
                hits.addAll(s.hits());
                unreadable.addAll(s.unreadable());
                read[0] += s.bodiesRead();
                full[0] = limit > 0 && hits.size() >= limit;
                return !full[0];
            });
            if (full[0]) {
                limited = true;
                break;
            }
        }
        if (searched == 0 && noFolder != null) {
            throw new RestoreUsageException("no mailbox searched has the folder '" + f.folder().orElse("") + "': " + noFolder.getMessage());
        }
        // Groups were read one after another; the listing keeps the callers' mailbox order.
        Comparator<Account> byOrder = Comparator.comparingInt(a -> order.get(a.mailboxId()));
        hits.sort(Comparator.comparing(Hit::account, byOrder));
        unreadable.sort(Comparator.comparing(Unreadable::account, byOrder));
        return new Result(hits, unreadable, searched, read[0], limited);
    }

    /** The items of one mailbox the filter names, within {@code folderIds} (empty: every folder). */
    public Selected select(Account a, FolderTree tree, ItemFilter f, Set<Integer> folderIds, int limit) {
        return refine(a, tree, f, ItemReader.read(c, a, f.query(folderIds)), limit);
    }

    /**
     * The filter's checks that SQL cannot make, on rows already read: {@code --deleted} (against the live mailbox), then
     * {@code --text} (reading the blobs, several ahead). Restore without criteria reads its rows its own way (ids, a
     * folder, a mailbox without Trash and Junk) and passes them here for {@code --deleted}.
     */
    public Selected refine(Account a, FolderTree tree, ItemFilter f, List<MailItem> rows, int limit) {
        List<MailItem> candidates = rows;
        if (f.deleted()) {
            Set<Integer> live = liveIds.apply(a);
            candidates = candidates.stream().filter(i -> !live.contains(i.id())).toList();
        }
        List<Hit> hits = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        long read = 0;
        List<MailItem> list = candidates;
        // Without --text every candidate is a hit and no blob is read.
        try (ReadAhead<MailItem, BodyText.Match> ahead = f.text()
                .map(phrase -> new ReadAhead<MailItem, BodyText.Match>(list, i -> matches(a, i, phrase), THREADS, WINDOW)).orElse(null)) {
            for (int k = 0; k < candidates.size() && (limit == 0 || hits.size() < limit); k++) {
                MailItem i = candidates.get(k);
                BodyText.Match m = ahead == null ? new BodyText.Match.Found() : ahead.get(k);
                read += ahead != null && i.hasBlob() ? 1 : 0;
                if (m instanceof BodyText.Match.Found) {
                    hits.add(new Hit(a, path(tree, i), i));
                } else if (m instanceof BodyText.Match.Unreadable u) {
                    unreadable.add(new Unreadable(a, path(tree, i), i, u.why()));
                }
            }
        }
        return new Selected(hits, unreadable, read);
    }

    public record Selected(List<Hit> hits, List<Unreadable> unreadable, long bodiesRead) {
        public List<MailItem> items() {
            return hits.stream().map(Hit::item).toList();
        }
    }

    /** The folder ids the filter's folder names in this tree (empty: all folders). Unknown folder → usage error. */
    public static Set<Integer> folders(FolderTree tree, ItemFilter f) {
        if (f.folder().isEmpty()) {
            return Set.of();
        }
        Set<Integer> ids = new HashSet<>();
        tree.subtree(tree.find(f.folder().get()), f.recursive()).forEach(x -> ids.add(x.id()));
        return ids;
    }

    private BodyText.Match matches(Account a, MailItem i, String phrase) {
        if (!i.hasBlob()) {
            // A contact has no blob: its name is what a reader sees of it here.
            String seen = (i.subject() == null ? "" : i.subject()) + " " + (i.name() == null ? "" : i.name());
            return BodyText.normal(seen).contains(BodyText.normal(phrase)) ? new BodyText.Match.Found() : new BodyText.Match.NotFound();
        }
        Path file;
        try {
            file = blobs.locate(a.mailboxId(), i);
        } catch (RestoreException e) {
            return new BodyText.Match.Unreadable(e.getMessage());
        }
        BlobContent content = BlobReader.read(file, null);
        if (content instanceof BlobContent.Ok ok) {
            return BodyText.contains(ok.bytes(), phrase);
        }
        if (content instanceof BlobContent.Unreadable u) {
            return new BodyText.Match.Unreadable(u.reason() + " (" + u.file() + ")");
        }
        return BodyText.contains(((BlobContent.DigestMismatch) content).bytes(), phrase);
    }

    private static String path(FolderTree tree, MailItem i) {
        return tree.byId(i.folderId()).map(Folder::path).orElse("?");
    }
}
