package org.zmsnap.zimbra;

/** A folder with its path from USER_ROOT ("/Inbox/Проекты"). */
public record Folder(int id, int parentId, String path) {
    /** The path's segments, without the leading "/". */
    public java.util.List<String> segments() {
        return path.equals("/") ? java.util.List.of() : java.util.List.of(path.substring(1).split("/"));
    }
}
