package org.zmsnap.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.zmsnap.AgentContext;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.restore.imap.ImapClient;
import org.zmsnap.snapshot.SnapshotSet;

/** What the restore commands share: choosing and opening a snapshot, the live database, the IMAP login. */
public final class RestoreService {
    private final AgentContext ctx;

    public RestoreService(AgentContext ctx) {
        this.ctx = ctx;
    }

    public RestoreConfig config() {
        return ctx.config().restore();
    }

    public SnapshotSet choose(String spec) {
        return SnapshotChooser.choose(ctx.catalog().sets(), spec);
    }

    /** Reuses a session {@code zmsnap mount} keeps open on the same set; otherwise opens (and later closes) its own. */
    public OpenedSnapshot open(String spec) {
        SnapshotSet set = choose(spec);
        for (Path dir : leftovers().mounted()) {
            if (RestoreSession.load(dir).tag().equals(set.tag().name())) {
                return OpenedSnapshot.borrow(ctx.zfs(), dir);
            }
        }
        return new SnapshotOpener(ctx.zfs(), config(), ctx.config().datasets()).open(set);
    }

    public RestoreLeftovers leftovers() {
        return new RestoreLeftovers(ctx.zfs(), config().workdir(), ctx.config().datasets().get(0).pool());
    }

    /** Item ids present in the live mailbox now (for --deleted). */
    public Set<Integer> liveIds(String accountId) {
        try (Connection c = new org.zmsnap.mariadb.DbConnector(ctx.config().mariadb(), new org.zmsnap.exec.LocalCommandRunner())
                .open(Duration.ofSeconds(60))) {
            return ItemReader.liveIds(c, accountId);
        } catch (java.sql.SQLException | RuntimeException e) {
            throw new RestoreException("cannot read the live mailbox (mariadb section of the config) to find deleted items: "
                    + e.getMessage(), e);
        }
    }

    /** Logs in as the admin on behalf of {@code account}; a refusal is an error before anything is created. */
    public ImapDelivery imap(String account, Optional<String> intoFolder) {
        RestoreConfig.ImapConfig cfg = config().imap().orElseThrow(() -> new RestoreUsageException(
                "--to-imap needs the restore.imap section in the config (host, port, tls, admin-user, admin-password-file)"));
        String password;
        try {
            String text = Files.readString(cfg.adminPasswordFile(), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            password = (nl < 0 ? text : text.substring(0, nl)).strip();
        } catch (IOException e) {
            throw new RestoreException("cannot read restore.imap.admin-password-file " + cfg.adminPasswordFile() + ": " + e.getMessage(), e);
        }
        ImapClient c = ImapClient.connect(cfg.host(), cfg.port(), cfg.tls() == RestoreConfig.Tls.STARTTLS, Duration.ofSeconds(60));
        try {
            c.authenticatePlain(account, cfg.adminUser(), password);
            return new ImapDelivery(c, intoFolder.map(f -> List.of(f)).orElse(List.of()));
        } catch (RuntimeException e) {
            c.close();
            throw new RestoreException("IMAP login of " + cfg.adminUser() + " on behalf of " + account + " at " + cfg.host() + ":"
                    + cfg.port() + " refused: " + e.getMessage(), e);
        }
    }
}
