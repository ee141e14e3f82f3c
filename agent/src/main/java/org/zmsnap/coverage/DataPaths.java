package org.zmsnap.coverage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What MariaDB says Zimbra's data lives in: the datadir, the InnoDB file directories, and every volume of
 * {@code zimbra.volume}. Read on a connection of its own, never on the lock session.
 *
 * @param warnings what could not be read but is no failure, e.g. a database without Zimbra's tables
 */
public record DataPaths(List<DataPath> paths, List<String> warnings) {
    private static final int ER_NO_SUCH_TABLE = 1146;
    private static final int ER_BAD_DB = 1049;
    /** zimbra.volume.type: 1 primary message, 2 secondary message (HSM), 10 index. */
    private static final int INDEX_VOLUME = 10;
    /** zimbra.volume.store_type 2: an external object store; its path is not where the blobs are. */
    private static final int EXTERNAL_STORE = 2;

    public DataPaths {
        paths = List.copyOf(paths);
        warnings = List.copyOf(warnings);
    }

    public static DataPaths read(Connection c) throws SQLException {
        List<DataPath> paths = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT @@datadir, @@innodb_data_home_dir, @@innodb_log_group_home_dir,"
                    + " @@innodb_undo_directory")) {
                rs.next();
                String datadir = rs.getString(1);
                paths.add(new DataPath("MariaDB datadir (@@datadir)", DataPath.Role.DATABASE, datadir));
                innodb(paths, "InnoDB system tablespace directory (@@innodb_data_home_dir)", datadir, rs.getString(2));
                innodb(paths, "InnoDB redo log directory (@@innodb_log_group_home_dir)", datadir, rs.getString(3));
                innodb(paths, "InnoDB undo directory (@@innodb_undo_directory)", datadir, rs.getString(4));
            }
            try (ResultSet rs = s.executeQuery("SELECT * FROM zimbra.volume ORDER BY id")) {
                ResultSetMetaData md = rs.getMetaData();
                Set<String> columns = new HashSet<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    columns.add(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT));
                }
                while (rs.next()) {
                    if (columns.contains("store_type") && rs.getInt("store_type") == EXTERNAL_STORE) {
                        continue;
                    }
                    int type = rs.getInt("type");
                    boolean index = type == INDEX_VOLUME;
                    paths.add(new DataPath((index ? "index" : "message") + " volume " + rs.getInt("id") + " '"
                            + rs.getString("name") + "' (zimbra.volume)", index ? DataPath.Role.INDEX : DataPath.Role.MESSAGES,
                            rs.getString("path")));
                }
            } catch (SQLException e) {
                if (e.getErrorCode() != ER_NO_SUCH_TABLE && e.getErrorCode() != ER_BAD_DB) {
                    throw e;
                }
                warnings.add("zimbra.volume does not exist in this database (not a Zimbra database?): message and index"
                        + " volumes were not checked");
            }
        }
        return new DataPaths(paths, warnings);
    }

    /** An empty InnoDB directory setting means the datadir; a relative one is relative to the datadir. */
    private static void innodb(List<DataPath> paths, String what, String datadir, String value) {
        Optional<String> v = Optional.ofNullable(value).map(String::strip).filter(x -> !x.isEmpty() && !x.equals("./") && !x.equals("."));
        if (v.isEmpty()) {
            return;
        }
        String p = v.get().startsWith("/") ? v.get() : datadir + (datadir.endsWith("/") ? "" : "/") + v.get();
        paths.add(new DataPath(what, DataPath.Role.DATABASE, p));
    }
}
