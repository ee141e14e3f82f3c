package org.zmsnap.zfs;

import java.util.regex.Pattern;

/**
 * A validated ZFS filesystem name such as {@code tank/zimbra/store}. Validation is stricter than
 * ZFS's own (no spaces, no leading '-') because names reach command lines, local and remote.
 */
public record DatasetName(String value) {
    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*");

    public DatasetName {
        if (value == null || value.isEmpty() || value.length() > 255) {
            throw new IllegalArgumentException("invalid dataset name '" + value + "': empty or longer than 255");
        }
        for (String c : value.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches()) {
                throw new IllegalArgumentException("invalid dataset name '" + value
                        + "': each component must start with a letter or digit and use only letters, digits, _ . : -");
            }
        }
    }

    public static DatasetName of(String value) {
        return new DatasetName(value);
    }

    public String pool() {
        int slash = value.indexOf('/');
        return slash < 0 ? value : value.substring(0, slash);
    }

    /** The name without its pool, e.g. {@code zimbra/store}; empty for a pool's root dataset. */
    public String withoutPool() {
        int slash = value.indexOf('/');
        return slash < 0 ? "" : value.substring(slash + 1);
    }

    public boolean isAncestorOf(DatasetName other) {
        return other.value.startsWith(value + "/");
    }

    public java.util.Optional<DatasetName> parent() {
        int slash = value.lastIndexOf('/');
        return slash < 0 ? java.util.Optional.empty() : java.util.Optional.of(new DatasetName(value.substring(0, slash)));
    }

    public DatasetName child(String relative) {
        return new DatasetName(value + "/" + relative);
    }

    public SnapshotName at(String snapshot) {
        return new SnapshotName(this, snapshot);
    }

    @Override
    public String toString() {
        return value;
    }
}
