package org.zmsnap.mariadb;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The global privileges in the lines of {@code SHOW GRANTS}: the current user's and its active role's grants
 * {@code ON *.*}. Grants on single databases or tables never give RELOAD, PROCESS or SUPER, so they are ignored.
 */
public final class Grants {
    /** Stands for {@code ALL PRIVILEGES}: every global privilege. */
    public static final String ALL = "ALL PRIVILEGES";
    private static final Pattern GLOBAL = Pattern.compile("^GRANT\\s+(.+?)\\s+ON\\s+\\*\\.\\*\\s+TO\\s", Pattern.CASE_INSENSITIVE);

    private Grants() {}

    public static Set<String> global(List<String> showGrantsLines) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : showGrantsLines) {
            Matcher m = GLOBAL.matcher(line.strip());
            if (!m.find()) {
                continue; // a role grant ("GRANT `r` TO `u`@`h`"), PROXY, or a database-level grant
            }
            for (String p : m.group(1).split(",")) {
                String name = p.strip().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
                out.add(name.equals("ALL") ? ALL : name);
            }
        }
        return out;
    }

    /** True when {@code granted} holds one of {@code anyOf}, or everything. */
    public static boolean has(Set<String> granted, Set<String> anyOf) {
        return granted.contains(ALL) || anyOf.stream().anyMatch(granted::contains);
    }
}
