package org.zmsnap.cli;

/**
 * The words of the options that name a set and a mailbox in browse, search, restore and export: one text, so the
 * commands describe them alike (picocli needs the description as a constant in each annotation).
 */
final class SetOptions {
    private SetOptions() {}

    static final String SNAPSHOT = "the set: a tag (zmsnap_hourly_2026-11-22T14:00:00Z), latest, or an ISO time"
            + " (the newest complete set at or before it)";
    static final String ACCOUNT = "the mailbox: email address (also renamed accounts and aliases, through zmprov), zimbraId"
            + " or mailbox id";
}
