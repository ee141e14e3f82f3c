package org.zmsnap.restore.target;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zmsnap.restore.target.imap.ExistingMessage;
import org.zmsnap.restore.target.imap.ImapClient;
import org.zmsnap.zimbra.MailItem;

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
        return messages(List.of(new Outgoing(item, folder, content))).get(0);
    }

    @Override
    public List<Delivered> messages(List<Outgoing> batch) {
        List<Delivered> outcomes = new ArrayList<>(batch.size());
        int from = 0;
        while (from < batch.size()) {
            // One APPEND batch per mailbox: a run of messages bound for the same folder.
            String mailbox = mailboxName(batch.get(from).folder());
            int to = from + 1;
            while (to < batch.size() && mailboxName(batch.get(to).folder()).equals(mailbox)) {
                to++;
            }
            outcomes.addAll(deliver(mailbox, batch.subList(from, to)));
            from = to;
        }
        return outcomes;
    }

    private List<Delivered> deliver(String mailbox, List<Outgoing> run) {
        Set<String> keys = present(mailbox);
        Delivered[] outcomes = new Delivered[run.size()];
        List<Integer> sent = new ArrayList<>();
        List<String> sentKeys = new ArrayList<>();
        List<ImapClient.Message> messages = new ArrayList<>();
        for (int i = 0; i < run.size(); i++) {
            Outgoing o = run.get(i);
            String key = key(ImapClient.messageId(headerOf(o.content())), crlfSize(o.content()), o.item().date().getEpochSecond());
            if (!keys.add(key)) {
                outcomes[i] = new Delivered.AlreadyPresent(mailbox);
                continue;
            }
            sent.add(i);
            sentKeys.add(key);
            messages.add(new ImapClient.Message(o.content(), ImapFlags.of(o.item()), o.item().date()));
        }
        List<ImapClient.AppendOutcome> appended = imap.appendAll(mailbox, messages);
        for (int k = 0; k < sent.size(); k++) {
            int i = sent.get(k);
            if (appended.get(k) instanceof ImapClient.AppendOutcome.Refused r) {
                outcomes[i] = new Delivered.Refused(mailbox, r.reason());
                keys.remove(sentKeys.get(k));
            } else {
                outcomes[i] = new Delivered.Written(mailbox);
            }
        }
        return List.of(outcomes);
    }

    /** What the mailbox already holds, read before the first append to it (creating it when missing). */
    private Set<String> present(String mailbox) {
        Set<String> keys = present.get(mailbox);
        if (keys == null) {
            ensureFolder(mailbox);
            keys = new HashSet<>();
            for (ExistingMessage m : imap.existing(mailbox)) {
                keys.add(key(m.messageId(), m.size(), m.internalDate()));
            }
            present.put(mailbox, keys);
        }
        return keys;
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
    public java.util.Optional<String> whyNoFiles() {
        return java.util.Optional.of("IMAP takes messages only (use --to-dir)");
    }

    @Override
    public Delivered file(MailItem item, List<String> folder, byte[] content) {
        throw new NotAMessageException(item.typeName() + " " + item.id()
                + (item.name() == null ? "" : " '" + item.name() + "'") + " is not a message: " + whyNoFiles().orElseThrow());
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
