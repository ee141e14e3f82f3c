package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class StreamHeaderTest {
    /** The first 24 bytes of a DRR_BEGIN record, as zfs send writes them on a host of this byte order. */
    static byte[] begin(ByteOrder order, long versioninfo, int payloadLen) {
        return ByteBuffer.allocate(StreamHeader.LENGTH).order(order)
                .putInt(0).putInt(payloadLen).putLong(0x2F5BACBACL).putLong(versioninfo).array();
    }

    @Test
    void plainStreamsAreTellFromStreamsCarryingProperties() {
        // As seen from zfs-fuse here: 'zfs send' (versioninfo 0x1) and 'zfs send -p' / '-R' (0x2, with a payload).
        assertEquals(StreamHeader.Kind.PLAIN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0), 24));
        assertEquals(StreamHeader.Kind.WITH_PROPERTIES, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x2, 0x264), 24));
        // OpenZFS puts feature flags above the header type (e.g. compressed, large blocks, resuming).
        assertEquals(StreamHeader.Kind.PLAIN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, (0x4L | 0x80000L) << 2 | 0x1, 0), 24));
        assertEquals(StreamHeader.Kind.WITH_PROPERTIES, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x4L << 2 | 0x2, 0), 24));
        // A sender of the other byte order.
        assertEquals(StreamHeader.Kind.PLAIN, StreamHeader.of(begin(ByteOrder.BIG_ENDIAN, 0x1, 0), 24));
        assertEquals(StreamHeader.Kind.WITH_PROPERTIES, StreamHeader.of(begin(ByteOrder.BIG_ENDIAN, 0x2, 0), 24));
    }

    @Test
    void anythingElseIsUnknown() {
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of(new byte[24], 24));
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0), 23), "short");
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of(begin(ByteOrder.LITTLE_ENDIAN, 0x3, 0), 24));
        byte[] notBegin = begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0);
        notBegin[0] = 1;
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of(notBegin, 24));
        assertEquals(StreamHeader.Kind.UNKNOWN, StreamHeader.of("#!/bin/sh\nrm -rf / # padding!!".getBytes(), 24));
    }
}
