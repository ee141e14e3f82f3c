package org.zmsnap.mariadb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.zmsnap.config.Credentials;
import org.zmsnap.config.MariaDbConfig;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandRunner;

/**
 * Opens dedicated, unpooled connections. Connector/J 3.x never reconnects on its own, which is what a
 * lock session needs: a reconnected session would silently no longer hold the lock.
 */
public final class DbConnector {
    private final MariaDbConfig config;
    private final CommandRunner runner;
    private volatile String password;

    public DbConnector(MariaDbConfig config, CommandRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    /** A new connection whose every network read gives up after {@code socketTimeout}. */
    public Connection open(Duration socketTimeout) {
        Properties p = new Properties();
        p.setProperty("user", config.user());
        p.setProperty("password", password());
        p.setProperty("connectTimeout", Long.toString(config.connectTimeout().toMillis()));
        p.setProperty("socketTimeout", Long.toString(socketTimeout.toMillis()));
        p.setProperty("tcpKeepAlive", "true");
        String url = config.socket().map(s -> "jdbc:mariadb://localhost/?localSocket=" + s).orElseGet(() -> config.url().orElseThrow());
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            throw new QuiesceException(explain(e), e);
        }
    }

    public String target() {
        return config.socket().map(s -> "socket " + s).orElseGet(() -> config.url().orElse("?"));
    }

    private String explain(SQLException e) {
        String where = target();
        if (config.socket().isPresent() && !Files.exists(config.socket().get())) {
            return "cannot connect to MariaDB: the socket " + config.socket().get()
                    + " does not exist (is mariadbd running? is mariadb.socket right?)";
        }
        if (e.getErrorCode() == 1045) {
            return "MariaDB refused the login of '" + config.user() + "' on " + where
                    + " (access denied): check mariadb.user and the password source";
        }
        return "cannot connect to MariaDB on " + where + ": " + e.getMessage();
    }

    private String password() {
        String p = password;
        if (p == null) {
            Credentials c = config.credentials();
            if (c instanceof Credentials.PasswordFile f) {
                p = readFile(f);
            } else if (c instanceof Credentials.ZimbraLocalConfig z) {
                p = runner.run(Command.of(Duration.ofSeconds(30), z.zmlocalconfigCommand(),
                        "-s", "-m", "nokey", "mysql_root_password")).orThrow().stdout().strip();
            } else {
                p = "";
            }
            password = p;
        }
        return p;
    }

    private static String readFile(Credentials.PasswordFile f) {
        try {
            String text = Files.readString(f.path(), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl < 0 ? text : text.substring(0, nl)).strip();
        } catch (IOException e) {
            throw new QuiesceException("cannot read the MariaDB password file " + f.path() + ": " + e.getMessage(), e);
        }
    }
}
