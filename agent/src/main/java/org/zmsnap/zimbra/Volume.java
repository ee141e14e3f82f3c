package org.zmsnap.zimbra;

import java.nio.file.Path;

/** A row of the snapshot's zimbra.volume: where blobs lived (live path) and the bits of the path rule. */
public record Volume(int id, Path path, int fileBits, int fileGroupBits, int mailboxBits, int mailboxGroupBits) {}
