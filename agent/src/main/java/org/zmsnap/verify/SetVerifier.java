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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
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
import org.zmsnap.zimbra.Folder;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;

/**
 * Checks an opened set through its sandbox database: the tables, every blob-carrying row against its blob
 * (located by {@link BlobLocator}, read by {@link BlobReader}), and each mailbox's folder tree. Only reads.
 */
public final class SetVerifier {
    /** Debug lines with each part's time (ZMSNAP_LOG_LEVEL=DEBUG). */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SetVerifier.class);
    /** Blob reads wait on the file system more than on the CPU: overlap them, as a restore does. */
    static final int READ_THREADS = 3;
    static final int READ_WINDOW = 64;
    /** Rows that carry a blob: message, document, appointment, task. */
    static final String BLOB_TYPES = "5, 8, 11, 15";
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
        List<Check> checks = new ArrayList<>();
        for (Account a : accounts) {
            try {
                Map<Integer, String> paths = folders(a, problems);
                items(a, paths, checks);
            } catch (SQLException | RestoreException e) {
                problems.add(new Problem(a.mailboxId(), a.email(), 0, "", Problem.Kind.DB_ERROR,
                        "cannot read the mailbox's rows: " + lost(e.getMessage())));
            }
        }
        long tRows = System.nanoTime();
        LOG.debug("{}: folder trees and {} blob rows read {} ms", tag, checks.size(), millis(t0));
        long bytes = 0;
        long digests = 0;
        try (ReadAhead<Check, Outcome> reads = new ReadAhead<>(checks, this::check, READ_THREADS, READ_WINDOW)) {
            for (int i = 0; i < checks.size(); i++) {
                Outcome o = reads.get(i);
                bytes += o.bytesRead();
                digests += o.digested() ? 1 : 0;
                o.problem().ifPresent(problems::add);
            }
        }
        LOG.debug("{}: {} blobs located and checked ({} digests) {} ms", tag, checks.size(), digests, millis(tRows));
        return new VerifyReport(tag, mode, accounts.size(), checks.size(), bytes, digests, millis(t0), problems);
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
     * folders that exist; the one whose parent is missing, or each folder on a loop, is an orphan. Returns the
     * folder paths for the problem lines (FolderTree's rule; "#id" for folders with no path).
     */
    private Map<Integer, String> folders(Account a, List<Problem> problems) throws SQLException {
        Map<Integer, Integer> parent = new HashMap<>();
        Map<Integer, Integer> type = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, parent_id, type FROM " + a.group()
                + ".mail_item WHERE mailbox_id = ? AND type IN (1, 2, 13)")) {
            ps.setInt(1, a.mailboxId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    parent.put(rs.getInt(1), rs.getObject(2) == null ? null : rs.getInt(2));
                    type.put(rs.getInt(1), rs.getInt(3));
                }
            }
        }
        Map<Integer, String> paths = new HashMap<>();
        for (Folder f : FolderTree.load(c, a).all()) {
            paths.put(f.id(), f.path());
        }
        for (var e : parent.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            int id = e.getKey();
            Integer p = e.getValue();
            if (id == ROOT && p != null && p == ROOT) {
                continue;
            }
            if (p == null || !Integer.valueOf(1).equals(type.get(p))) {
                problems.add(new Problem(a.mailboxId(), a.email(), id, "#" + id, Problem.Kind.ORPHAN_FOLDER,
                        "parent folder " + p + " does not exist"));
                continue;
            }
            if (onLoop(id, parent)) {
                problems.add(new Problem(a.mailboxId(), a.email(), id, "#" + id, Problem.Kind.ORPHAN_FOLDER,
                        "its parent chain loops without reaching ROOT (" + ROOT + ")"));
            }
        }
        return paths;
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

    private void items(Account a, Map<Integer, String> paths, List<Check> checks) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, type, folder_id, size, locator, blob_digest, mod_content,"
                + " change_date FROM " + a.group() + ".mail_item WHERE mailbox_id = ? AND type IN (" + BLOB_TYPES + ") ORDER BY id")) {
            ps.setInt(1, a.mailboxId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int folder = rs.getInt(3);
                    MailItem item = new MailItem(rs.getInt(1), rs.getInt(2), folder, Instant.EPOCH, rs.getLong(4), rs.getString(5),
                            rs.getString(6), false, 0, null, null, null, null, rs.getInt(7), null);
                    long changed = rs.getLong(8);
                    boolean changedNull = rs.wasNull();
                    checks.add(new Check(a, paths.getOrDefault(folder, "#" + folder), item, digest(changedNull, changed)));
                }
            }
        }
    }

    /** Full: all. Incremental: what changed since the last verified set (or has no change date), plus the sample. */
    private boolean digest(boolean changedUnknown, long changedSeconds) {
        if (mode.full() || changedUnknown) {
            return true;
        }
        if (changedSeconds >= mode.changedSince().orElseThrow().getEpochSecond()) {
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
        try {
            // One stat for existence, type and size: on a FUSE-backed clone each call is a round trip.
            java.nio.file.attribute.BasicFileAttributes attrs = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                return fail(k, Problem.Kind.MISSING_BLOB, file.getFileName() + " is not a file");
            }
            stored = attrs.size();
        } catch (java.nio.file.NoSuchFileException e) {
            return fail(k, Problem.Kind.MISSING_BLOB, "no blob " + file.getFileName() + " (" + item.typeName() + ", "
                    + item.size() + " bytes)");
        } catch (IOException e) {
            return fail(k, Problem.Kind.MISSING_BLOB, "cannot read " + file.getFileName() + ": " + e);
        }
        try {
            return k.digest() ? digestCheck(k, file, stored) : sizeCheck(k, file, stored);
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
     * Without the digest only the size is checked, cheaply: a plain blob by its file size, a gzip blob by the
     * uncompressed length its trailer records (ISIZE, the length modulo 2^32). A file exactly the row's size is
     * taken as the plain blob it almost always is, with no open: through FUSE an open is a round trip more, and an
     * incremental drill does this for every unchanged row. (A gzip blob whose compressed length happens to equal the
     * message's length, with a damaged trailer, is the case this misses: the digest of a full or sampled check finds it.)
     */
    private Outcome sizeCheck(Check k, Path file, long stored) throws IOException {
        long want = k.item().size();
        if (stored == want || stored < 2) {
            return stored == want ? new Outcome(0, false, Optional.empty()) : sizeMismatch(k, 0, stored, false, false);
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
