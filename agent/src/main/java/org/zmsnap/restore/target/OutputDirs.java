package org.zmsnap.restore.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;

/** A folder path as a directory under the output root; segments that would escape it are made harmless. */
public final class OutputDirs {
    private OutputDirs() {}

    public static Path of(Path root, List<String> folder) {
        Path p = root;
        for (String s : folder) {
            String safe = s.replace('/', '_').replace('\0', '_');
            if (safe.equals(".") || safe.equals("..") || safe.isEmpty()) {
                safe = "_" + safe;
            }
            p = p.resolve(safe);
        }
        return p;
    }

    static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new RestoreException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    public static String fileName(MailItem item, String fallback) {
        if (item.contact()) {
            return item.id() + ".vcf"; // the content is the vCard the restorer made from the row
        }
        String n = item.name() == null || item.name().isBlank() ? fallback : item.name();
        return item.id() + "-" + n.replace('/', '_').replace('\0', '_');
    }
}
