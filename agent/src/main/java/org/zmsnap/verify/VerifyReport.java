package org.zmsnap.verify;

import java.util.List;

/**
 * What verifying one set found.
 *
 * @param items          message, document and appointment rows checked (located, existence and size)
 * @param bytesRead      blob bytes read from the clones (as stored, i.e. compressed for gzip blobs)
 * @param digestsChecked blobs whose digest was compared with the row's
 */
public record VerifyReport(String tag, VerifyMode mode, int mailboxes, long items, long bytesRead, long digestsChecked,
                           long millis, List<Problem> problems) {
    public VerifyReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The sandbox database did not come up: nothing else could be checked. */
    public static VerifyReport databaseDown(String tag, VerifyMode mode, long millis, String detail) {
        return new VerifyReport(tag, mode, 0, 0, 0, 0, millis, List.of(Problem.database(detail)));
    }
}
