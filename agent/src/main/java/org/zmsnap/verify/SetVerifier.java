package org.zmsnap.verify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.zmsnap.runtime.ReadAhead;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.BlobContent;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.BlobReader;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.ItemQuery;
import org.zmsnap.zimbra.ItemReader;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;

/**
 * Checks an opened set through its sandbox database: the tables, every blob-carrying row against its blob
 * (located by {@link BlobLocator}, read by {@link BlobReader}), and each mailbox's folder tree. Only reads. Rows are read
 * as search reads them ({@link FolderTree#load(Connection, List)}, {@link ItemReader#forEachMailbox}): a few queries
 * per {@code mboxgroup}, whatever the number of its mailboxes.
 */
public final class SetVerifier {
    /** Debug lines with each part's time (ZMSNAP_LOG_LEVEL=DEBUG). */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SetVerifier.class);
    /** Blob reads wait on the file system more than on the CPU: overlap them, as a restore does. */
    static final int READ_THREADS = 3;
    static final int READ_WINDOW = 64;
    /** Rows that carry a blob: message, document, appointment, task. */
    static final Set<Integer> BLOB_TYPES = Set.of(MailItem.MESSAGE, MailItem.DOCUMENT, MailItem.APPOINTMENT, MailItem.TASK);
    static final int ROOT = 11;

    private final Connection c;
    private final BlobLocator blobs;
    private final VerifyMode mode;
    private final SplittableRandom random;
    private final Supplier<String> serverLog;

    /** @param serverLog the sandbox mariadbd's last error-log lines, quoted when the server goes away mid-check */
    public SetVerifier(Connection c, BlobLocator blobs, VerifyMode mode, long seed, Supplier<String> serverLog) {
        this.c = c;
        this.blobs = blobs;
        this.mode = mode;
        this.random = new SplittableRandom(seed);
        this.serverLog = serverLog;
    }

    /** What one blob-carrying row needs for its check; {@code digest} says whether its bytes are hashed. */
    record Check(Account account, String folder, MailItem item, boolean digest) {}

    /** One check's result. */
    record Outcome(long bytesRead, boolean digested, Optional<Problem> problem) {}

    /** One batch's rows: the problems of its folder check (and of rows it could not read), and its blob checks. */
    private record Rows(List<Problem> problems, List<Check> checks) {}

    public VerifyReport verify(String tag) {
        long t0 = System.nanoTime();
        List<Problem> problems = new ArrayList<>();
        List<Account> accounts;
        try {
            for (String table : tables()) {
                checkTable(table).ifPresent(problems::add);
            }
            accounts = accounts();
            LOG.debug("{}: CHECK TABLE and the mailbox list {} ms", tag, millis(t0));
        } catch (SQLException e) {
            problems.add(Problem.database(lost(e.getMessage())));
            return new VerifyReport(tag, mode, 0, 0, 0, 0, millis(t0), problems);
        }
        // Rows are read a batch at a time (one folder query and one streamed item query per mboxgroup, not three
        // queries per mailbox); each batch's blobs are checked before the next batch is read, so memory holds one
        // batch's checks and no result set stays open while blobs are read.
        List<Problem> folderProblems = new ArrayList<>();
        List<Problem> blobProblems = new ArrayList<>();
        long rowNanos = 0;
        long checkNanos = 0;
        long items = 0;
        long bytes = 0;
        long digests = 0;
        for (List<Account> batch : Account.batches(accounts)) {
            long tb = System.nanoTime();
            Rows rows = rows(batch);
            folderProblems.addAll(rows.problems());
            long tc = System.nanoTime();
            rowNanos += tc - tb;
            List<Check> checks = rows.checks();
            for (Outcome o : outcomes(checks)) {
                bytes += o.bytesRead();
                digests += o.digested() ? 1 : 0;
                o.problem().ifPresent(blobProblems::add);
            }
            items += checks.size();
            checkNanos += System.nanoTime() - tc;
        }
        LOG.debug("{}: folder trees and {} blob rows read {} ms; blobs located and checked ({} digests) {} ms", tag, items,
                rowNanos / 1_000_000, digests, checkNanos / 1_000_000);
        // Batches go group by group; the report lists mailboxes in mailbox order, as the list was read.
        Map<Integer, Integer> order = new HashMap<>();
        accounts.forEach(a -> order.putIfAbsent(a.mailboxId(), order.size()));
        Comparator<Problem> byMailbox = Comparator.comparingInt(p -> order.getOrDefault(p.mailbox(), -1));
        folderProblems.sort(byMailbox);
        blobProblems.sort(byMailbox);
        problems.addAll(folderProblems);
        problems.addAll(blobProblems);
        return new VerifyReport(tag, mode, accounts.size(), items, bytes, digests, millis(t0), problems);
    }

    /**
     * The batch's checks' outcomes, in the checks' order. Length checks run here, one after the other: each is one
     * {@code stat}, and handing each to a read-ahead thread and waiting for it cost more than the {@code stat} (an
     * incremental drill of 12,102 rows spent 1.9 s so). Digests (reads, gunzip, SHA-256) wait on the file system
     * and overlap on the read-ahead threads.
     */
    private List<Outcome> outcomes(List<Check> checks) {
        Outcome[] out = new Outcome[checks.size()];
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            if (checks.get(i).digest()) {
                reads.add(i);
            } else {
                out[i] = check(checks.get(i));
            }
        }
        if (!reads.isEmpty()) {
            try (ReadAhead<Integer, Outcome> ahead = new ReadAhead<>(reads, i -> check(checks.get(i)), READ_THREADS, READ_WINDOW)) {
                for (int r = 0; r < reads.size(); r++) {
                    out[reads.get(r)] = ahead.get(r);
                }
            }
        }
        return List.of(out);
    }

    /** A batch's folder check: its problems, and each mailbox's folder paths (for the problem lines). */
    private record Folders(List<Problem> problems, Map<Integer, Map<Integer, String>> paths) {}

    /**
     * A batch's folder check and blob rows. When a batch's query fails (a damaged page of its table), each of its
     * mailboxes is read alone, so the error names the mailboxes it touches and the others are still checked.
     */
    private Rows rows(List<Account> batch) {
        Folders folders;
        try {
            folders = folders(batch);
        } catch (RestoreException e) {
            return batch.size() == 1 ? new Rows(List.of(dbError(batch.get(0), e)), List.of()) : oneByOne(batch, e);
        }
        try {
            return new Rows(folders.problems(), items(batch, folders.paths()));
        } catch (RestoreException e) {
            if (batch.size() > 1) {
                return oneByOne(batch, e);
            }
            List<Problem> problems = new ArrayList<>(folders.problems());
            problems.add(dbError(batch.get(0), e));
            return new Rows(problems, List.of());
        }
    }

    private Rows oneByOne(List<Account> batch, RestoreException e) {
        LOG.debug("{}; reading its mailboxes one at a time", e.getMessage());
        List<Problem> problems = new ArrayList<>();
        List<Check> checks = new ArrayList<>();
        for (Account a : batch) {
            Rows one = rows(List.of(a));
            problems.addAll(one.problems());
            checks.addAll(one.checks());
        }
        return new Rows(problems, checks);
    }

    private Problem dbError(Account a, RestoreException e) {
        String why = e.getCause() instanceof SQLException sql ? sql.getMessage() : e.getMessage();
        return new Problem(a.mailboxId(), a.email(), 0, "", Problem.Kind.DB_ERROR, "cannot read the mailbox's rows: " + lost(why));
    }

    /** One query for the batch's folder-like rows: the orphan check, and the paths its problem lines name. */
    private Folders folders(List<Account> batch) {
        Map<Integer, FolderTree> trees = FolderTree.load(c, batch);
        List<Problem> problems = new ArrayList<>();
        Map<Integer, Map<Integer, String>> paths = new HashMap<>();
        for (Account a : batch) {
            FolderTree tree = trees.get(a.mailboxId());
            problems.addAll(orphans(a, tree));
            Map<Integer, String> mine = new HashMap<>();
            tree.all().forEach(f -> mine.put(f.id(), f.path()));
            paths.put(a.mailboxId(), mine);
        }
        return new Folders(problems, paths);
    }

    /** One streamed query for the batch's blob-carrying rows, each made a check ("#id" for a folder without a path). */
    private List<Check> items(List<Account> batch, Map<Integer, Map<Integer, String>> paths) {
        Map<Integer, Account> byId = new HashMap<>();
        batch.forEach(a -> byId.put(a.mailboxId(), a));
        List<Check> checks = new ArrayList<>();
        ItemReader.forEachMailbox(c, batch, ItemQuery.all().withTypes(BLOB_TYPES), Map.of(), (mailbox, rows) -> {
            Account a = byId.get(mailbox);
            Map<Integer, String> mine = paths.get(mailbox);
            // The reader orders by folder and date; checks (and problems) go by item id, as they always have.
            for (MailItem item : rows.stream().sorted(Comparator.comparingInt(MailItem::id)).toList()) {
                checks.add(new Check(a, mine.getOrDefault(item.folderId(), "#" + item.folderId()), item, digest(item.changed())));
            }
            return true;
        });
        return checks;
    }

    private static long millis(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** zimbra.mailbox, zimbra.volume and every mboxgroupN.mail_item that exists. */
    private List<String> tables() throws SQLException {
        List<String> out = new ArrayList<>(List.of("zimbra.mailbox", "zimbra.volume"));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT table_schema FROM information_schema.tables WHERE table_schema LIKE 'mboxgroup%'"
                        + " AND table_name = 'mail_item' ORDER BY CAST(SUBSTRING(table_schema, 10) AS UNSIGNED)")) {
            while (rs.next()) {
                out.add(rs.getString(1) + ".mail_item");
            }
        }
        return out;
    }

    /** CHECK TABLE reports problems as rows, not as SQL errors: anything but a final "OK" is one. */
    private Optional<Problem> checkTable(String table) {
        List<String> messages = new ArrayList<>();
        String last = null;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("CHECK TABLE " + table)) {
            while (rs.next()) {
                String type = rs.getString("Msg_type");
                String text = rs.getString("Msg_text");
                last = text;
                if (!"status".equalsIgnoreCase(type)) {
                    messages.add(type + ": " + text);
                }
            }
        } catch (SQLException e) {
            return Optional.of(Problem.database("CHECK TABLE " + table + ": " + lost(e.getMessage())));
        }
        if ("OK".equalsIgnoreCase(last) && messages.stream().noneMatch(m -> m.startsWith("error"))) {
            return Optional.empty();
        }
        messages.add("status: " + last);
        return Optional.of(Problem.database("CHECK TABLE " + table + ": " + String.join("; ", messages)));
    }

    /** The message, plus the sandbox's error log when the server is gone (it stops on some page corruption). */
    private String lost(String message) {
        boolean alive;
        try {
            alive = c.isValid(2);
        } catch (SQLException e) {
            alive = false;
        }
        return alive ? message : message + "\nthe sandbox mariadbd is gone; its error log ends:\n" + serverLog.get();
    }

    private List<Account> accounts() throws SQLException {
        List<Account> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, group_id, account_id, comment FROM zimbra.mailbox ORDER BY id")) {
            while (rs.next()) {
                out.add(new Account(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getString(4) == null ? "" : rs.getString(4)));
            }
        }
        return out;
    }

    /**
     * Every folder-like row (folder, search folder, mountpoint) must reach ROOT (11, its own parent) through
     * folders that exist; the one whose parent is missing, or each folder on a loop, is an orphan ("#id": a folder
     * off the tree has no path).
     */
    private static List<Problem> orphans(Account a, FolderTree tree) {
        Map<Integer, Integer> parent = new HashMap<>();
        Map<Integer, Integer> type = new HashMap<>();
        for (FolderTree.Link l : tree.links()) {
            parent.put(l.id(), l.parentId());
            type.put(l.id(), l.type());
        }
        List<Problem> problems = new ArrayList<>();
        for (FolderTree.Link l : tree.links()) {
            int id = l.id();
            Integer p = l.parentId();
            if (id == ROOT && p != null && p == ROOT) {
                continue;
            }
            if (p == null || !Integer.valueOf(MailItem.FOLDER).equals(type.get(p))) {
                problems.add(new Problem(a.mailboxId(), a.email(), id, "#" + id, Problem.Kind.ORPHAN_FOLDER,
                        "parent folder " + p + " does not exist"));
                continue;
            }
            if (onLoop(id, parent)) {
                problems.add(new Problem(a.mailboxId(), a.email(), id, "#" + id, Problem.Kind.ORPHAN_FOLDER,
                        "its parent chain loops without reaching ROOT (" + ROOT + ")"));
            }
        }
        return problems;
    }

    static boolean onLoop(int id, Map<Integer, Integer> parent) {
        Set<Integer> seen = new HashSet<>();
        Integer at = id;
        while (at != null && seen.add(at)) {
            if (at == ROOT) {
                return false;
            }
            at = parent.get(at);
            if (at != null && at == id) {
                return true;
            }
        }
        return false;
    }

    /** Full: all. Incremental: what changed since the last verified set (or has no change date), plus the sample. */
    private boolean digest(Instant changed) {
        if (mode.full() || changed == null) {
            return true;
        }
        if (changed.getEpochSecond() >= mode.changedSince().orElseThrow().getEpochSecond()) {
            return true;
        }
        return random.nextDouble() < mode.sample();
    }

    Outcome check(Check k) {
        MailItem item = k.item();
        if (!item.hasBlob()) {
            // Calendar items without attachments may have no blob; a message or document always has one.
            return item.type() == MailItem.APPOINTMENT || item.type() == MailItem.TASK ? new Outcome(0, false, Optional.empty())
                    : fail(k, Problem.Kind.MISSING_BLOB, "the row has no locator (no blob)");
        }
        Path file;
        try {
            file = blobs.locate(k.account().mailboxId(), item);
        } catch (RestoreException e) {
            return fail(k, Problem.Kind.UNKNOWN_VOLUME, e.getMessage());
        }
        long stored;
        Instant modified;
        try {
            // One stat for existence, type and size: on a FUSE-backed clone each call is a round trip.
            java.nio.file.attribute.BasicFileAttributes attrs = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                return fail(k, Problem.Kind.MISSING_BLOB, file.getFileName() + " is not a file");
            }
            stored = attrs.size();
            modified = attrs.lastModifiedTime().toInstant();
        } catch (java.nio.file.NoSuchFileException e) {
            return fail(k, Problem.Kind.MISSING_BLOB, "no blob " + file.getFileName() + " (" + item.typeName() + ", "
                    + item.size() + " bytes)");
        } catch (IOException e) {
            return fail(k, Problem.Kind.MISSING_BLOB, "cannot read " + file.getFileName() + ": " + e);
        }
        try {
            return k.digest() ? digestCheck(k, file, stored) : sizeCheck(k, file, stored, modified);
        } catch (IOException e) {
            return fail(k, Problem.Kind.MISSING_BLOB, "cannot read " + file.getFileName() + ": " + e);
        }
    }

    private Outcome digestCheck(Check k, Path file, long stored) throws IOException {
        MailItem item = k.item();
        BlobContent content = BlobReader.read(file, item.digest());
        boolean hashed = item.digest() != null && !item.digest().isBlank();
        if (content instanceof BlobContent.Unreadable u) {
            return new Outcome(stored, false, Optional.of(gzip(file)
                    ? problem(k, Problem.Kind.UNREADABLE_GZIP, "gzip blob " + file.getFileName() + ": " + u.reason())
                    : problem(k, Problem.Kind.MISSING_BLOB, "cannot read " + file.getFileName() + ": " + u.reason())));
        }
        if (content instanceof BlobContent.DigestMismatch m) {
            // A truncated blob also fails its digest; the size says more about what happened.
            return m.bytes().length != item.size() ? sizeMismatch(k, stored, m.bytes().length, gzip(file), true)
                    : new Outcome(stored, true, Optional.of(problem(k, Problem.Kind.DIGEST_MISMATCH,
                    "the row's digest is " + m.expected() + ", the blob's " + m.actual())));
        }
        BlobContent.Ok ok = (BlobContent.Ok) content;
        return ok.bytes().length == item.size() ? new Outcome(stored, hashed, Optional.empty())
                : sizeMismatch(k, stored, ok.bytes().length, ok.gzipped(), hashed);
    }

    private Outcome sizeMismatch(Check k, long stored, long actual, boolean gzipped, boolean hashed) {
        return new Outcome(stored, hashed, Optional.of(problem(k, Problem.Kind.SIZE_MISMATCH, "the row says "
                + k.item().size() + " bytes, the blob has " + actual + (gzipped ? " (uncompressed)" : ""))));
    }

    /**
     * Without the digest only the length is checked, cheaply, since an incremental drill does this for every
     * unchanged row and through FUSE each open is a round trip more (an open and two small reads cost three to four
     * times a {@code stat} on zfs-fuse):
     * <ul>
     * <li>a file exactly the row's size is the plain blob it almost always is: no open;</li>
     * <li>where Zimbra writes this row's blob gzip (its volume compresses blobs above a threshold, and the row is
     * above it), a file not modified since Zimbra last changed the row (Zimbra writes a blob once, when the row's
     * content changes) with a length a gzip of the row's size can have is taken as that gzip blob: no open. An
     * empty or near-empty file is still found, and so is a file cut short or rewritten since (its mtime is later);
     * a file cut short with its mtime put back is left to the digest of a sampled or full check;</li>
     * <li>any other length is opened: a gzip blob (written while the volume compressed) is judged by the
     * uncompressed length its trailer records (ISIZE, the length modulo 2^32), anything else is a size mismatch.</li>
     * </ul>
     */
    private Outcome sizeCheck(Check k, Path file, long stored, Instant modified) throws IOException {
        long want = k.item().size();
        if (stored == want || stored < 2) {
            return stored == want ? new Outcome(0, false, Optional.empty()) : sizeMismatch(k, 0, stored, false, false);
        }
        Instant changed = k.item().changed();
        boolean untouched = changed != null && !modified.isAfter(changed.plus(VerifyService.CHANGE_MARGIN));
        if (untouched && blobs.volume(k.item()).compresses(want) && gzipLengthFits(stored, want)) {
            return new Outcome(0, false, Optional.empty());
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(2);
            ch.read(magic, 0);
            if (!((magic.get(0) & 0xff) == 0x1f && (magic.get(1) & 0xff) == 0x8b)) {
                return stored == want ? new Outcome(0, false, Optional.empty()) : sizeMismatch(k, 0, stored, false, false);
            }
            if (stored < 18) {
                return fail(k, Problem.Kind.UNREADABLE_GZIP, "gzip blob " + file.getFileName() + " is " + stored
                        + " bytes, shorter than a gzip header and trailer");
            }
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(trailer, stored - 4);
            long isize = Integer.toUnsignedLong(trailer.getInt(0));
            return isize == (want & 0xffffffffL) ? new Outcome(0, false, Optional.empty())
                    : fail(k, Problem.Kind.SIZE_MISMATCH, "the row says " + want + " bytes, the gzip blob's trailer " + isize
                    + " (a truncated or damaged gzip blob)");
        }
    }

    /**
     * Whether {@code stored} bytes can be a gzip of {@code size} bytes: a header and trailer (18 bytes) around a
     * deflate stream no smaller than deflate's best ratio (1032:1) allows and no larger than zlib's deflateBound.
     */
    static boolean gzipLengthFits(long stored, long size) {
        long least = 18 + (size + 1031) / 1032;
        long most = 18 + size + ((size + 7) >> 3) + ((size + 63) >> 6) + 5;
        return stored >= least && stored <= most;
    }

    private static boolean gzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private Outcome fail(Check k, Problem.Kind kind, String detail) {
        return new Outcome(0, false, Optional.of(problem(k, kind, detail)));
    }

    private static Problem problem(Check k, Problem.Kind kind, String detail) {
        return new Problem(k.account().mailboxId(), k.account().email(), k.item().id(), k.folder(), kind, detail);
    }
}
