package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamHeaderTest {
    /** A DRR_BEGIN record's first bytes, as zfs send writes them on a host of this byte order. */
    static byte[] begin(ByteOrder order, long versioninfo, int payloadLen) {
        return begin(order, versioninfo, payloadLen, 0);
    }

    /** The first 40 bytes of a DRR_BEGIN record: type, payload length, magic, versioninfo, creation, objset type, flags. */
    static byte[] begin(ByteOrder order, long versioninfo, int payloadLen, int flags) {
        return ByteBuffer.allocate(StreamHeader.LENGTH).order(order)
                .putInt(0).putInt(payloadLen).putLong(0x2F5BACBACL).putLong(versioninfo).putLong(1_700_000_000L)
                .putInt(2).putInt(flags).array();
    }

    @Test
    void plainStreamsAreTellFromStreamsCarryingProperties() {
        // As seen from zfs-fuse here: 'zfs send' (versioninfo 0x1) and 'zfs send -p' / '-R' (0x2, with a payload).
        assertEquals(StreamHeader.Kind.PLAIN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0), 40));
        assertEquals(StreamHeader.Kind.WITH_PROPERTIES, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x2, 0x264), 40));
        // 'zfs send -I' without -p: a compound header with no nvlist (drr_payloadlen 0), then the substreams.
        assertEquals(StreamHeader.Kind.PACKAGE, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x2, 0), 40));
        // OpenZFS puts feature flags above the header type (e.g. compressed, large blocks, resuming).
        assertEquals(StreamHeader.Kind.PLAIN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, (0x4L | 0x80000L) << 2 | 0x1, 0), 40));
        assertEquals(StreamHeader.Kind.WITH_PROPERTIES, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x4L << 2 | 0x2, 0x1f0), 40));
        // As seen from zfs-fuse: 'zfs send -i pool/a@1 pool/clone@x' (the clone's origin) sets DRR_FLAG_CLONE; CI_DATA and
        // FREERECORDS (bits 1, 2) are ordinary.
        assertEquals(StreamHeader.Kind.CLONE, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0, 0x1), 40));
        assertEquals(StreamHeader.Kind.PLAIN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0, 0x6), 40));
        assertEquals(StreamHeader.Kind.CLONE, StreamHeader.of(begin(ByteOrder.BIG_ENDIAN, 0x1, 0, 0x1), 40));
        // A sender of the other byte order.
        assertEquals(StreamHeader.Kind.PLAIN, StreamHeader.of(begin(ByteOrder.BIG_ENDIAN, 0x1, 0), 40));
        assertEquals(StreamHeader.Kind.WITH_PROPERTIES, StreamHeader.of(begin(ByteOrder.BIG_ENDIAN, 0x2, 0x100), 40));
        assertEquals(StreamHeader.Kind.PACKAGE, StreamHeader.of(begin(ByteOrder.BIG_ENDIAN, 0x2, 0), 40));
    }

    @Test
    void onlyAPlainFilesystemStreamIsAccepted() {
        assertTrue(StreamHeader.accepted(StreamHeader.Kind.PLAIN));
        for (StreamHeader.Kind k : List.of(StreamHeader.Kind.PACKAGE, StreamHeader.Kind.WITH_PROPERTIES, StreamHeader.Kind.CLONE,
                StreamHeader.Kind.VOLUME, StreamHeader.Kind.UNKNOWN)) {
            assertFalse(StreamHeader.accepted(k), k.toString());
            assertFalse(StreamHeader.refusal(k).isEmpty());
        }
    }

    @Test
    void aVolumeStreamIsRefused() {
        byte[] zvol = ByteBuffer.wrap(begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0)).order(ByteOrder.LITTLE_ENDIAN).putInt(32, 3).array();
        assertEquals(StreamHeader.Kind.VOLUME, StreamHeader.of(zvol, 40));
    }

    @Test
    void anythingElseIsUnknown() {
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of(new byte[40], 40));
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0), 39), "short");
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x3, 0), 40));
        byte[] notBegin = begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0);
        notBegin[0] = 1;
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of(notBegin, 40));
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of("#!/bin/sh\nrm -rf / # padded to more than forty bytes".getBytes(), 40));
    }
}
