package org.zmsnap.config;

/**
 * An enum whose constants are written in the YAML by a name of their own ({@code backup-stage}, {@code off}):
 * {@link YamlMap#choice} reads it, and refuses any other value listing the names, in declaration order.
 */
public interface ConfigName {
    String configName();
}
