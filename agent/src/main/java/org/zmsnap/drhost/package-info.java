/**
 * The DR host's own jobs for each of its {@code sources}: pull (the DR host fetches through the mailbox host's
 * {@code zmsnap serve --send-only}), DR-side retention, and the status {@code zmsnap sources} shows. The mailbox
 * host has no credential here and cannot destroy anything: everything that removes a DR copy runs on this host.
 */
package org.zmsnap.drhost;
