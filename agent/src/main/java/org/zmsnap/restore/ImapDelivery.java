package org.zmsnap.restore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zmsnap.restore.imap.ExistingMessage;
import org.zmsnap.restore.imap.ImapClient;

/**
 * Appends messages into the live account over IMAP, recreating the folder path (under {@code intoFolder}
 * when given; Zimbra's "Inbox" is IMAP's INBOX). Idempotent: before the first append to a folder it reads
 * what the folder holds (Message-ID, size, internal date) and skips messages already there.
 */
public final class ImapDelivery implements RestoreTarget {
    private final ImapClient imap;
    private final List<String> intoFolder;
    private final String delimiter;
    private final Set<String> folders;
    private final Map<String, Set<String>> present = new HashMap<>();

    /** {@code imap} is logged in; this takes it over and logs out on close. */
    public ImapDelivery(ImapClient imap, List<String> intoFolder) {
        this.imap = imap;
        this.intoFolder = List.copyOf(intoFolder);
        this.delimiter = imap.delimiter();
        this.folders = new HashSet<>(imap.list());
    }

    public String mailboxName(List<String> folder) {
        List<String> parts = new ArrayList<>(intoFolder);
        for (int i = 0; i < folder.size(); i++) {
            String s = folder.get(i);
            parts.add(i == 0 && intoFolder.isEmpty() && s.equalsIgnoreCase("Inbox") ? "INBOX" : s.replace(delimiter, "_"));
        }
        return parts.isEmpty() ? "INBOX" : String.join(delimiter, parts);
    }

    @Override
    public Delivered message(MailItem item, List<String> folder, byte[] content) {
        String mailbox = mailboxName(folder);
        Set<String> keys = present.get(mailbox);
        if (keys == null) {
            ensureFolder(mailbox);
            keys = new HashSet<>();
            for (ExistingMessage m : imap.existing(mailbox)) {
                keys.add(key(m.messageId(), m.size(), m.internalDate()));
            }
            present.put(mailbox, keys);
        }
        String key = key(ImapClient.messageId(headerOf(content)), crlfSize(content), item.date().getEpochSecond());
        if (keys.contains(key)) {
            return new Delivered.AlreadyPresent(mailbox);
        }
        imap.append(mailbox, content, ImapFlags.of(item), item.date());
        keys.add(key);
        return new Delivered.Written(mailbox);
    }

    private void ensureFolder(String mailbox) {
        if (mailbox.equalsIgnoreCase("INBOX") || folders.contains(mailbox)) {
            return;
        }
        // Parents first: not every server creates missing levels on its own.
        String[] parts = mailbox.split(java.util.regex.Pattern.quote(delimiter));
        StringBuilder path = new StringBuilder();
        for (String p : parts) {
            path.append(path.isEmpty() ? "" : delimiter).append(p);
            String name = path.toString();
            if (!name.equalsIgnoreCase("INBOX") && !folders.contains(name)) {
                imap.create(name);
                folders.add(name);
            }
        }
    }

    @Override
    public Delivered file(MailItem item, List<String> folder, byte[] content) {
        throw new NotAMessageException(item.typeName() + " " + item.id()
                + (item.name() == null ? "" : " '" + item.name() + "'") + " is not a message: IMAP takes messages only (use --to-dir)");
    }

    private static String key(String messageId, long size, long date) {
        return messageId + "\0" + size + "\0" + date;
    }

    /** The size a server reports (RFC822.SIZE counts CRLF line ends): bare LFs count twice. */
    static long crlfSize(byte[] m) {
        long n = m.length;
        for (int i = 0; i < m.length; i++) {
            if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) {
                n++;
            }
        }
        return n;
    }

    private static String headerOf(byte[] m) {
        int limit = Math.min(m.length, 65536);
        String s = new String(m, 0, limit, java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) {
            end = s.indexOf("\n\n");
        }
        return end < 0 ? s : s.substring(0, end + 1);
    }

    @Override
    public void close() {
        try {
            imap.logout();
        } finally {
            imap.close();
        }
    }
}
