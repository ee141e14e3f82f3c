package org.zmsnap.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Maildir per folder (DIR/<folder path>/{cur,new,tmp}): unread messages in new/, read ones in cur/ with the
 * flag suffix (:2,DFRS). The unique name carries the item id, so a rerun finds what it already wrote.
 */
public final class MaildirWriter implements RestoreTarget {
    private final Path root;
    /** Per Maildir, the unique names (without flag suffix) already in cur/ and new/: read once, not per message. */
    private final java.util.Map<Path, java.util.Set<String>> present = new java.util.HashMap<>();

    public MaildirWriter(Path root) {
        this.root = root;
    }

    private java.util.Set<String> present(Path md) throws IOException {
        java.util.Set<String> names = present.get(md);
        if (names == null) {
            for (String sub : List.of("cur", "new", "tmp")) {
                OutputDirs.mkdirs(md.resolve(sub));
            }
            names = new java.util.HashSet<>();
            for (String sub : List.of("cur", "new")) {
                try (Stream<Path> s = Files.list(md.resolve(sub))) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        String n = p.getFileName().toString();
                        int colon = n.indexOf(':');
                        names.add(colon < 0 ? n : n.substring(0, colon));
                    }
                }
            }
            present.put(md, names);
        }
        return names;
    }

    @Override
    public Delivered message(MailItem item, List<String> folder, byte[] content) {
        Path md = OutputDirs.of(root, folder);
        String base = item.date().getEpochSecond() + ".zmsnap-" + item.id() + ".restore";
        try {
            java.util.Set<String> names = present(md);
            if (names.contains(base)) {
                return new Delivered.AlreadyPresent(md.resolve(base).toString());
            }
            Path tmp = md.resolve("tmp").resolve(base);
            Files.write(tmp, content);
            Files.setLastModifiedTime(tmp, FileTime.from(item.date()));
            Path dest = item.unread() && ImapFlags.maildirInfo(item).equals(":2,")
                    ? md.resolve("new").resolve(base)
                    : md.resolve("cur").resolve(base + ImapFlags.maildirInfo(item));
            Files.move(tmp, dest, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            names.add(base);
            return new Delivered.Written(dest.toString());
        } catch (IOException e) {
            throw new RestoreException("cannot write to the Maildir " + md + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Delivered file(MailItem item, List<String> folder, byte[] content) {
        return EmlWriter.write(OutputDirs.of(root.resolve("files"), folder).resolve(OutputDirs.fileName(item, item.typeName())),
                item, content);
    }

    @Override
    public void close() {}
}
