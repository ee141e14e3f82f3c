package org.zmsnap.salvage;

import java.nio.file.Path;

/**
 * What one {@link SalvageExporter#export} wrote: the directory, its manifest, how many items of each kind and
 * their bytes on disk. Items that could not be read are not counted; the manifest lists them under "problems".
 *
 * @param appointments appointments and tasks
 */
public record SalvageReport(Path dir, Path manifest, int messages, int contacts, int appointments, int documents, long bytes) {
    public int items() {
        return messages + contacts + appointments + documents;
    }
}
