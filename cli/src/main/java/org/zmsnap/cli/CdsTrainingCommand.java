package org.zmsnap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.replication.SendOnlyPolicy;
import org.zmsnap.replication.ServePolicy;
import org.zmsnap.zfs.DatasetName;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code zmsnap cds-training}: hidden; the launchers run it once under {@code -XX:ArchiveClassesAtExit} to write the
 * class-data sharing archive that makes every later {@code zmsnap} start sooner (docs/install.md, "Start-up: the
 * class-data archive"). It loads the classes a command loads, and touches nothing: no file is written, no
 * configuration file, ZFS, MariaDB or network is read; it prints nothing and exits 0.
 */
@Command(name = CdsTrainingCommand.NAME, hidden = true, description = "Load zmsnap's classes for a class-data sharing archive (launchers only).")
final class CdsTrainingCommand implements Callable<Integer> {
    static final String NAME = "cds-training";

    /** A configuration as an admin writes one, parsed but never acted on: no file it names is opened. */
    static final String CONFIG = """
            host: cds-training
            mariadb:
              socket: /nonexistent/mysql.sock
              quiesce: ftwrl
              lock-budget: 2s
              on-lock-failure: crash-consistent
            datasets:
              - tank/zimbra/db
              - tank/zimbra/store
            zfs:
              command: zfs
              timeout: 60s
            policies:
              frequent: { schedule: "*/15 * * * *", keep: 8 }
              daily:    { schedule: "30 2 * * *",   keep: 30 }
            """;

    @Override
    public Integer call() {
        Config config = ConfigLoader.parse(CONFIG, Path.of("cds-training.yaml"));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("host", config.host());
        json.put("datasets", List.of("tank/zimbra/db", "tank/zimbra/store"));
        json.put("ok", true);
        Json.write(json);
        // Every command's model and help, as `zmsnap COMMAND --help` builds them; parsed, never executed.
        CommandLine root = Main.commandLine();
        StringWriter help = new StringWriter();
        root.setOut(new PrintWriter(help));
        for (CommandLine sub : root.getSubcommands().values()) {
            help.append(sub.getUsageMessage());
        }
        root.parseArgs("serve", "--root", "backup/cds");
        DatasetName r = DatasetName.of("backup/cds");
        new ServePolicy(r, false, false, false).check("zfs list -H -p -o name,guid -t snapshot -r backup/cds");
        new ServePolicy(r, false, false, false).check("zfs receive -u backup/cds/db");
        new SendOnlyPolicy(DatasetName.of("tank/zimbra")).check("zfs send -w tank/zimbra/db@zmsnap-1");
        ServePolicy.readsBack("zfs get -H -p -o value all backup/cds");
        // Library classes a run loads: driver registration and JSch's configuration touch no network.
        ClassLoader loader = CdsTrainingCommand.class.getClassLoader();
        load("org.mariadb.jdbc.Driver", true, loader);
        new com.jcraft.jsch.JSch();
        int failed = 0;
        for (Class<?> c : List.of(CdsTrainingCommand.class, ConfigLoader.class)) {
            for (String name : classNames(c)) {
                failed += load(name, false, loader) ? 0 : 1;
            }
        }
        return failed == 0 ? Main.OK : Main.FAILURE;
    }

    private static boolean load(String name, boolean initialize, ClassLoader loader) {
        try {
            Class.forName(name, initialize, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The names of the org.zmsnap classes in the jar (or classes directory) {@code c} was loaded from. */
    static List<String> classNames(Class<?> c) {
        Path from;
        try {
            from = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(from)) {
                try (Stream<Path> files = Files.walk(from.resolve("org/zmsnap"))) {
                    files.map(p -> from.relativize(p).toString().replace(from.getFileSystem().getSeparator(), "/"))
                            .filter(CdsTrainingCommand::isClass).forEach(n -> names.add(className(n)));
                }
            } else {
                try (JarFile jar = new JarFile(from.toFile())) {
                    jar.stream().map(JarEntry::getName).filter(n -> n.startsWith("org/zmsnap/") && isClass(n))
                            .forEach(n -> names.add(className(n)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static boolean isClass(String entry) {
        return entry.endsWith(".class") && !entry.endsWith("module-info.class") && !entry.endsWith("package-info.class");
    }

    private static String className(String entry) {
        return entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
    }
}
