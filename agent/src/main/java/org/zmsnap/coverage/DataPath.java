package org.zmsnap.coverage;

/**
 * A place Zimbra keeps data a restore needs, as MariaDB reports it.
 *
 * @param what for messages: e.g. {@code MariaDB datadir (@@datadir)}, {@code message volume 1 'message1'}
 * @param role which of the recommended datasets it belongs on
 * @param path absolute, as configured (symlinks not yet resolved)
 */
public record DataPath(String what, Role role, String path) {
    public enum Role {
        DATABASE("db"), MESSAGES("store"), INDEX("index");

        /** The last component of the dataset the recommended layout puts this on. */
        public final String datasetLeaf;

        Role(String datasetLeaf) {
            this.datasetLeaf = datasetLeaf;
        }
    }
}
