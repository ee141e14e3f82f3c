package org.zmsnap.replication;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The first record of a {@code zfs send} stream, read before anything reaches {@code zfs receive}: a
 * {@code DRR_BEGIN} record (type 0) whose {@code drr_magic} is {@code 0x2F5BACBAC} in the sender's byte order,
 * and whose {@code drr_versioninfo} low two bits say the header type: 1 a plain stream of one snapshot (what
 * {@code zfs send} without {@code -p}/{@code -R} makes, full, incremental or resumed), 2 a compound stream
 * ({@code -p}, {@code -R}) that carries dataset properties such as {@code mountpoint}. Its {@code drr_flags} bit 0
 * ({@code DRR_FLAG_CLONE}) marks a clone stream, received as a clone of an origin found by GUID — possibly another
 * root's snapshot, which the clone would then pin. Pure.
 */
public final class StreamHeader {
    /** Bytes needed to decide: drr_type, drr_payloadlen, drr_magic, drr_versioninfo, drr_creation_time, drr_type, drr_flags. */
    public static final int LENGTH = 40;
    private static final int DRR_FLAG_CLONE = 1;
    /** drr_begin.drr_type: the objset type; 2 is a filesystem (3 a volume). */
    private static final int DMU_OST_ZFS = 2;
    private static final long MAGIC = 0x2F5BACBACL;
    private static final int SUBSTREAM = 1;
    private static final int COMPOUND = 2;

    public enum Kind {
        /** One dataset's snapshot, no properties: received. */
        PLAIN,
        /** Carries properties (and maybe several datasets): refused. */
        WITH_PROPERTIES,
        /**
         * A package of incrementals without properties in its header ({@code zfs send -I}): accepted only where the
         * receive pins properties with {@code -x}/{@code -o} (OpenZFS), since a nested header inside could carry some.
         */
        PACKAGE,
        /** A clone of a snapshot in another dataset: refused. */
        CLONE,
        /** A volume (zvol), not a filesystem: refused (its block device would appear on the DR host). */
        VOLUME,
        /** Not a zfs send stream this code knows. */
        UNKNOWN
    }

    private StreamHeader() {}

    public static Kind of(byte[] head, int length) {
        if (length < LENGTH) {
            return Kind.UNKNOWN;
        }
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            ByteBuffer b = ByteBuffer.wrap(head, 0, LENGTH).order(order);
            if (b.getInt(0) == 0 && b.getLong(8) == MAGIC) {
                int hdrtype = (int) (b.getLong(16) & 0x3);
                if (hdrtype == COMPOUND) {
                    // drr_payloadlen 0: no header nvlist, so no properties at this level — what 'zfs send -I' without
                    // -p/-R writes. Its substreams follow, and one of them could be a compound header of its own.
                    return b.getInt(4) == 0 ? Kind.PACKAGE : Kind.WITH_PROPERTIES;
                }
                if (hdrtype != SUBSTREAM) {
                    return Kind.UNKNOWN;
                }
                if (b.getInt(32) != DMU_OST_ZFS) {
                    return Kind.VOLUME;
                }
                return (b.getInt(36) & DRR_FLAG_CLONE) != 0 ? Kind.CLONE : Kind.PLAIN;
            }
        }
        return Kind.UNKNOWN;
    }

    /**
     * Whether a receive accepts this stream: only a plain filesystem stream of one snapshot. An {@code -I} package
     * is refused even where {@code -x}/{@code -o} pin some properties: a nested header inside it could carry any
     * other property (zmsnap's own marks among them) or rename the copy's snapshots, so zmsnap sends one
     * {@code -i} stream per snapshot instead.
     */
    public static boolean accepted(Kind k) {
        return k == Kind.PLAIN;
    }

    /** What a refusal says, for each kind that is refused. */
    public static String refusal(Kind k) {
        return switch (k) {
            case WITH_PROPERTIES -> "the stream carries dataset properties (zfs send -p or -R); this receiver accepts only"
                    + " plain streams (zfs send [-i|-I] SNAPSHOT), so that nothing sent can choose where a DR dataset mounts";
            case PACKAGE -> "the stream is a package of incrementals (zfs send -I), whose nested headers could carry"
                    + " properties or rename snapshots: send one plain 'zfs send -i' stream per snapshot (zmsnap does)";
            case VOLUME -> "the stream is of a volume (zvol), not a filesystem: its block device would appear on this host";
            case CLONE -> "the stream is a clone stream (its origin is a snapshot of another dataset); this receiver accepts"
                    + " only plain streams of one dataset's snapshots";
            case UNKNOWN -> "the input is not a zfs send stream";
            case PLAIN -> "";
        };
    }
}
