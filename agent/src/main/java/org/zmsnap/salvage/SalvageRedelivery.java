package org.zmsnap.salvage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreProgress;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.RestoreSummary;
import org.zmsnap.restore.Restorer;
import org.zmsnap.restore.target.ImapDelivery;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.AccountResolver;
import org.zmsnap.zimbra.BlobReader;
import org.zmsnap.zimbra.Folder;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.RestoreUsageException;

/**
 * {@code restore --from-salvage DIR --to-imap}: puts a salvage directory's messages into the live accounts over IMAP,
 * with restore's own delivery (batches, folder creation, the Message-ID/size/date check that makes a rerun add
 * nothing twice). Everything is checked before the first message goes out: the manifest, every file against its
 * SHA-256, every account against the live database. A failed check delivers nothing.
 */
public final class SalvageRedelivery {
    /**
     * @param intoFolder       the folder the salvaged folder paths are recreated under; empty with
     *                         {@code originalFolders}, which puts each message into its recorded folder
     */
    public record Options(Optional<String> intoFolder, boolean originalFolders, boolean dryRun) {
        public Options {
            if (originalFolders && intoFolder.isPresent()) {
                throw new RestoreUsageException("give --into-original-folders or --into-folder NAME, not both");
            }
        }
    }

    /** One account's delivery. */
    public record AccountOutcome(String account, RestoreSummary summary) {}

    /**
     * @param folder     where the messages went ("Recovered 2026-11-30"), empty for their original folders
     * @param notMessages salvaged items IMAP cannot take, with the file that holds each
     */
    public record Outcome(SalvageManifest manifest, Optional<String> folder, List<AccountOutcome> accounts, List<String> notMessages) {
        public boolean failed() {
            return accounts.stream().anyMatch(a -> a.summary().failed() > 0);
        }
    }

    private final AgentContext ctx;

    public SalvageRedelivery(AgentContext ctx) {
        this.ctx = ctx;
    }

    /** "Recovered <date of the salvaged state, UTC>": the default folder. */
    public static String defaultFolder(SalvageManifest m) {
        return "Recovered " + m.salvageInstant().atOffset(ZoneOffset.UTC).toLocalDate();
    }

    public Outcome run(Path dir, Options options, RestoreProgress progress) {
        SalvageManifest m = SalvageManifest.read(dir);
        verify(dir, m);
        Map<String, List<SalvageItem>> byAccount = new LinkedHashMap<>();
        List<String> notMessages = new ArrayList<>();
        for (SalvageItem i : m.items()) {
            if (i.message()) {
                byAccount.computeIfAbsent(i.zimbraId(), k -> new ArrayList<>()).add(i);
            } else {
                notMessages.add(i.account() + " " + i.type() + " " + i.itemId() + ": IMAP takes messages only; it is in "
                        + dir.resolve(i.file()) + " (" + i.format() + ")");
            }
        }
        Map<String, String> addresses = liveAccounts(byAccount);
        Optional<String> folder = options.originalFolders() ? Optional.empty()
                : Optional.of(options.intoFolder().orElse(defaultFolder(m)));
        RestoreService service = new RestoreService(ctx);
        List<AccountOutcome> outcomes = new ArrayList<>();
        for (var e : byAccount.entrySet()) {
            String email = addresses.get(e.getKey());
            Delivery d = delivery(dir, e.getValue());
            try (ImapDelivery target = service.imap(email, folder)) {
                RestoreSummary s = new Restorer(d.reader(), d.folders(), true, options.dryRun()).run(d.items(), target, progress);
                outcomes.add(new AccountOutcome(email, s));
            }
        }
        return new Outcome(m, folder, outcomes, notMessages);
    }

    /** Every file is there and is what the manifest says; otherwise nothing is delivered. */
    static void verify(Path dir, SalvageManifest m) {
        List<String> bad = new ArrayList<>();
        for (SalvageItem i : m.items()) {
            Path f = dir.resolve(i.file());
            try {
                String actual = SalvageFiles.sha256(Files.readAllBytes(f));
                if (!actual.equalsIgnoreCase(i.sha256())) {
                    bad.add(i.file() + ": sha256 " + actual + ", the manifest says " + i.sha256());
                }
            } catch (NoSuchFileException e) {
                bad.add(i.file() + ": missing");
            } catch (IOException e) {
                bad.add(i.file() + ": unreadable: " + e.getMessage());
            }
        }
        if (!bad.isEmpty()) {
            throw new RestoreException(bad.size() + " file(s) of the salvage directory " + dir + " do not match its manifest"
                    + " (changed or removed since the export); nothing was delivered: " + String.join("; ", bad));
        }
    }

    /** zimbraId → the address to log in as; an account this host's live database does not have is refused first. */
    private Map<String, String> liveAccounts(Map<String, List<SalvageItem>> byAccount) {
        if (byAccount.isEmpty()) {
            return Map.of();
        }
        if (!ctx.config().mailboxHost()) {
            throw new RestoreUsageException("--from-salvage delivers into this host's live accounts, and this config is a DR"
                    + " host's (no mariadb/datasets): run it on the mailbox host");
        }
        Map<String, String> out = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        try (Connection c = new org.zmsnap.mariadb.DbConnector(ctx.config().mariadb(), new org.zmsnap.exec.LocalCommandRunner())
                .open(Duration.ofSeconds(60))) {
            Map<String, Account> live = new LinkedHashMap<>();
            AccountResolver.all(c).forEach(a -> live.put(a.accountId(), a));
            for (var e : byAccount.entrySet()) {
                SalvageItem first = e.getValue().get(0);
                Account a = live.get(e.getKey());
                if (a == null) {
                    unknown.add(first.account() + " (zimbraId " + e.getKey() + ")");
                } else {
                    // The salvage's address: the live row's comment is only the address the account was created with.
                    out.put(e.getKey(), first.account() != null ? first.account() : a.email());
                }
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            if (e instanceof RestoreUsageException u) {
                throw u;
            }
            throw new RestoreException("cannot read the live accounts (mariadb section of the config): " + e.getMessage(), e);
        }
        if (!unknown.isEmpty()) {
            throw new RestoreUsageException("the salvage holds mail of accounts this host does not have: " + String.join(", ", unknown)
                    + ". Create them (same zimbraId) or restore their files by hand; nothing was delivered.");
        }
        return out;
    }

    /** An account's messages as restore items, their folders, and where each one's bytes are. */
    private record Delivery(List<MailItem> items, FolderTree folders, java.util.function.Function<MailItem, org.zmsnap.zimbra.BlobContent> reader) {}

    private static Delivery delivery(Path dir, List<SalvageItem> salvaged) {
        Map<String, Integer> folderIds = new LinkedHashMap<>();
        List<Folder> folders = new ArrayList<>();
        Map<Integer, Path> files = new LinkedHashMap<>();
        List<MailItem> items = new ArrayList<>();
        for (SalvageItem s : salvaged) {
            Integer fid = folderIds.get(s.folder());
            if (fid == null) {
                // Synthetic ids: only the paths matter to the delivery.
                fid = folderIds.size() + 1000;
                folderIds.put(s.folder(), fid);
                folders.add(new Folder(fid, 1, s.folder()));
            }
            files.put(s.itemId(), dir.resolve(s.file()));
            items.add(new MailItem(s.itemId(), MailItem.MESSAGE, fid, Instant.parse(s.date()), s.size(), "salvage",
                    zimbraDigest(s.sha256()), s.unread(), s.zimbraFlags(), null, null, s.subject(), null, 0, null));
        }
        // Read again at delivery, digest checked again: strict, so a file changed since verify() is a failure.
        return new Delivery(items, FolderTree.of(folders), item -> BlobReader.read(files.get(item.id()), item.digest()));
    }

    /** The manifest's hex SHA-256 in Zimbra's digest form (base64, ',' for '/'), which BlobReader checks. */
    static String zimbraDigest(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)).replace('/', ',');
    }
}
