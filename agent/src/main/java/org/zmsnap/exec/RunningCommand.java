package org.zmsnap.exec;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** A started command whose stdin and stdout are streams (zfs send, zfs receive); stderr is collected. */
public interface RunningCommand extends AutoCloseable {
    OutputStream stdin();

    InputStream stdout();

    /** What the command wrote to stderr so far (bounded). */
    String stderr();

    /** Waits for the exit code; kills the command and throws {@link CommandTimeoutException} after {@code timeout}. */
    int waitFor(Duration timeout);

    /** Kills the command (and, locally, its descendants). */
    void kill();

    String display();

    @Override
    default void close() {
        kill();
    }
}
