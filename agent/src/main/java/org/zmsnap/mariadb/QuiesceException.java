package org.zmsnap.mariadb;

/** MariaDB could not be used at all (unreachable, login refused, missing privilege): no snapshot should be taken. */
public final class QuiesceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QuiesceException(String message, Throwable cause) {
        super(message, cause);
    }
}
