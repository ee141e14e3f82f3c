package org.zmsnap.restore.target.imap;

/**
 * What identifies a message already in a folder, for idempotent restores: its Message-ID (may be empty), size
 * as the server counts it (CRLF line ends) and internal date in seconds.
 */
public record ExistingMessage(String messageId, long size, long internalDate) {}
