package org.zmsnap.config;

/** The configuration is invalid. The message names the key's path (e.g. {@code mariadb.lock-budget}) and the line. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;

    public ConfigException(String path, String message) {
        super((path.isEmpty() ? "" : path + ": ") + message);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
