package org.zmsnap.restore;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.zmsnap.AgentContext;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.restore.session.RestoreLeftovers;
import org.zmsnap.restore.session.RestoreSession;
import org.zmsnap.restore.session.RestoreSource;
import org.zmsnap.restore.session.SnapshotChooser;
import org.zmsnap.restore.session.SnapshotOpener;
import org.zmsnap.restore.target.ImapDelivery;
import org.zmsnap.restore.target.imap.ImapClient;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.AccountResolver;
import org.zmsnap.zimbra.ItemReader;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.RestoreUsageException;
import org.zmsnap.zimbra.ZmprovDirectory;

/** What the restore commands share: choosing and opening a snapshot, the live database, the IMAP login. */
public final class RestoreService {
    private final AgentContext ctx;
    private final RestoreSource source;

    public RestoreService(AgentContext ctx) {
        this(ctx, Optional.empty());
    }

    /** @param target {@code --target NAME}: the DR copies on that ZFS target instead of this host's datasets */
    public RestoreService(AgentContext ctx, Optional<String> target) {
        this(ctx, target, Optional.empty());
    }

    /** @param drSource {@code --source NAME} on a DR host: the copies it keeps of that mailbox host */
    public RestoreService(AgentContext ctx, Optional<String> target, Optional<String> drSource) {
        this.ctx = ctx;
        if (target.isPresent() && drSource.isPresent()) {
            throw new RestoreUsageException("give --target (a mailbox host's DR target) or --source (a DR host's source), not both");
        }
        this.source = drSource.isPresent() ? RestoreSource.ofSource(ctx.config(), ctx.zfs(), drSource.get())
                : RestoreSource.of(ctx.config(), ctx.zfs(), target);
    }

    public RestoreConfig config() {
        return ctx.config().restore();
    }

    public RestoreSource source() {
        return source;
    }

    /** The account {@code who} names in the opened snapshot, asking Zimbra's directory when this host has one. */
    public Account account(java.sql.Connection c, String who) {
        boolean root = "root".equals(System.getProperty("user.name"));
        return AccountResolver.resolve(c, who, ZmprovDirectory.of(config().zmprov(), new org.zmsnap.exec.LocalCommandRunner(), root));
    }

    /**
     * The set {@code spec} names among the source's sets. DR copies carry no org.zmsnap:* properties, so there
     * the choice rests on the snapshot names (zmsnap_<policy>_<UTC>) alone. On a remote target the choice is
     * made from the snapshots that exist there, and then refused: see {@link RestoreSource}.
     */
    public SnapshotSet choose(String spec) {
        if (!source.remote()) {
            List<SnapshotSet> sets = sets();
            return source.copies() ? onCopies(() -> SnapshotChooser.choose(sets, spec)) : SnapshotChooser.choose(sets, spec);
        }
        ZfsTarget t = source.target().orElseThrow();
        SnapshotSet set;
        try (TargetEndpoint ep = TargetEndpoint.open(t)) {
            List<SnapshotSet> sets = new SnapshotCatalog(ep.zfs(), source.datasets(), List.of()).sets();
            set = onCopies(() -> SnapshotChooser.choose(sets, spec));
        } catch (RestoreUsageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RestoreException("cannot list the snapshots of target " + t.name() + " on " + t.host() + ": " + e.getMessage(), e);
        }
        throw new RestoreUsageException("target " + t.name() + " has " + set.tag() + ", but on " + t.host() + " (under "
                + t.root() + "): a restore clones the snapshots and starts a sandbox MariaDB next to them, and"
                + " zmsnap does not do that across hosts. Run the same zmsnap command on " + t.host() + " itself: with this"
                + " config there (the target's root is found on that host), with the target set to 'host: local', or with a"
                + " config whose datasets are the received copies. Nothing was changed.");
    }

    /** The source's sets here, newest first, with zmsnap's properties; empty for a remote target. */
    public List<SnapshotSet> sets() {
        return source.remote() ? List.of() : new SnapshotCatalog(ctx.zfs(), source.datasets()).sets();
    }

    private <T> T onCopies(java.util.function.Supplier<T> choice) {
        try {
            return choice.get();
        } catch (RestoreUsageException e) {
            throw new RestoreUsageException(source.target().map(t -> "target " + t.name()).orElse(source.describe()) + ": " + e.getMessage());
        }
    }

    /** Reuses a session {@code zmsnap mount} keeps open on the same set; otherwise opens (and later closes) its own. */
    public OpenedSnapshot open(String spec) {
        return open(choose(spec));
    }

    /** {@link #open(String)} for a set already chosen. */
    public OpenedSnapshot open(SnapshotSet set) {
        return open(set, List.of());
    }

    /**
     * {@link #open(SnapshotSet)} with the sandbox mariadbd started through {@code launcher} (a restore drill's
     * {@code nice}/{@code ionice}); a borrowed {@code zmsnap mount} session keeps the priority it has.
     */
    public OpenedSnapshot open(SnapshotSet set, List<String> launcher) {
        // Finding kept sessions needs only the workdir, not the pools.
        for (Path dir : new RestoreLeftovers(ctx.zfs(), config().workdir(), List.of()).mounted()) {
            RestoreSession s = RestoreSession.load(dir);
            if (s.tag().equals(set.tag().name()) && s.source().equals(source.key())) {
                return OpenedSnapshot.borrow(ctx.zfs(), dir);
            }
        }
        return new SnapshotOpener(ctx.zfs(), config(), source.datasets(), source.livePaths(), source.key(), launcher).open(set);
    }

    /**
     * Sessions are found in the workdir whatever they cloned; stray clones are looked for in this host's pool and,
     * with a target opened here, the DR pool. A pool this host does not have (the mailbox host's, on a DR host
     * running its config) is skipped.
     */
    public RestoreLeftovers leftovers() {
        java.util.LinkedHashSet<String> pools = new java.util.LinkedHashSet<>(ownPools(ctx.config()));
        if (!source.remote()) {
            pools.add(source.pool());
        }
        return leftovers(ctx, pools);
    }

    /**
     * What restores left on this host, whichever set they opened: for {@code zmsnap unmount} and {@code restore
     * --cleanup} without {@code --target}/{@code --source}, which must work on a DR host too (it has no set of its
     * own to name, and a crashed restore of any source's copy is cleaned the same way).
     */
    public static RestoreLeftovers leftoversOfThisHost(AgentContext ctx) {
        return leftovers(ctx, new java.util.LinkedHashSet<>(ownPools(ctx.config())));
    }

    /** The pools restores clone in without a --target: this host's own, and on a DR host each source's copies'. */
    private static List<String> ownPools(org.zmsnap.config.Config cfg) {
        List<String> pools = new java.util.ArrayList<>();
        if (cfg.mailboxHost()) {
            pools.add(cfg.datasets().get(0).pool());
        }
        cfg.sources().values().forEach(s -> pools.add(s.copies().get(0).pool()));
        return pools;
    }

    private static RestoreLeftovers leftovers(AgentContext ctx, java.util.Collection<String> pools) {
        List<org.zmsnap.zfs.DatasetName> roots = pools.stream().distinct().map(org.zmsnap.zfs.DatasetName::new).toList();
        return new RestoreLeftovers(ctx.zfs(), ctx.config().restore().workdir(),
                ctx.zfs().present(roots).stream().map(org.zmsnap.zfs.DatasetName::value).toList());
    }

    /** Item ids present in the live mailbox now (for --deleted). */
    public Set<Integer> liveIds(String accountId) {
        if (!ctx.config().mailboxHost()) {
            throw new RestoreUsageException("--deleted compares with the live mailbox, and this DR host has none: browse the set"
                    + " without --deleted here, or run it on the mailbox host");
        }
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
            password = org.zmsnap.restore.target.imap.AdminPassword.read(cfg.adminPasswordFile());
        } catch (IOException e) {
            throw new RestoreException("cannot read restore.imap.admin-password-file " + cfg.adminPasswordFile() + ": " + e.getMessage(), e);
        }
        ImapClient c = ImapClient.connect(cfg.host(), cfg.port(), cfg.tls(), cfg.caFile(), Duration.ofSeconds(60));
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
