package org.zmsnap.exec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One frame of a serve session ({@link SessionClient}, {@link SessionServer}): many commands of one replication run
 * through one {@code zmsnap serve} process on one SSH channel, instead of a channel and a JVM per command.
 *
 * <p>On the wire: a type byte, the request id (int), the payload length (int), the payload. Requests are numbered by
 * the client; frames of different requests interleave, frames of one request keep their order.
 *
 * @param type    one of the constants below
 * @param id      the request this frame belongs to (0 for the hello)
 * @param payload its bytes (command line, stream data, exit status, acknowledged byte count)
 */
public record SessionFrame(byte type, int id, byte[] payload) {
    /** The command line a client sends to ask for a session instead of one command (SSH_ORIGINAL_COMMAND). */
    public static final String REQUEST = "zmsnap-session 1";
    /** The first frame of a session, from the server: proof the other end speaks this protocol (a shell does not). */
    public static final String HELLO = "zmsnap serve session 1";

    // client -> server
    /** Start a command: the payload is the command line, as a one-command call would send it. */
    public static final byte OPEN = 'O';
    /** Bytes for the command's stdin. */
    public static final byte DATA = 'D';
    /** The command's stdin ends. */
    public static final byte END = 'E';
    /** Kill the command. */
    public static final byte KILL = 'K';
    // server -> client
    public static final byte HELLO_TYPE = 'H';
    /** Bytes the command wrote to stdout. */
    public static final byte STDOUT = 'o';
    /** Bytes the command (or the server's refusal) wrote to stderr. */
    public static final byte STDERR = 'e';
    /** How many stdin bytes the server has handed to the command: the client may send that many more. */
    public static final byte ACK = 'a';
    /** The command ended: the payload is its exit status; nothing follows for this id. */
    public static final byte EXIT = 'x';

    /** Stream data goes in frames of at most this much, so one stream does not hold the channel for long. */
    public static final int CHUNK = 32 * 1024;
    /**
     * A frame larger than this ends the session: neither side buffers what a hostile peer announces. Room for a
     * command line with a resume token; stream data never comes in frames larger than {@link #CHUNK}.
     */
    public static final int MAX_PAYLOAD = 64 * 1024;
    /**
     * What one DATA frame counts against a command's stdin window besides its payload: a flood of tiny frames costs
     * the server a queue entry each, so the window bounds the frames as well as the bytes.
     */
    public static final int FRAME_COST = 256;

    /** What a DATA frame of {@code length} bytes counts against the window (and is acknowledged with). */
    public static int cost(int length) {
        return length + FRAME_COST;
    }

    /** The payload of an EXIT or ACK frame ({@link #intValue} reads it back). */
    public static byte[] intPayload(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The payload as an int (EXIT, ACK); a payload of another length is a protocol error. */
    public int intValue() throws IOException {
        if (payload.length != 4) {
            throw new IOException("session protocol error: frame '" + (char) type + "' with " + payload.length + " bytes, not 4");
        }
        return ByteBuffer.wrap(payload).getInt();
    }

    /** The next frame, or null at a clean end of the stream (between frames). */
    public static SessionFrame read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        try {
            int id = in.readInt();
            int length = in.readInt();
            if (length < 0 || length > MAX_PAYLOAD) {
                throw new IOException("session protocol error: a frame of " + length + " bytes (at most " + MAX_PAYLOAD + ")");
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new SessionFrame((byte) type, id, payload);
        } catch (EOFException e) {
            throw new IOException("session protocol error: the stream ended inside a frame", e);
        }
    }

    /** Writes and flushes one frame from part of a buffer; callers serialise writers (one channel, whole frames). */
    public static void write(DataOutputStream out, byte type, int id, byte[] b, int off, int len) throws IOException {
        out.writeByte(type);
        out.writeInt(id);
        out.writeInt(len);
        out.write(b, off, len);
        out.flush();
    }
}
