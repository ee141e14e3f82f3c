package org.zmsnap.check;

/**
 * One line of {@code zmsnap check}: what was checked, what was found, and for a warning or failure what to do.
 *
 * @param area   the part of the config it belongs to: "mariadb", "datasets", "target dr1", "restore", "source mbx1"
 * @param what   what was checked, e.g. "login", "privilege RELOAD", "host key"
 * @param detail what was found
 */
public sealed interface CheckResult {
    String area();

    String what();

    String detail();

    /** Empty for {@link Ok}. */
    String fix();

    record Ok(String area, String what, String detail) implements CheckResult {
        @Override
        public String fix() {
            return "";
        }
    }

    /** Works, but worse than it could, or not yet: the fix says how to make it ok. */
    record Warn(String area, String what, String detail, String fix) implements CheckResult {}

    /** Will not work until fixed. */
    record Fail(String area, String what, String detail, String fix) implements CheckResult {}

    /** "ok", "warn" or "fail". */
    default String level() {
        if (this instanceof Fail) {
            return "fail";
        }
        return this instanceof Warn ? "warn" : "ok";
    }
}
