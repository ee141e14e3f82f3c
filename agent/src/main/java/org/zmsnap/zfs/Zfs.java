package org.zmsnap.zfs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandException;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.exec.LocalCommandRunner;

/**
 * Typed ZFS operations over a {@link CommandRunner}. Reads only scripted output ({@code -H}, with {@code -p} wherever
 * a value is a number; {@code zfs version} and {@code zfs send -nP} are parsed line by line); every call has a timeout. Works with OpenZFS 2.x and with zfs-fuse (pool v23), probing once which it has.
 */
public final class Zfs {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Zfs.class);

    private static final int ARGS_PER_CALL = 200;

    private final CommandRunner runner;
    private final String zfsCommand;
    private final Duration timeout;
    private final ZfsWorkGate gate;
    private final Optional<Supplier<LibZfsCore.Probe>> libZfsCoreProbe;
    private volatile ZfsFeatures features;
    private volatile LibZfsCore.Probe libZfsCore;

    /**
     * @param zfsCommand the zfs program (configurable so a site can point at a wrapper, and tests at a hanging one)
     * @param timeout    bound for every call that does not take its own
     */
    public Zfs(CommandRunner runner, String zfsCommand, Duration timeout) {
        this(runner, zfsCommand, timeout, ZfsWorkGate.unshared());
    }

    /** With the daemon's {@link ZfsWorkGate}: every command waits at it while a snapshot cycle holds the database lock. */
    public Zfs(CommandRunner runner, String zfsCommand, Duration timeout, ZfsWorkGate gate) {
        this(runner, zfsCommand, timeout, gate, Optional.empty());
    }

    private Zfs(CommandRunner runner, String zfsCommand, Duration timeout, ZfsWorkGate gate,
                Optional<Supplier<LibZfsCore.Probe>> libZfsCoreProbe) {
        this.runner = runner;
        this.zfsCommand = zfsCommand;
        this.timeout = timeout;
        this.gate = gate;
        this.libZfsCoreProbe = libZfsCoreProbe;
    }

    /**
     * The same ZFS, whose {@link #snapshotCall}s may go through {@link LibZfsCore} in this process — only if it is
     * this host's ZFS (a local runner) reached with the plain {@code zfs} program ({@link PlainZfsProgram}: a site's
     * wrapper is the site's way to snapshot, and stays in the path; a script under a plain name is found at the
     * probe). Otherwise this same ZFS.
     */
    public Zfs withLibZfsCore() {
        if (!(runner instanceof LocalCommandRunner) || !PlainZfsProgram.named(zfsCommand)) {
            return this;
        }
        return withProbe(unlessScript(zfsCommand, System.getenv("PATH"), LibZfsCore::probe));
    }

    /** The library's probe, unless {@code command} (on {@code path}) is a script: then the site's wrapper, and why. */
    static Supplier<LibZfsCore.Probe> unlessScript(String command, String path, Supplier<LibZfsCore.Probe> library) {
        return () -> PlainZfsProgram.script(command, path).<LibZfsCore.Probe>map(LibZfsCore.Probe.Absent::new)
                .orElseGet(library);
    }

    /** With {@code probe} in place of loading the library: the rule's tests. */
    Zfs withProbe(Supplier<LibZfsCore.Probe> probe) {
        return new Zfs(runner, zfsCommand, timeout, gate, Optional.of(probe));
    }

    /** Whether snapshot calls may go in-process (the library is probed at the first one). */
    boolean mayUseLibZfsCore() {
        return libZfsCoreProbe.isPresent();
    }

    /** The gate this ZFS's commands pass; streams started next to it ({@code zfs send}, {@code zfs receive}) wait there too. */
    public ZfsWorkGate gate() {
        return gate;
    }

    /** Where these zfs commands run; other commands about the same host (path checks) go there too. */
    public CommandRunner runner() {
        return runner;
    }

    public Duration defaultTimeout() {
        return timeout;
    }

    /** Probed on first use and remembered: {@code zfs version} exists on OpenZFS 0.8+ only. */
    public ZfsFeatures features() {
        ZfsFeatures f = features;
        if (f == null) {
            synchronized (this) {
                if (features == null) {
                    CommandResult r = runner.run(Command.of(timeout, zfsCommand, "version"));
                    String first = r.stdout().lines().findFirst().orElse("").strip();
                    features = r.ok() && !first.isEmpty() ? ZfsFeatures.openZfs(first) : ZfsFeatures.legacy("zfs (pre-OpenZFS, e.g. zfs-fuse)");
                }
                f = features;
            }
        }
        return f;
    }

    /** The given datasets that do not exist (as filesystems or volumes). */
    public List<DatasetName> missing(Collection<DatasetName> datasets) {
        Set<String> present = new LinkedHashSet<>();
        for (List<DatasetName> batch : batches(new ArrayList<>(datasets))) {
            List<String> argv = new ArrayList<>(List.of(zfsCommand, "get", "-H", "-o", "name,value", "type"));
            batch.forEach(d -> argv.add(d.value()));
            CommandResult r = run(argv, timeout);
            for (String line : r.stdout().lines().toList()) {
                String[] f = line.split("\t");
                if (f.length >= 2 && (f[1].equals("filesystem") || f[1].equals("volume"))) {
                    present.add(f[0]);
                }
            }
            if (!r.ok() && !r.stderr().contains("does not exist")) {
                throw new ZfsException("cannot check datasets " + batch + ": " + r.stderr().strip());
            }
        }
        return datasets.stream().filter(d -> !present.contains(d.value())).toList();
    }

    /** The given datasets that exist, in the given order: the complement of {@link #missing}. */
    public List<DatasetName> present(Collection<DatasetName> datasets) {
        List<DatasetName> missing = missing(datasets);
        return datasets.stream().filter(d -> !missing.contains(d)).toList();
    }

    /** The dataset and all filesystems and volumes below it. */
    public List<DatasetName> subtree(DatasetName root) {
        CommandResult r = run(List.of(zfsCommand, "list", "-H", "-o", "name", "-t", "filesystem,volume", "-r", root.value()), timeout)
                .orThrow();
        return r.stdout().lines().filter(l -> !l.isBlank()).map(DatasetName::new).toList();
    }

    /** The filesystems directly under {@code pool} whose name starts with {@code prefix}: where zmsnap puts its clones. */
    public List<DatasetName> childrenNamed(String pool, String prefix) {
        return subtree(new DatasetName(pool)).stream()
                .filter(d -> d.parent().map(p -> p.value().equals(pool)).orElse(false))
                .filter(d -> d.value().substring(pool.length() + 1).startsWith(prefix)).toList();
    }

    /**
     * Creates snapshots in one {@code zfs snapshot} call: several names (atomic on OpenZFS), or one name
     * with {@code -r} (atomic for the subtree). User properties are set at creation.
     */
    public void snapshot(List<SnapshotName> names, boolean recursive, Map<String, String> properties, Duration callTimeout) {
        SnapshotCall call = snapshotCall(names, recursive, properties);
        check(call, run(call.argv(), callTimeout));
    }

    /**
     * One snapshot call, built before the database lock is taken: the exact {@code zfs snapshot} argument list, or
     * the same snapshots through {@code lzc_snapshot} in this process ({@link #via()} says which).
     */
    public record SnapshotCall(List<String> argv, List<SnapshotName> names, Map<String, String> properties,
                               Optional<LibZfsCore> inProcess) {
        /** How the snapshots are made; the name is the log's ({@code snapshot=… via libzfs_core}). */
        public enum Via {
            ZFS_COMMAND("zfs-command"), LIBZFS_CORE("libzfs_core");

            private final String text;

            Via(String text) {
                this.text = text;
            }

            @Override
            public String toString() {
                return text;
            }
        }

        public SnapshotCall {
            argv = List.copyOf(argv);
            names = List.copyOf(names);
            properties = Map.copyOf(properties);
        }

        public Via via() {
            return inProcess.isPresent() ? Via.LIBZFS_CORE : Via.ZFS_COMMAND;
        }
    }

    /**
     * The call {@link #snapshot} would make, for running later under the lock with {@link #snapshotNow}. Through
     * libzfs_core where this ZFS may use it ({@link #withLibZfsCore}), the library loads (probed here, on the first
     * call, so never under the lock), the ZFS is OpenZFS, and the call is not recursive ({@code lzc_snapshot} takes
     * names, and {@code -r}'s subtree is read in the kernel at the instant of the snapshot) and sets only user
     * properties (all {@code lzc_snapshot} accepts).
     */
    public SnapshotCall snapshotCall(List<SnapshotName> names, boolean recursive, Map<String, String> properties) {
        List<String> argv = new ArrayList<>(List.of(zfsCommand, "snapshot"));
        if (recursive) {
            argv.add("-r");
        }
        properties.forEach((k, v) -> {
            argv.add("-o");
            argv.add(k + "=" + v);
        });
        names.forEach(n -> argv.add(n.toString()));
        boolean userPropertiesOnly = properties.keySet().stream().allMatch(k -> k.contains(":"));
        Optional<LibZfsCore> lib = recursive || !userPropertiesOnly ? Optional.empty() : libZfsCore();
        return new SnapshotCall(argv, names, properties, lib);
    }

    /**
     * The library when this ZFS may use it and it loads; probed once, the outcome logged once. Whatever the probe
     * throws means no library: the cycle falls back to the program rather than failing every time.
     */
    private Optional<LibZfsCore> libZfsCore() {
        if (libZfsCoreProbe.isEmpty()) {
            return Optional.empty();
        }
        LibZfsCore.Probe p = libZfsCore;
        if (p == null) {
            synchronized (this) {
                p = libZfsCore;
                if (p == null) {
                    ZfsFeatures f;
                    try {
                        f = features();
                    } catch (RuntimeException e) {
                        // Not remembered: a zfs that did not answer this once is asked again at the next cycle.
                        LOG.warn("snapshots this time with '{} snapshot': cannot tell whether this is OpenZFS: {}", zfsCommand, e.getMessage());
                        return Optional.empty();
                    }
                    p = f.multiSnapshot() ? probeOnce(libZfsCoreProbe.get())
                            : new LibZfsCore.Probe.Absent(f.implementation() + " is not OpenZFS");
                    libZfsCore = p;
                    LOG.info("snapshots are taken {}", route(p));
                }
            }
        }
        return p instanceof LibZfsCore.Probe.Loaded l ? Optional.of(l.library()) : Optional.empty();
    }

    /** How this ZFS makes a set's snapshot, in words for {@code zmsnap check} (probing the library if not yet done). */
    public String snapshotRoute() {
        if (libZfsCoreProbe.isEmpty()) {
            return "'" + zfsCommand + " snapshot' (libzfs-core is off, or this is not this host's plain zfs program)";
        }
        libZfsCore();
        LibZfsCore.Probe p = libZfsCore;
        return p == null ? "'" + zfsCommand + " snapshot': cannot tell whether this is OpenZFS (zfs version did not answer)" : route(p);
    }

    /** What a probe means for the snapshot call, in the daemon's log and in {@code zmsnap check}. */
    private String route(LibZfsCore.Probe p) {
        return p instanceof LibZfsCore.Probe.Loaded l
                ? "in this process through " + l.library().soname() + " (lzc_snapshot): no zfs program starts under the lock"
                : "with '" + zfsCommand + " snapshot': " + ((LibZfsCore.Probe.Absent) p).why();
    }

    private static LibZfsCore.Probe probeOnce(Supplier<LibZfsCore.Probe> probe) {
        try {
            return probe.get();
        } catch (RuntimeException | LinkageError e) {
            return new LibZfsCore.Probe.Absent("loading libzfs_core failed: " + e.getMessage());
        }
    }

    /**
     * Runs a prepared snapshot call: in this process through libzfs_core, or on the runner's quick path
     * ({@link CommandRunner#runQuick}). This is the call inside the database lock window, so nothing is built or
     * looked up here.
     */
    public void snapshotNow(SnapshotCall call, Duration callTimeout) {
        if (call.inProcess().isPresent()) {
            call.inProcess().get().snapshot(call.names(), call.properties(), callTimeout);
            return;
        }
        CommandResult r;
        try {
            r = runner.runQuick(Command.of(callTimeout, call.argv()));
        } catch (CommandException e) {
            throw new ZfsException(e.getMessage(), e);
        }
        check(call, r);
    }

    private static void check(SnapshotCall call, CommandResult r) {
        if (!r.ok()) {
            throw new ZfsException("zfs snapshot " + call.names() + " failed: " + r.stderr().strip());
        }
    }

    /** The user property {@link #waitForTxgSync} inherits: zmsnap never sets it, so inheriting it changes nothing. */
    public static final String TXG_SYNC_PROPERTY = "org.zmsnap:txg-sync";

    /**
     * Makes each dataset's pool sync its open transaction group, and waits for it: {@code zfs inherit} of a user
     * property nobody sets, a sync task that changes nothing (it leaves a line in {@code zpool history}, like every
     * zfs command that writes). A snapshot waits for a txg sync too; right after this one there is little dirty data
     * left for it to write, so a snapshot taken next finishes sooner. Pass one dataset per pool: every dataset
     * named is one more sync. zfs-fuse has no {@code zpool sync}, hence this rather than that.
     */
    public void waitForTxgSync(List<DatasetName> onePerPool, Duration callTimeout) {
        if (onePerPool.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of(zfsCommand, "inherit", TXG_SYNC_PROPERTY));
        onePerPool.forEach(d -> argv.add(d.value()));
        CommandResult r = run(argv, callTimeout);
        if (!r.ok()) {
            throw new ZfsException("cannot sync the pools of " + onePerPool + ": " + r.stderr().strip());
        }
    }

    /** Sets user properties on snapshots: one call per property where the ZFS takes only one (zfs-fuse). */
    public void setProperties(List<SnapshotName> targets, Map<String, String> properties) {
        if (properties.isEmpty() || targets.isEmpty()) {
            return;
        }
        List<List<String>> assignments = new ArrayList<>();
        if (features().multiSnapshot()) {
            List<String> all = new ArrayList<>();
            properties.forEach((k, v) -> all.add(k + "=" + v));
            assignments.add(all);
        } else {
            properties.forEach((k, v) -> assignments.add(List.of(k + "=" + v)));
        }
        for (List<String> assignment : assignments) {
            List<String> argv = new ArrayList<>(List.of(zfsCommand, "set"));
            argv.addAll(assignment);
            targets.forEach(t -> argv.add(t.toString()));
            CommandResult r = run(argv, timeout);
            if (!r.ok()) {
                throw new ZfsException("cannot set " + assignment + " on " + targets + ": " + r.stderr().strip());
            }
        }
    }

    /**
     * Snapshots of {@code dataset} (not of its children), oldest first by creation txg, with the
     * requested user properties.
     */
    public List<SnapshotInfo> snapshots(DatasetName dataset, Collection<String> userProperties) {
        return listBelow(dataset, 1, userProperties).snapshots().getOrDefault(dataset, List.of());
    }

    /**
     * The filesystems and snapshots of a subtree, from one call: what a remote endpoint lists per run. With the
     * resume tokens of interrupted receives where this ZFS keeps them (OpenZFS): behind {@code zmsnap serve} a call
     * per dataset to ask would be a process start each.
     */
    public record Tree(java.util.Set<DatasetName> datasets, Map<DatasetName, List<SnapshotInfo>> snapshots,
                       Map<DatasetName, String> resumeTokens) {
        public Tree {
            datasets = java.util.Set.copyOf(datasets);
            snapshots = Map.copyOf(snapshots);
            resumeTokens = Map.copyOf(resumeTokens);
        }

        public List<SnapshotInfo> snapshotsOf(DatasetName d) {
            return snapshots.getOrDefault(d, List.of());
        }

        /** The token of {@code d}'s interrupted receive, if it has one. */
        public Optional<String> resumeToken(DatasetName d) {
            return Optional.ofNullable(resumeTokens.get(d));
        }
    }

    /** The subtree under {@code root}; empty when {@code root} does not exist. */
    public Tree tree(DatasetName root) {
        try {
            return listBelow(root, -1, List.of());
        } catch (ZfsException e) {
            if (String.valueOf(e.getMessage()).contains("does not exist")) {
                return new Tree(java.util.Set.of(), Map.of(), Map.of());
            }
            throw e;
        }
    }

    private Tree listBelow(DatasetName root, int depth, Collection<String> userProperties) {
        List<String> props = new ArrayList<>(List.of("guid", "creation", "createtxg", "userrefs"));
        props.addAll(userProperties);
        if (depth < 0 && features().resumableReceive()) {
            props.add(RESUME_TOKEN);
        }
        List<String> argv = new ArrayList<>(List.of(zfsCommand, "get", "-Hp"));
        if (depth < 0) {
            argv.add("-r");
        } else {
            argv.add("-d");
            argv.add(Integer.toString(depth));
        }
        argv.addAll(List.of("-o", "name,property,value", String.join(",", props), root.value()));
        CommandResult r = run(argv, timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot list snapshots of " + root + ": " + r.stderr().strip());
        }
        Map<String, Map<String, String>> byName = new LinkedHashMap<>();
        java.util.Set<DatasetName> filesystems = new java.util.LinkedHashSet<>();
        Map<DatasetName, String> tokens = new HashMap<>();
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.split("\t", -1);
            if (f.length < 3) {
                continue;
            }
            if (f[0].indexOf('@') < 0) {
                filesystems.add(new DatasetName(f[0]));
                if (f[1].equals(RESUME_TOKEN) && !f[2].equals("-") && !f[2].isEmpty()) {
                    tokens.put(new DatasetName(f[0]), f[2]);
                }
                continue;
            }
            byName.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], f[2]);
        }
        Map<DatasetName, List<SnapshotInfo>> out = new LinkedHashMap<>();
        for (var e : byName.entrySet()) {
            SnapshotName name = SnapshotName.parse(e.getKey());
            Map<String, String> p = e.getValue();
            Map<String, String> user = new HashMap<>();
            for (String up : userProperties) {
                String v = p.get(up);
                if (v != null && !v.equals("-")) {
                    user.put(up, v);
                }
            }
            SnapshotInfo info = new SnapshotInfo(name, Long.parseUnsignedLong(p.get("guid")),
                    Instant.ofEpochSecond(Long.parseLong(p.get("creation"))), Long.parseLong(p.get("createtxg")),
                    parseRefs(p.get("userrefs")), user);
            out.computeIfAbsent(name.dataset(), k -> new ArrayList<>()).add(info);
        }
        out.values().forEach(l -> l.sort(Comparator.comparingLong(SnapshotInfo::createTxg)));
        return new Tree(filesystems, out, tokens);
    }

    private static final String RESUME_TOKEN = "receive_resume_token";

    private static int parseRefs(String v) {
        return v == null || v.equals("-") ? 0 : Integer.parseInt(v);
    }

    public void destroy(SnapshotName snapshot) {
        CommandResult r = run(List.of(zfsCommand, "destroy", snapshot.toString()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot destroy " + snapshot + ": " + r.stderr().strip());
        }
    }

    /** Places a user hold: the snapshot cannot be destroyed until every hold is released. */
    public void hold(String tag, SnapshotName snapshot) {
        CommandResult r = run(List.of(zfsCommand, "hold", tag, snapshot.toString()), timeout);
        if (!r.ok() && !r.stderr().contains("tag already exists")) {
            throw new ZfsException("cannot hold " + snapshot + " as " + tag + ": " + r.stderr().strip());
        }
    }

    /** Releases a user hold; false when the snapshot had no hold with that tag. */
    public boolean release(String tag, SnapshotName snapshot) {
        CommandResult r = run(List.of(zfsCommand, "release", tag, snapshot.toString()), timeout);
        if (r.ok()) {
            return true;
        }
        if (r.stderr().contains("no such tag")) {
            return false;
        }
        throw new ZfsException("cannot release hold " + tag + " on " + snapshot + ": " + r.stderr().strip());
    }

    /** {@code zfs rollback -r}: destroys every snapshot newer than {@code snapshot}. Only on operator request. */
    public void rollbackDestroyingNewer(SnapshotName snapshot) {
        CommandResult r = run(List.of(zfsCommand, "rollback", "-r", snapshot.toString()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot roll back to " + snapshot + ": " + r.stderr().strip());
        }
    }

    /**
     * Creates {@code dataset} and its missing parents down from {@code root}, none mounted on its own: they only
     * hold received datasets, and a container that mounts would show an empty directory tree (and shadow the
     * copies' paths). {@code zfs create -p -o} sets the property on the last name only, so each missing name is
     * created in turn, top-down. Nothing above {@code root} is listed or made one by one: a DR host's
     * {@code zmsnap serve} lets this key see only its root and below (a root such as {@code backup/dr/mbox1}).
     * A missing root is made with {@code -p}, so parents above it, if missing, get ZFS's defaults: the DR guide
     * says to create the root first.
     */
    public void createContainer(DatasetName dataset, DatasetName root) {
        List<DatasetName> chain = chainBelow(root, dataset);
        for (DatasetName d : missing(chain)) {
            CommandResult r = run(List.of(zfsCommand, "create", "-p", "-o", "canmount=off", d.value()), timeout);
            if (!r.ok()) {
                throw new ZfsException("cannot create " + d + ": " + r.stderr().strip());
            }
        }
    }

    /** {@code root}, its descendants on the way, and {@code dataset}, top-down; only {@code dataset} when it is not under {@code root}. */
    static List<DatasetName> chainBelow(DatasetName root, DatasetName dataset) {
        if (!dataset.equals(root) && !root.isAncestorOf(dataset)) {
            return List.of(dataset);
        }
        java.util.ArrayDeque<DatasetName> chain = new java.util.ArrayDeque<>();
        for (DatasetName d = dataset; ; d = d.parent().orElseThrow()) {
            chain.addFirst(d);
            if (d.equals(root)) {
                return List.copyOf(chain);
            }
        }
    }

    public void set(DatasetName dataset, String property, String value) {
        CommandResult r = run(List.of(zfsCommand, "set", property + "=" + value, dataset.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot set " + property + " on " + dataset + ": " + r.stderr().strip());
        }
    }

    /** Clones {@code snapshot} to {@code clone} with properties (e.g. readonly=on, mountpoint=...). */
    public void clone(SnapshotName snapshot, DatasetName clone, Map<String, String> properties) {
        List<String> argv = new ArrayList<>(List.of(zfsCommand, "clone"));
        properties.forEach((k, v) -> {
            argv.add("-o");
            argv.add(k + "=" + v);
        });
        argv.add(snapshot.toString());
        argv.add(clone.value());
        CommandResult r = run(argv, timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot clone " + snapshot + " to " + clone + ": " + r.stderr().strip());
        }
    }

    /**
     * Destroys a filesystem and anything below it ({@code -r}), for the clones zmsnap made: it does not check whose the
     * filesystem is, so its callers pass only names they made ({@code OpenedSnapshot}, {@code RestoreLeftovers},
     * {@code RsyncReplicator}). A mount a process just left can stay busy for a moment, so retry briefly before
     * forcing the unmount.
     */
    public void destroyFilesystem(DatasetName dataset) {
        CommandResult r = null;
        // Mostly the mount is free again within a few tens of ms: retry soon, then every 250 ms; unforced for about
        // 2 s, then with -f, for about 3 s in all.
        long waited = 0;
        for (int attempt = 0; waited < 3000; attempt++) {
            List<String> argv = waited < 2000 ? List.of(zfsCommand, "destroy", "-r", dataset.value())
                    : List.of(zfsCommand, "destroy", "-r", "-f", dataset.value());
            r = run(argv, timeout);
            if (r.ok() || r.stderr().contains("does not exist")) {
                return;
            }
            long pause = Math.min(250, 50L * (attempt + 1));
            LOG.debug("zfs destroy {} attempt {} failed, retrying in {} ms: {}", dataset.value(), attempt + 1, pause, r.stderr().strip());
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            waited += pause;
        }
        throw new ZfsException("cannot destroy " + dataset + ": " + (r == null ? "" : r.stderr().strip()));
    }

    /** {@code zfs receive -A}: discards the partial state of an interrupted resumable receive. */
    public void abortResumableReceive(DatasetName dataset) {
        CommandResult r = run(List.of(zfsCommand, "receive", "-A", dataset.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot abort the interrupted receive into " + dataset + ": " + r.stderr().strip());
        }
    }

    /** A property's value; empty when unset ('-'). */
    public java.util.Optional<String> getProperty(DatasetName dataset, String property) {
        CommandResult r = run(List.of(zfsCommand, "get", "-H", "-o", "value", property, dataset.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot read " + property + " of " + dataset + ": " + r.stderr().strip());
        }
        String v = r.stdout().strip();
        return v.isEmpty() || v.equals("-") ? java.util.Optional.empty() : java.util.Optional.of(v);
    }

    /**
     * Several properties of one dataset from one {@code zfs get -Hp} call; a property that is unset ('-') is absent
     * from the map. Every name must be one this ZFS knows (user properties always are).
     */
    public Map<String, String> properties(DatasetName dataset, Collection<String> names) {
        CommandResult r = run(List.of(zfsCommand, "get", "-Hp", "-o", "property,value", String.join(",", names), dataset.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot read " + names + " of " + dataset + ": " + r.stderr().strip());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.split("\t", 2);
            if (f.length == 2 && !f[1].equals("-") && !f[1].isEmpty()) {
                out.put(f[0], f[1]);
            }
        }
        return out;
    }

    /**
     * Properties of every filesystem (and volume) in a subtree from one call ({@code zfs get -Hp -r}): over SSH each call is a
     * round trip and a forced command's start. A property unset ('-') is absent; a dataset with none is absent.
     */
    public Map<DatasetName, Map<String, String>> propertiesBelow(DatasetName root, Collection<String> names) {
        // No '-t filesystem': zfs-fuse's get has no -t. Snapshots' lines are skipped below instead.
        CommandResult r = run(List.of(zfsCommand, "get", "-Hp", "-r", "-o", "name,property,value",
                String.join(",", names), root.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot read " + names + " below " + root + ": " + r.stderr().strip());
        }
        Map<DatasetName, Map<String, String>> out = new LinkedHashMap<>();
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.split("\t", 3);
            if (f.length == 3 && f[0].indexOf('@') < 0 && !f[2].equals("-") && !f[2].isEmpty()) {
                out.computeIfAbsent(new DatasetName(f[0]), k -> new LinkedHashMap<>()).put(f[1], f[2]);
            }
        }
        return out;
    }

    /** {@code zfs mount DATASET} at its mountpoint property. */
    public void mount(DatasetName dataset) {
        CommandResult r = run(List.of(zfsCommand, "mount", dataset.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot mount " + dataset + ": " + r.stderr().strip());
        }
    }

    /** {@code zfs unmount DATASET}; a dataset that is not mounted is left as it is. */
    public void unmount(DatasetName dataset) {
        if (!getProperty(dataset, "mounted").orElse("no").equals("yes")) {
            return;
        }
        CommandResult r = run(List.of(zfsCommand, "unmount", dataset.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot unmount " + dataset + ": " + r.stderr().strip());
        }
    }

    /**
     * The size of the stream {@code zfs send [-c] [-i from] to} would make ({@code zfs send -nP}), for progress and an
     * ETA; empty where this ZFS cannot say (zfs-fuse) or the call fails (a forced command that allows only real sends).
     */
    public java.util.OptionalLong sendSize(Optional<SnapshotName> from, SnapshotName to, boolean compressed) {
        if (!features().sendEstimate()) {
            return java.util.OptionalLong.empty();
        }
        List<String> argv = new ArrayList<>(List.of(zfsCommand, "send", "-n", "-P"));
        if (compressed) {
            argv.add("-c");
        }
        from.ifPresent(f -> {
            argv.add("-i");
            argv.add(f.toString());
        });
        argv.add(to.toString());
        try {
            CommandResult r = run(argv, timeout);
            if (r.ok()) {
                // "size\t<bytes>" is the last line, on stdout (OpenZFS 2.x) or stderr (0.8).
                for (String line : (r.stdout() + "\n" + r.stderr()).lines().toList()) {
                    String[] f = line.split("\t");
                    if (f.length == 2 && f[0].equals("size") && f[1].matches("\\d+")) {
                        return java.util.OptionalLong.of(Long.parseLong(f[1]));
                    }
                }
            }
        } catch (RuntimeException e) {
            // an estimate is a nicety: without one, progress shows bytes and rate only
        }
        return java.util.OptionalLong.empty();
    }

    /** {@code zfs inherit PROPERTY DATASET}: back to the parent's value (or the default). */
    public void inherit(DatasetName dataset, String property) {
        CommandResult r = run(List.of(zfsCommand, "inherit", property, dataset.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot reset " + property + " of " + dataset + ": " + r.stderr().strip());
        }
    }

    /** {@code zfs rename FROM TO} of a filesystem, with its snapshots (same pool). */
    public void rename(DatasetName from, DatasetName to) {
        CommandResult r = run(List.of(zfsCommand, "rename", from.value(), to.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot rename " + from + " to " + to + ": " + r.stderr().strip());
        }
    }

    /**
     * {@code zfs promote CLONE}: the clone takes over its origin's snapshots up to the origin (same GUIDs), and the
     * former parent becomes a clone of it.
     */
    public void promote(DatasetName clone) {
        CommandResult r = run(List.of(zfsCommand, "promote", clone.value()), timeout);
        if (!r.ok()) {
            throw new ZfsException("cannot promote " + clone + ": " + r.stderr().strip());
        }
    }

    /** True when {@code snapshot} exists. */
    public boolean exists(SnapshotName snapshot) {
        CommandResult r = run(List.of(zfsCommand, "get", "-H", "-o", "value", "type", snapshot.toString()), timeout);
        return r.ok() && r.stdout().strip().equals("snapshot");
    }

    private CommandResult run(List<String> argv, Duration t) {
        Command c = Command.of(t, argv);
        try (ZfsWorkGate.Pass ignored = gate.enter(String.join(" ", argv))) {
            return runner.run(c);
        } catch (CommandException e) {
            throw new ZfsException(e.getMessage(), e);
        }
    }

    private static <T> List<List<T>> batches(List<T> all) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += ARGS_PER_CALL) {
            out.add(all.subList(i, Math.min(all.size(), i + ARGS_PER_CALL)));
        }
        return out;
    }
}
