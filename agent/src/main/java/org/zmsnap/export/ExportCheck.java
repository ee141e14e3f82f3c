package org.zmsnap.export;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code zmsnap export --check}: the files an export directory holds now against those its manifest recorded.
 *
 * @param missing recorded but gone
 * @param added   there but not recorded
 * @param altered recorded, but with other bytes (size or SHA-256) or no longer a regular file
 * @param matched recorded and unchanged
 */
public record ExportCheck(List<String> missing, List<String> added, List<String> altered, int matched) {
    public ExportCheck {
        missing = List.copyOf(missing);
        added = List.copyOf(added);
        altered = List.copyOf(altered);
    }

    public boolean intact() {
        return missing.isEmpty() && added.isEmpty() && altered.isEmpty();
    }

    /** Re-hashes every file of {@code dir} against its manifest. */
    public static ExportCheck of(Path dir) {
        ExportManifest m = ExportManifest.read(dir);
        return compare(m.files(), ExportFiles.scan(dir));
    }

    /** Pure: {@code recorded} (the manifest's files) against {@code found} (by relative path). */
    public static ExportCheck compare(List<ExportManifest.FileEntry> recorded, Map<String, ExportManifest.FileEntry> found) {
        List<String> missing = new ArrayList<>();
        List<String> altered = new ArrayList<>();
        Set<String> known = new HashSet<>();
        int matched = 0;
        for (ExportManifest.FileEntry r : recorded) {
            known.add(r.path());
            ExportManifest.FileEntry f = found.get(r.path());
            if (f == null) {
                missing.add(r.path());
            } else if (f.size() != r.size() || !f.sha256().equalsIgnoreCase(r.sha256())) {
                altered.add(r.path());
            } else {
                matched++;
            }
        }
        List<String> added = found.keySet().stream().filter(p -> !known.contains(p)).sorted().toList();
        return new ExportCheck(missing, added, altered, matched);
    }
}
