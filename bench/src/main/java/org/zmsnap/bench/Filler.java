package org.zmsnap.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Writes incompressible filler files (fresh pseudo-random bytes, no repeats) into a directory. */
final class Filler {
    private Filler() {}

    /** Writes {@code totalBytes} as files of at most {@code fileBytes}; returns the bytes written. */
    static long write(Path dir, long totalBytes, long fileBytes, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        long written = 0;
        for (int f = 0; written < totalBytes; f++) {
            long inFile = Math.min(fileBytes, totalBytes - written);
            try (OutputStream out = Files.newOutputStream(dir.resolve(String.format("filler-%05d", f)))) {
                for (long done = 0; done < inFile; ) {
                    for (int i = 0; i < chunk.length; i += 8) {
                        long r = rng.nextLong();
                        for (int b = 0; b < 8; b++) {
                            chunk[i + b] = (byte) (r >>> (8 * b));
                        }
                    }
                    int n = (int) Math.min(chunk.length, inFile - done);
                    out.write(chunk, 0, n);
                    done += n;
                }
            }
            written += inFile;
        }
        return written;
    }
}
