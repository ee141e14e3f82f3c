package org.zmsnap.restore.target;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;

/**
 * One mboxrd file per folder (DIR/<folder path>.mbox): a "From " separator line per message and every line
 * matching {@code >*From } quoted with one more '>', so a standard reader gets the message back. Each run
 * writes its files from scratch (an mbox cannot tell which messages it holds without parsing it).
 */
public final class MboxWriter implements RestoreTarget {
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);
    private final Path root;
    private final Map<Path, OutputStream> open = new HashMap<>();

    public MboxWriter(Path root) {
        this.root = root;
    }

    @Override
    public Delivered message(MailItem item, List<String> folder, byte[] content) {
        Path file = folder.isEmpty() ? root.resolve("root.mbox")
                : OutputDirs.of(root, folder.subList(0, folder.size() - 1)).resolve(folder.get(folder.size() - 1) + ".mbox");
        try {
            OutputStream out = open.get(file);
            if (out == null) {
                OutputDirs.mkdirs(file.getParent());
                out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                open.put(file, out);
            }
            out.write(("From MAILER-DAEMON " + ASCTIME.format(item.date().atZone(ZoneOffset.UTC)) + "\n").getBytes(StandardCharsets.US_ASCII));
            writeQuoted(out, content);
            out.write('\n');
            return new Delivered.Written(file.toString());
        } catch (IOException e) {
            throw new RestoreException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** mboxrd quoting; line ends are kept as they are, and the message ends with a line end. */
    static void writeQuoted(OutputStream out, byte[] m) throws IOException {
        int start = 0;
        while (start < m.length) {
            int end = start;
            while (end < m.length && m[end] != '\n') {
                end++;
            }
            int i = start;
            while (i < end && m[i] == '>') {
                i++;
            }
            if (end - i >= 5 && m[i] == 'F' && m[i + 1] == 'r' && m[i + 2] == 'o' && m[i + 3] == 'm' && m[i + 4] == ' ') {
                out.write('>');
            }
            out.write(m, start, Math.min(end + 1, m.length) - start);
            start = end + 1;
        }
        if (m.length > 0 && m[m.length - 1] != '\n') {
            out.write('\n');
        }
    }

    @Override
    public Delivered file(MailItem item, List<String> folder, byte[] content) {
        return ItemFiles.write(OutputDirs.of(root.resolve("files"), folder), item, content);
    }

    @Override
    public void close() {
        RestoreException first = null;
        for (var e : open.entrySet()) {
            try {
                e.getValue().close();
            } catch (IOException ex) {
                first = first == null ? new RestoreException("cannot finish " + e.getKey() + ": " + ex.getMessage(), ex) : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
