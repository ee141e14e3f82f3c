package org.zmsnap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.Tools;
import org.zmsnap.fixtures.ZfsFlavour;

/** The machine a result was measured on: numbers from different machines are not comparable without it. */
public record Machine(String cpuModel, int cores, long memoryBytes, String kernel, String zfsFlavour, String zfsVersion,
                      String mariadbVersion, String javaVersion, Instant date) {

    public static Machine detect() {
        return new Machine(detectCpuModel(), Runtime.getRuntime().availableProcessors(), detectMemoryBytes(),
                read("/proc/sys/kernel/osrelease").map(String::strip).orElse(System.getProperty("os.version")),
                detectZfsFlavour().map(f -> f.name().toLowerCase()).orElse("none"), detectZfsVersion(),
                detectMariadbVersion(),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                Instant.now());
    }

    private static String detectCpuModel() {
        return read("/proc/cpuinfo").flatMap(s -> s.lines().filter(l -> l.startsWith("model name")).findFirst())
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
    }

    private static long detectMemoryBytes() {
        return read("/proc/meminfo").flatMap(s -> s.lines().filter(l -> l.startsWith("MemTotal:")).findFirst())
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
    }

    private static Optional<ZfsFlavour> detectZfsFlavour() {
        try {
            return Optional.of(ZfsFlavour.detect());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String detectZfsVersion() {
        Optional<String> module = read("/sys/module/zfs/version").map(String::strip);
        if (module.isPresent()) {
            return module.get();
        }
        if (Tools.find("dpkg-query").isPresent()) {
            Proc.Result r = Proc.run(Duration.ofSeconds(10), "dpkg-query", "-W", "-f=${Version}", "zfs-fuse");
            if (r.ok()) {
                return "zfs-fuse " + r.stdout().strip();
            }
        }
        return "unknown";
    }

    private static String detectMariadbVersion() {
        return Tools.find("mariadbd").map(p -> Proc.run(Duration.ofSeconds(10), p.toString(), "--version"))
                .filter(Proc.Result::ok).map(r -> versionWord(r.stdout())).orElse("none");
    }

    /** "mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu" → "MariaDB 10.11.19-MariaDB-0+deb12u1". */
    static String versionWord(String versionOutput) {
        String[] words = versionOutput.strip().split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("Ver")) {
                return "MariaDB " + words[i + 1];
            }
        }
        return versionOutput.strip();
    }

    private static Optional<String> read(String file) {
        try {
            return Optional.of(Files.readString(Path.of(file)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** One line for the markdown output. */
    public String summary() {
        return cpuModel + ", " + cores + " cores, " + (memoryBytes >> 30) + " GiB RAM, Linux " + kernel + ", ZFS "
                + zfsFlavour + " (" + zfsVersion + "), " + mariadbVersion + ", Java " + javaVersion;
    }
}
