package org.zmsnap.restore.target;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.zmsnap.zimbra.MailItem;

/**
 * {@code --to-imap}: messages into the live account over IMAP; contacts, appointments, tasks and documents, which
 * IMAP cannot carry, written as files (.vcf, .ics, the document) under {@code dir}/<folder path>, and named in the
 * summary with the reason. Zimbra's own import ({@code zmmailbox postRestURL}) is only detected, not run: the summary
 * says whether it is installed, and docs/restore.md gives the import commands.
 */
public final class ImapAndFiles implements RestoreTarget {
    /** Where Zimbra installs zmmailbox (beside zmprov). */
    public static final Path ZMMAILBOX = Path.of("/opt/zimbra/bin/zmmailbox");

    private final ImapDelivery imap;
    private final Path dir;
    private final String why;

    /** @param zmmailbox Zimbra's zmmailbox, which is checked for and named in the reason */
    public ImapAndFiles(ImapDelivery imap, Path dir, Path zmmailbox) {
        this.imap = imap;
        this.dir = dir;
        this.why = "IMAP takes messages only; contacts, appointments, tasks and documents go to files under " + dir
                + (Files.isExecutable(zmmailbox)
                        ? " (" + zmmailbox + " is installed, but zmsnap does not import through it yet: import the files with"
                                + " zmmailbox postRestURL, see docs/restore.md)"
                        : " (" + zmmailbox + ", Zimbra's own import, is not installed here: import the files with a client or"
                                + " Zimbra's web client, see docs/restore.md)");
    }

    public Path dir() {
        return dir;
    }

    @Override
    public Delivered message(MailItem item, List<String> folder, byte[] content) {
        return imap.message(item, folder, content);
    }

    @Override
    public List<Delivered> messages(List<Outgoing> batch) {
        return imap.messages(batch);
    }

    @Override
    public Optional<String> filesInstead() {
        return Optional.of(why);
    }

    @Override
    public Delivered file(MailItem item, List<String> folder, byte[] content) {
        return ItemFiles.write(OutputDirs.of(dir, folder), item, content);
    }

    @Override
    public void close() {
        imap.close();
    }
}
