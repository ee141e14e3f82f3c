package org.zmsnap.restore.target;

import java.util.List;
import org.zmsnap.zimbra.MailItem;

/** Where restored items go: files (eml, Maildir, mbox) or the live account over IMAP. */
public interface RestoreTarget extends AutoCloseable {
    /** @param folder the item's folder path segments from USER_ROOT, e.g. [Inbox, Проекты] */
    Delivered message(MailItem item, List<String> folder, byte[] content);

    /** One message on its way: the item, its folder path and its bytes. */
    record Outgoing(MailItem item, List<String> folder, byte[] content) {}

    /**
     * Several messages of one folder, in order; one outcome each, in the same order. Targets that gain from
     * writing many at once (IMAP's MULTIAPPEND) override this.
     */
    default List<Delivered> messages(List<Outgoing> batch) {
        return batch.stream().map(o -> message(o.item(), o.folder(), o.content())).toList();
    }

    /** Why this target takes no files (documents, appointments, contacts), or empty when it takes them. */
    default java.util.Optional<String> whyNoFiles() {
        return java.util.Optional.empty();
    }

    /**
     * For a target that puts messages into the live account but has no way there for the other items: where it writes
     * those as files instead, and why (said in the summary); empty for every other target.
     */
    default java.util.Optional<String> filesInstead() {
        return java.util.Optional.empty();
    }

    /**
     * An item that is not a message, as {@link ItemFiles#content} makes it (a contact's vCard, a calendar item's
     * iCalendar, a document's bytes); targets that cannot take one throw {@link NotAMessageException}.
     */
    Delivered file(MailItem item, List<String> folder, byte[] content);

    @Override
    void close();

    final class NotAMessageException extends RuntimeException {
        public NotAMessageException(String message) {
            super(message);
        }
    }
}
