package org.zmsnap.cli.man;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.LocalCommandRunner;
import picocli.AutoComplete;

/**
 * The Debian package's generated files, written by the cli module's Maven build before jdeb packs them
 * ({@code DebianFiles OUT_DIR PROJECT_ROOT POM_VERSION}); OUT_DIR mirrors the package's root:
 * the man pages (see {@link ManPages}) gzipped as {@code gzip -9n} does, the bash completion from picocli's
 * generator, {@code zmsnapd.service} with the package's paths, and the Debian changelog. Dated by the last commit
 * (the same tree builds the same pages), by today outside a git checkout.
 */
public final class DebianFiles {
    private static final DateTimeFormatter CHANGELOG_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private DebianFiles() {}

    /**
     * The pom's version as the package's: 0.1.0-SNAPSHOT becomes 0.1.0~snapshot, which sorts before the release
     * 0.1.0. jdeb names the package with the same rule (its snapshotTemplate in cli/pom.xml).
     */
    public static String debianVersion(String pomVersion) {
        return pomVersion.endsWith("-SNAPSHOT") ? pomVersion.substring(0, pomVersion.length() - "-SNAPSHOT".length()) + "~snapshot"
                : pomVersion;
    }

    /**
     * systemd/zmsnapd.service as the package installs it: ExecStart from /usr/sbin, the documentation from
     * /usr/share/doc. Throws when the unit no longer has the line to rewrite (the package would start nothing).
     */
    public static String unit(String source) {
        StringBuilder out = new StringBuilder();
        boolean execStart = false;
        for (String line : source.split("\n", -1)) {
            if (line.startsWith("ExecStart=/opt/zmsnap/bin/zmsnapd ")) {
                line = "ExecStart=/usr/sbin/zmsnapd " + line.substring("ExecStart=/opt/zmsnap/bin/zmsnapd ".length());
                execStart = true;
            } else if (line.startsWith("Documentation=")) {
                line = "Documentation=file:/usr/share/doc/zmsnap/daemon.md";
            } else if (line.startsWith("# Install: copy to /etc/systemd/system/, create /etc/zmsnap/zmsnap.yaml, then")) {
                line = "# Installed by the zmsnap package: write /etc/zmsnap/zmsnap.yaml, then"
                        + line.substring("# Install: copy to /etc/systemd/system/, create /etc/zmsnap/zmsnap.yaml, then".length());
            }
            out.append(line).append('\n');
        }
        if (!execStart) {
            throw new IllegalArgumentException("systemd/zmsnapd.service has no line 'ExecStart=/opt/zmsnap/bin/zmsnapd ...' to point at"
                    + " /usr/sbin/zmsnapd: update DebianFiles.unit with the unit");
        }
        return out.substring(0, out.length() - 1);
    }

    /** The bash completion as a file that is sourced, not run: picocli's script without its "#!" line. */
    public static String completion() {
        String script = AutoComplete.bash("zmsnap", org.zmsnap.cli.Main.commandLine());
        return script.startsWith("#!") ? script.substring(script.indexOf('\n') + 1) : script;
    }

    /** {@code gzip -9n}: no name, no time, the header's "maximum compression" flag (lintian reads it). */
    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try (OutputStream deflate = new DeflaterOutputStream(out, deflater)) {
            deflate.write(data);
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        writeLittleEndian(out, (int) crc.getValue());
        writeLittleEndian(out, data.length);
        return out.toByteArray();
    }

    /** The last commit's time and short hash, or now and "unknown" outside a git checkout. */
    record Source(Instant time, String commit) {
        static Source of(Path root) {
            try {
                CommandResult git = new LocalCommandRunner().run(Command.of(Duration.ofSeconds(30),
                        List.of("git", "-C", root.toString(), "log", "-1", "--format=%ct %h")));
                if (git.ok()) {
                    String[] parts = git.stdout().strip().split(" ");
                    return new Source(Instant.ofEpochSecond(Long.parseLong(parts[0])), parts[1]);
                }
            } catch (RuntimeException notGit) {
                // no git: the build's time
            }
            return new Source(Instant.now(), "unknown");
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: DebianFiles OUT_DIR PROJECT_ROOT POM_VERSION");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Path root = Path.of(args[1]);
        String version = debianVersion(args[2]);
        Source source = Source.of(root);
        String date = source.time().atZone(ZoneOffset.UTC).toLocalDate().toString();

        Map<String, String> pages = ManPages.render(Files.readString(root.resolve("docs/configuration.md")), version, date);
        for (Map.Entry<String, String> page : pages.entrySet()) {
            String section = page.getKey().substring(page.getKey().lastIndexOf('.') + 1);
            write(out.resolve("usr/share/man/man" + section + "/" + page.getKey() + ".gz"), gzip(bytes(page.getValue())));
        }
        write(out.resolve("usr/share/bash-completion/completions/zmsnap"), bytes(completion()));
        write(out.resolve("lib/systemd/system/zmsnapd.service"), bytes(unit(Files.readString(root.resolve("systemd/zmsnapd.service")))));
        String changelog = "zmsnap (" + version + ") unstable; urgency=medium\n\n  * Built from the source tree (git " + source.commit()
                + ").\n\n -- zmsnap developers <zmsnap@example.org>  " + CHANGELOG_DATE.format(source.time().atZone(ZoneOffset.UTC)) + "\n";
        write(out.resolve("usr/share/doc/zmsnap/changelog.gz"), gzip(bytes(changelog)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    private static void writeLittleEndian(OutputStream out, int value) throws IOException {
        for (int i = 0; i < 4; i++) {
            out.write(value >>> (8 * i));
        }
    }
}
