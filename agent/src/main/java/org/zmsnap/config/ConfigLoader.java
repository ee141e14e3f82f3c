package org.zmsnap.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.zmsnap.zfs.DatasetName;

/** Reads {@code zmsnap.yaml} strictly: unknown keys, wrong types and missing values are errors naming the key. */
public final class ConfigLoader {
    static final Pattern POLICY_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Duration MIN_BUDGET = Duration.ofMillis(100);
    private static final Duration MAX_BUDGET = Duration.ofSeconds(60);

    private ConfigLoader() {}

    public static Config load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "config file " + file + " does not exist (use --config FILE; an example is conf/zmsnap.yaml)");
        } catch (IOException e) {
            throw new ConfigException("", "cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(text, file);
    }

    public static Config parse(String yaml, Path source) {
        Node root;
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader r = new java.io.StringReader(yaml)) {
            root = new Yaml(options).compose(r);
        } catch (MarkedYAMLException e) {
            throw new ConfigException("", "not valid YAML at line " + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("", "not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            throw new ConfigException("", "the config file " + source + " is empty");
        }
        YamlMap top = YamlMap.of("", root);
        String host = top.string("host").orElseGet(ConfigLoader::hostname);
        Map<String, SourceConfig> sources = top.map("sources").map(ConfigLoader::sources).orElse(Map.of());
        // A DR host's config has only 'sources'; a mailbox host's has 'mariadb' and 'datasets' (and may be a DR
        // host for others too, e.g. after a promotion).
        boolean mailboxHost = top.keys().contains("datasets") || sources.isEmpty();
        List<DatasetName> datasets = mailboxHost ? datasets(top) : List.of();
        if (!mailboxHost && top.keys().contains("mariadb")) {
            throw new ConfigException("mariadb", "is set but 'datasets' is not: a DR host (one with only 'sources')"
                    + " has no database to quiesce; remove 'mariadb', or add the 'datasets' it protects");
        }
        MariaDbConfig mariadb = mailboxHost
                ? mariadb(top.map("mariadb").orElseThrow(() -> new ConfigException("mariadb",
                        "is required (how to reach MariaDB; set 'quiesce: none' inside it to snapshot without a database lock)")))
                : MariaDbConfig.none();
        ZfsConfig zfs = top.map("zfs").map(ConfigLoader::zfs).orElse(ZfsConfig.defaults());
        Map<String, PolicyConfig> policies = top.map("policies").map(ConfigLoader::policies).orElse(Map.of());
        Path lockFile = top.string("lock-file").map(Path::of).orElse(Path.of("/run/zmsnap/cycle.lock"));
        MetricsConfig metrics = top.map("metrics").map(ConfigLoader::metrics).orElse(MetricsConfig.defaults());
        Map<String, TargetConfig> targets = top.map("targets").map(t -> targets(t, policies)).orElse(Map.of());
        Path workDir = top.string("work-dir").map(Path::of).orElse(Path.of("/var/lib/zmsnap/work"));
        if (!workDir.isAbsolute()) {
            throw new ConfigException("work-dir", workDir + " must be an absolute path");
        }
        RestoreConfig restore = top.map("restore").map(ConfigLoader::restore).orElse(RestoreConfig.defaults());
        Optional<VerifyConfig> verify = top.map("verify").map(ConfigLoader::verify);
        top.finish();
        return new Config(source, host, mariadb, datasets, zfs, policies, lockFile, metrics, targets, workDir, restore, sources, verify);
    }

    private static MariaDbConfig mariadb(YamlMap m) {
        QuiesceMethod quiesce = m.choice("quiesce", QuiesceMethod.class)
                .orElse(QuiesceMethod.AUTO);
        Optional<Path> socket = m.string("socket").map(Path::of);
        Optional<String> url = m.string("url");
        if (socket.isPresent() && url.isPresent()) {
            throw new ConfigException(m.child("url"), "give either 'socket' or 'url', not both");
        }
        if (socket.isEmpty() && url.isEmpty() && quiesce != QuiesceMethod.NONE) {
            throw new ConfigException(m.child("socket"), "is required: the MariaDB unix socket"
                    + " (Zimbra: /opt/zimbra/data/tmp/mysql/mysql.sock), or give 'url: jdbc:mariadb://127.0.0.1:7306/'");
        }
        url.ifPresent(u -> {
            if (!u.startsWith("jdbc:mariadb://") && !u.startsWith("jdbc:mysql://")) {
                throw new ConfigException(m.child("url"), "'" + u + "' is not a MariaDB JDBC URL (jdbc:mariadb://HOST:PORT/)");
            }
        });
        String user = m.string("user").orElse("root");
        Optional<Path> passwordFile = m.string("password-file").map(Path::of);
        boolean localconfig = m.bool("zimbra-localconfig").orElse(false);
        String zmlocalconfig = m.string("zmlocalconfig").orElse("/opt/zimbra/bin/zmlocalconfig");
        if (passwordFile.isPresent() && localconfig) {
            throw new ConfigException(m.child("zimbra-localconfig"), "give either 'password-file' or 'zimbra-localconfig: true', not both");
        }
        Credentials credentials;
        if (passwordFile.isPresent()) {
            checkPasswordFile(m.child("password-file"), passwordFile.get());
            credentials = new Credentials.PasswordFile(passwordFile.get());
        } else if (localconfig) {
            credentials = new Credentials.ZimbraLocalConfig(zmlocalconfig);
        } else {
            credentials = new Credentials.None();
        }
        Duration budget = m.duration("lock-budget").orElse(Duration.ofSeconds(2));
        if (budget.compareTo(MIN_BUDGET) < 0 || budget.compareTo(MAX_BUDGET) > 0) {
            throw new ConfigException(m.child("lock-budget"), Durations.format(budget)
                    + " is outside 100ms..60s (writers are blocked for at most this long)");
        }
        OnLockFailure onFailure = m.choice("on-lock-failure", OnLockFailure.class)
                .orElse(OnLockFailure.CRASH_CONSISTENT);
        Duration connectTimeout = m.duration("connect-timeout").orElse(Duration.ofSeconds(5));
        Duration retryWindow = m.duration("retry-window").orElse(Duration.ofSeconds(30));
        m.finish();
        return new MariaDbConfig(socket, url, user, credentials, quiesce, budget, onFailure, connectTimeout, retryWindow);
    }

    private static void checkPasswordFile(String path, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(path, file + " does not exist or is not a file");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> loose = new HashSet<>(perms);
            loose.retainAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
            if (!loose.isEmpty()) {
                throw new ConfigException(path, file + " is readable or writable by group or others (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); run: chmod 600 " + file);
            }
        } catch (IOException e) {
            throw new ConfigException(path, "cannot read permissions of " + file + ": " + e.getMessage());
        }
    }

    private static List<DatasetName> datasets(YamlMap top) {
        List<String> names = top.stringList("datasets");
        if (names.isEmpty()) {
            throw new ConfigException(top.child("datasets"), "is required: the ZFS datasets to snapshot together"
                    + " (e.g. tank/zimbra/db, tank/zimbra/store, tank/zimbra/index, tank/zimbra/redolog)");
        }
        List<DatasetName> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String path = top.child("datasets") + "[" + i + "]";
            DatasetName d;
            try {
                d = DatasetName.of(names.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(path, e.getMessage());
            }
            if (!seen.add(d.value())) {
                throw new ConfigException(path, d + " is listed twice");
            }
            out.add(d);
        }
        Set<String> pools = new java.util.TreeSet<>();
        out.forEach(d -> pools.add(d.pool()));
        if (pools.size() > 1) {
            throw new ConfigException(top.child("datasets"), "are in " + pools.size() + " pools " + pools
                    + ": ZFS can snapshot atomically only within one pool; list datasets of one pool");
        }
        return out;
    }

    private static ZfsConfig zfs(YamlMap m) {
        String command = m.string("command").orElse("zfs");
        Duration timeout = m.duration("timeout").orElse(Duration.ofSeconds(60));
        LibZfsCoreMode libZfsCore = m.choice("libzfs-core", LibZfsCoreMode.class)
                .orElse(LibZfsCoreMode.AUTO);
        m.finish();
        return new ZfsConfig(command, timeout, libZfsCore);
    }

    private static Map<String, PolicyConfig> policies(YamlMap m) {
        Map<String, PolicyConfig> out = new LinkedHashMap<>();
        for (String name : new ArrayList<>(m.keys())) {
            String path = m.child(name);
            if (!POLICY_NAME.matcher(name).matches()) {
                throw new ConfigException(path, "policy names use lowercase letters, digits and '-', starting with a letter");
            }
            YamlMap p = m.map(name).orElseThrow(() -> new ConfigException(path, "needs 'schedule' and 'keep'"));
            String schedule = p.cron("schedule").orElseThrow(() -> new ConfigException(p.child("schedule"), "is required"));
            int keep = p.integer("keep", 1, 100_000).orElseThrow(() -> new ConfigException(p.child("keep"), "is required"));
            p.finish();
            out.put(name, new PolicyConfig(name, schedule, keep));
        }
        return out;
    }

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\\[?[0-9a-fA-F:]+\\]?");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    private static Map<String, TargetConfig> targets(YamlMap m, Map<String, PolicyConfig> policies) {
        Map<String, TargetConfig> out = new LinkedHashMap<>();
        for (String name : new ArrayList<>(m.keys())) {
            String path = m.child(name);
            if (!POLICY_NAME.matcher(name).matches()) {
                throw new ConfigException(path, "target names use lowercase letters, digits and '-', starting with a letter");
            }
            YamlMap t = m.map(name).orElseThrow(() -> new ConfigException(path, "needs at least 'type', 'host' and 'root'"));
            boolean rsync = t.string("type").map(v -> switch (v) {
                case "zfs" -> false;
                case "rsync" -> true;
                default -> throw new ConfigException(t.child("type"), "'" + v + "' is not one of zfs | rsync");
            }).orElse(false);
            String host = t.requireString("host");
            if (!host.equals("local") && !HOST.matcher(host).matches()) {
                throw new ConfigException(t.child("host"), "'" + host + "' is not a host name or address (or 'local')");
            }
            int port = t.integer("port", 1, 65535).orElse(22);
            String user = t.string("user").orElse("root");
            if (!USER.matcher(user).matches()) {
                throw new ConfigException(t.child("user"), "'" + user + "' is not a valid user name");
            }
            Optional<Path> identity = t.string("identity").map(Path::of);
            Optional<Path> knownHosts = t.string("known-hosts").map(Path::of);
            if (!host.equals("local")) {
                if (identity.isEmpty()) {
                    throw new ConfigException(t.child("identity"), "is required for a remote target: the SSH private key");
                }
                if (knownHosts.isEmpty()) {
                    throw new ConfigException(t.child("known-hosts"), "is required for a remote target: host keys are checked strictly");
                }
                for (var e : Map.of("identity", identity.get(), "known-hosts", knownHosts.get()).entrySet()) {
                    if (!Files.isReadable(e.getValue())) {
                        throw new ConfigException(t.child(e.getKey()), e.getValue() + " does not exist or is not readable");
                    }
                }
            }
            Optional<DatasetName> root = t.parsed("root", "a ZFS dataset name", DatasetName::of);
            Optional<Path> dir = t.string("path").map(Path::of);
            if (!rsync && root.isEmpty()) {
                throw new ConfigException(t.child("root"), "is required for type zfs: the DR dataset that receives, e.g. backup/mbox1");
            }
            if (rsync && dir.isEmpty()) {
                throw new ConfigException(t.child("path"), "is required for type rsync: the directory on the DR host");
            }
            if (rsync && host.equals("local")) {
                throw new ConfigException(t.child("host"), "rsync targets are remote (a DR site without ZFS); for a local pool use type zfs");
            }
            List<String> after = t.stringList("after-snapshot");
            for (int i = 0; i < after.size(); i++) {
                if (!policies.containsKey(after.get(i))) {
                    throw new ConfigException(t.child("after-snapshot") + "[" + i + "]", "'" + after.get(i)
                            + "' is not a configured policy (" + String.join(", ", policies.keySet()) + ")");
                }
            }
            Optional<String> schedule = t.cron("schedule");
            Map<String, Integer> keep = new LinkedHashMap<>();
            t.map("keep").ifPresent(k -> {
                for (String policy : new ArrayList<>(k.keys())) {
                    if (!policies.containsKey(policy)) {
                        throw new ConfigException(k.child(policy), "'" + policy + "' is not a configured policy ("
                                + String.join(", ", policies.keySet()) + ")");
                    }
                    keep.put(policy, k.integer(policy, 1, 100_000).orElseThrow());
                }
                k.finish();
            });
            if (keep.isEmpty()) {
                policies.values().forEach(p -> keep.put(p.name(), p.keep()));
            }
            long bandwidth = t.parsed("bandwidth", "a rate such as 50MiB/s", v -> Sizes.parse(v.replaceAll("/s$", ""))).orElse(0L);
            Duration stall = t.duration("stall-timeout").orElse(Duration.ofSeconds(60));
            long minRate = minRate(t, bandwidth);
            Duration maxDuration = maxDuration(t);
            Duration commandTimeout = t.duration("command-timeout").orElse(Duration.ofSeconds(60));
            boolean rollback = t.string("on-divergence").map(v -> switch (v) {
                case "refuse" -> false;
                case "rollback" -> true;
                default -> throw new ConfigException(t.child("on-divergence"), "'" + v + "' is not one of refuse | rollback");
            }).orElse(false);
            String remoteZfs = t.string("zfs-command").orElse("zfs");
            Duration rpo = t.duration("rpo").orElse(Duration.ofHours(2));
            boolean prune = t.bool("prune").orElse(host.equals("local"));
            int parallel = t.integer("parallel-streams", 1, 16).orElse(ZfsTarget.DEFAULT_PARALLEL_STREAMS);
            t.finish();
            // Every key above is read and checked for both kinds (as it always was); each record keeps only its own.
            out.put(name, rsync
                    ? new RsyncTarget(name, host, port, user, identity, knownHosts, dir.orElseThrow(), after, schedule, keep,
                            bandwidth, stall, commandTimeout, rpo, minRate, maxDuration)
                    : new ZfsTarget(name, host, port, user, identity, knownHosts, root.orElseThrow(), after, schedule, keep,
                            bandwidth, stall, commandTimeout, rollback, remoteZfs, rpo, prune, minRate, maxDuration, parallel));
        }
        return out;
    }

    private static Map<String, SourceConfig> sources(YamlMap m) {
        Map<String, SourceConfig> out = new LinkedHashMap<>();
        for (String name : new ArrayList<>(m.keys())) {
            String path = m.child(name);
            if (!POLICY_NAME.matcher(name).matches()) {
                throw new ConfigException(path, "source names use lowercase letters, digits and '-', starting with a letter");
            }
            YamlMap s = m.map(name).orElseThrow(() -> new ConfigException(path, "needs at least 'datasets', 'root' and 'keep'"));
            List<DatasetName> datasets = datasets(s);
            DatasetName root = s.parsed("root", "a ZFS dataset name", DatasetName::of).orElseThrow(() ->
                    new ConfigException(s.child("root"), "is required: the dataset here that receives this source's copies, e.g. backup/" + name));
            Map<String, Integer> keep = new LinkedHashMap<>();
            YamlMap k = s.map("keep").orElseThrow(() -> new ConfigException(s.child("keep"),
                    "is required: how many sets of each policy this DR host keeps, e.g. { hourly: 48, daily: 30 }"));
            for (String policy : new ArrayList<>(k.keys())) {
                if (!POLICY_NAME.matcher(policy).matches()) {
                    throw new ConfigException(k.child(policy), "policy names use lowercase letters, digits and '-', starting with a letter");
                }
                keep.put(policy, k.integer(policy, 1, 100_000).orElseThrow());
            }
            k.finish();
            if (keep.isEmpty()) {
                throw new ConfigException(s.child("keep"), "names no policy: nothing would be kept or pulled");
            }
            Optional<SourceConfig.Pull> pull = s.map("pull").map(ConfigLoader::pull);
            Map<DatasetName, Path> mountpoints = new LinkedHashMap<>();
            s.map("mountpoints").ifPresent(mp -> {
                for (String d : new ArrayList<>(mp.keys())) {
                    DatasetName ds;
                    try {
                        ds = DatasetName.of(d);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(mp.child(d), e.getMessage());
                    }
                    if (!datasets.contains(ds)) {
                        throw new ConfigException(mp.child(d), d + " is not one of this source's datasets " + datasets);
                    }
                    Path p = Path.of(mp.requireString(d));
                    if (!p.isAbsolute()) {
                        throw new ConfigException(mp.child(d), p + " must be an absolute path");
                    }
                    mountpoints.put(ds, p);
                }
                mp.finish();
            });
            Duration rpo = s.duration("rpo").orElse(Duration.ofHours(2));
            String pruneSchedule = s.cron("prune-schedule").orElse("0 7 * * * ?");
            s.finish();
            for (SourceConfig other : out.values()) {
                if (other.root().equals(root) || other.root().isAncestorOf(root) || root.isAncestorOf(other.root())) {
                    throw new ConfigException(s.child("root"), "sources '" + other.name() + "' (root " + other.root() + ") and '"
                            + name + "' (root " + root + ") overlap: give each source a root of its own, e.g. backup/" + name);
                }
            }
            out.put(name, new SourceConfig(name, datasets, root, keep, pull, mountpoints, rpo, pruneSchedule));
        }
        return out;
    }

    private static SourceConfig.Pull pull(YamlMap p) {
        String host = p.requireString("host");
        if (!HOST.matcher(host).matches()) {
            throw new ConfigException(p.child("host"), "'" + host + "' is not a host name or address");
        }
        int port = p.integer("port", 1, 65535).orElse(22);
        String user = p.string("user").orElse("zmsnap");
        if (!USER.matcher(user).matches()) {
            throw new ConfigException(p.child("user"), "'" + user + "' is not a valid user name");
        }
        Path identity = readable(p, "identity", "the SSH private key this DR host logs in with");
        Path knownHosts = readable(p, "known-hosts", "the mailbox host's key: host keys are checked strictly");
        Optional<String> schedule = p.cron("schedule");
        long bandwidth = p.parsed("bandwidth", "a rate such as 50MiB/s", v -> Sizes.parse(v.replaceAll("/s$", ""))).orElse(0L);
        Duration stall = p.duration("stall-timeout").orElse(Duration.ofSeconds(60));
        long minRate = minRate(p, bandwidth);
        Duration maxDuration = maxDuration(p);
        Duration commandTimeout = p.duration("command-timeout").orElse(Duration.ofSeconds(60));
        String zfs = p.string("zfs-command").orElse("zfs");
        p.finish();
        return new SourceConfig.Pull(host, port, user, identity, knownHosts, schedule, bandwidth, stall, commandTimeout, zfs,
                minRate, maxDuration);
    }

    /**
     * {@code min-rate} of a target or a pull: a rate, 0 for none. One the {@code bandwidth} cap can never let through
     * is refused; the default is lowered under a cap instead (the pump never holds a capped stream to more than half
     * its cap), so a small cap needs no second setting.
     */
    private static long minRate(YamlMap m, long bandwidth) {
        Optional<Long> explicit = m.parsed("min-rate", "a rate such as 64KiB/s, or 0 for no minimum",
                v -> Sizes.parse(v.replaceAll("/s$", "")));
        if (explicit.isPresent() && bandwidth > 0 && explicit.get() > bandwidth) {
            throw new ConfigException(m.child("min-rate"), explicit.get() + " bytes/s is above the bandwidth cap of " + bandwidth
                    + " bytes/s: every transfer would be ended as too slow. Set min-rate well below bandwidth (at most half"
                    + " of it is used), or 0 for no minimum");
        }
        return explicit.orElse(TargetConfig.DEFAULT_MIN_RATE);
    }

    /** {@code max-duration}: a duration, 0 for none (the default). */
    private static Duration maxDuration(YamlMap m) {
        return m.parsed("max-duration", "a duration such as 6h, or 0 for no limit",
                v -> v.strip().equals("0") ? Duration.ZERO : Durations.parse(v)).orElse(Duration.ZERO);
    }

    private static Path readable(YamlMap m, String key, String what) {
        Path file = Path.of(m.string(key).orElseThrow(() -> new ConfigException(m.child(key), "is required: " + what)));
        if (!Files.isReadable(file)) {
            throw new ConfigException(m.child(key), file + " does not exist or is not readable");
        }
        return file;
    }

    private static VerifyConfig verify(YamlMap m) {
        String schedule = m.cron("schedule").orElseThrow(() -> new ConfigException(m.child("schedule"), "is required"));
        double sample = m.parsed("sample", "a fraction from 0 to 1 such as 0.01", v -> {
            double d = Double.parseDouble(v.strip());
            if (!(d >= 0 && d <= 1)) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        }).orElse(VerifyConfig.DEFAULT_SAMPLE);
        Duration fullEvery = m.duration("full-every").orElse(VerifyConfig.DEFAULT_FULL_EVERY);
        if (fullEvery.isZero() || fullEvery.isNegative()) {
            throw new ConfigException(m.child("full-every"), "must be longer than 0 (e.g. 7d)");
        }
        int nice = m.integer("nice", 0, 19).orElse(VerifyConfig.DEFAULT_NICE);
        VerifyConfig.IoClass io = m.string("ionice").map(v -> java.util.Arrays.stream(VerifyConfig.IoClass.values())
                .filter(c -> c.label().equals(v.strip())).findFirst().orElseThrow(() -> new ConfigException(m.child("ionice"),
                        "must be best-effort, idle or none, not '" + v + "'"))).orElse(VerifyConfig.IoClass.BEST_EFFORT);
        m.finish();
        return new VerifyConfig(schedule, sample, fullEvery, nice, io);
    }

    private static RestoreConfig restore(YamlMap m) {
        RestoreConfig d = RestoreConfig.defaults();
        Path workdir = m.string("workdir").map(Path::of).orElse(d.workdir());
        if (!workdir.isAbsolute()) {
            throw new ConfigException(m.child("workdir"), workdir + " must be an absolute path");
        }
        // The sandbox's unix socket lives under workdir; sun_path holds 107 bytes.
        if (workdir.toString().length() > 60) {
            throw new ConfigException(m.child("workdir"), workdir + " is longer than 60 characters: the sandbox"
                    + " MariaDB socket below it would exceed the 107-byte unix socket path limit");
        }
        Path mariadbd = m.string("mariadbd").map(Path::of).orElse(d.mariadbd());
        Path datadir = m.string("datadir").map(Path::of).orElse(d.datadir());
        Optional<RestoreConfig.ImapConfig> imap = m.map("imap").map(ConfigLoader::imap);
        Optional<Path> zmprov = m.string("zmprov").map(v -> v.equals("none") ? Optional.<Path>empty() : Optional.of(Path.of(v)))
                .orElse(d.zmprov().command());
        if (zmprov.isPresent() && !zmprov.get().isAbsolute()) {
            throw new ConfigException(m.child("zmprov"), zmprov.get() + " must be an absolute path (or none)");
        }
        Optional<String> zmprovUser = m.string("zmprov-user").map(v -> v.equals("none") ? Optional.<String>empty() : Optional.of(v))
                .orElse(d.zmprov().user());
        if (zmprovUser.isPresent() && !zmprovUser.get().matches("[a-z_][a-z0-9_.-]{0,31}")) {
            throw new ConfigException(m.child("zmprov-user"), "'" + zmprovUser.get() + "' is not a user name (or none)");
        }
        m.finish();
        return new RestoreConfig(workdir, mariadbd, datadir, imap, new RestoreConfig.Zmprov(zmprov, zmprovUser));
    }

    private static RestoreConfig.ImapConfig imap(YamlMap m) {
        String host = m.string("host").orElse("127.0.0.1");
        if (!HOST.matcher(host).matches()) {
            throw new ConfigException(m.child("host"), "'" + host + "' is not a host name or address");
        }
        RestoreConfig.Tls tls = m.string("tls").map(v -> switch (v) {
            case "starttls" -> RestoreConfig.Tls.STARTTLS;
            case "implicit" -> RestoreConfig.Tls.IMPLICIT;
            case "none" -> RestoreConfig.Tls.NONE;
            default -> throw new ConfigException(m.child("tls"), "'" + v + "' is not one of starttls | implicit | none");
        }).orElse(RestoreConfig.Tls.STARTTLS);
        int port = m.integer("port", 1, 65535).orElse(tls == RestoreConfig.Tls.IMPLICIT ? 993 : 143);
        Optional<Path> caFile = m.string("ca-file").map(Path::of);
        if (caFile.isPresent() && !Files.isReadable(caFile.get())) {
            throw new ConfigException(m.child("ca-file"), caFile.get() + " does not exist or is not readable (the CA or"
                    + " self-signed certificate of the IMAP server, PEM)");
        }
        if (caFile.isPresent() && tls == RestoreConfig.Tls.NONE) {
            throw new ConfigException(m.child("ca-file"), "is for TLS; tls is none");
        }
        String admin = m.requireString("admin-user");
        Path passwordFile = Path.of(m.requireString("admin-password-file"));
        checkPasswordFile(m.child("admin-password-file"), passwordFile);
        m.finish();
        return new RestoreConfig.ImapConfig(host, port, tls, admin, passwordFile, caFile);
    }

    private static MetricsConfig metrics(YamlMap m) {
        boolean enabled = m.bool("enabled").orElse(true);
        java.net.InetSocketAddress listen = m.parsed("listen", "HOST:PORT such as 127.0.0.1:9477", v -> {
            int colon = v.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("no port");
            }
            int port = Integer.parseInt(v.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range");
            }
            String h = v.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            return new java.net.InetSocketAddress(h, port);
        }).orElse(MetricsConfig.defaults().listen());
        m.finish();
        return new MetricsConfig(enabled, listen);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
