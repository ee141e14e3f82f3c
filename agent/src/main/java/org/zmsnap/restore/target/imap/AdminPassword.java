package org.zmsnap.restore.target.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code restore.imap.admin-password-file}: the password is its first line, without surrounding blanks. */
public final class AdminPassword {
    private AdminPassword() {}

    public static String read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        return (nl < 0 ? text : text.substring(0, nl)).strip();
    }
}
