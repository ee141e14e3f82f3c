package org.zmsnap.zfs;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.zmsnap.runtime.DaemonThreads;

/**
 * OpenZFS's {@code lzc_snapshot} from libzfs_core, called in this process through JNA: the whole set in one ioctl,
 * with no {@code zfs} program to start. Inside the database lock window that start is most of the snapshot call's
 * cost where a process start is dear (docs/benchmarks.md, the OpenZFS guest); the ioctl is the one {@code zfs
 * snapshot a@t b@t} makes, so the set is as atomic as the command's. Only non-recursive calls, and only user
 * properties ({@code lzc_snapshot} takes no others): what {@link Zfs#snapshotCall} builds for an OpenZFS plan.
 *
 * <p>libzfs_core's interface (lzc_snapshot, libnvpair's nvlist calls) has kept its signatures since ZFS on Linux
 * 0.6.4. The library is found by its soname only (never an unversioned name that could pick an unknown ABI), and
 * the nvlist calls are bound through the same handle, so they are the libnvpair that very libzfs_core links: nvlists
 * are never built by one copy and read by another.
 */
public final class LibZfsCore {
    private static final int NV_UNIQUE_NAME = 1;
    /** OpenZFS 2.x, then 0.8. */
    private static final List<String> SONAMES = List.of("libzfs_core.so.3", "libzfs_core.so.1");
    /** The errlist's entry counting errors it had no room to name (libzfs_core.c). */
    static final String MORE_ERRORS = "N_MORE_ERRORS";

    interface Core extends Library {
        int libzfs_core_init();

        int lzc_snapshot(Pointer snaps, Pointer props, PointerByReference errlist);
    }

    interface NvPair extends Library {
        int nvlist_alloc(PointerByReference nvlp, int nvflag, int kmflag);

        void nvlist_free(Pointer nvl);

        int nvlist_add_boolean(Pointer nvl, String name);

        int nvlist_add_string(Pointer nvl, String name, String value);

        Pointer nvlist_next_nvpair(Pointer nvl, Pointer nvp);

        String nvpair_name(Pointer nvp);

        int nvpair_value_int32(Pointer nvp, IntByReference val);
    }

    /** The library as loaded, or why it is not used. */
    public sealed interface Probe {
        record Loaded(LibZfsCore library) implements Probe {}

        record Absent(String why) implements Probe {}
    }

    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    private final Core core;
    private final NvPair nv;
    private final String soname;
    // The ioctl cannot be interrupted; a call that outlives its bound is left to finish on its own thread. One thread
    // is started with the library and never retires, so a cycle's call (minutes apart) starts no thread under the
    // lock; only while that one is stuck in a hung ioctl does a call get a new one (idle extras retire after a
    // minute). Daemon threads: nothing to close.
    private final ThreadPoolExecutor calls = new ThreadPoolExecutor(1, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), DaemonThreads.named("zmsnap-lzc-snapshot"));

    LibZfsCore(Core core, NvPair nv, String soname) {
        this.core = core;
        this.nv = nv;
        this.soname = soname;
        calls.prestartCoreThread();
    }

    /**
     * Loads libzfs_core, binds every call used here (a missing symbol shows now, not under the lock), opens
     * {@code /dev/zfs} ({@code libzfs_core_init}) and builds and frees one nvlist.
     */
    public static Probe probe() {
        List<String> tried = new ArrayList<>();
        for (String name : SONAMES) {
            LibZfsCore lib;
            try {
                NativeLibrary handle = NativeLibrary.getInstance(name);
                for (Class<?> bound : List.of(Core.class, NvPair.class)) {
                    for (java.lang.reflect.Method f : bound.getDeclaredMethods()) {
                        handle.getFunction(f.getName()); // every call the interfaces bind, looked up now
                    }
                }
                lib = new LibZfsCore(Native.load(name, Core.class), Native.load(name, NvPair.class), name);
            } catch (LinkageError e) {
                tried.add(name + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
                continue;
            }
            int init = lib.core.libzfs_core_init();
            if (init != 0) {
                return new Probe.Absent("libzfs_core_init failed: " + Errno.describe(init) + " (is /dev/zfs there and readable?)");
            }
            lib.nv.nvlist_free(lib.alloc());
            return new Probe.Loaded(lib);
        }
        return new Probe.Absent("no usable libzfs_core on this host: " + String.join("; ", tried));
    }

    /** The library's name as it was loaded, for the log. */
    public String soname() {
        return soname;
    }

    /**
     * Creates every snapshot in one ioctl, with the given user properties on each, or none of them.
     *
     * @throws ZfsException what failed, per snapshot where the kernel said which; or that the bound was spent: before
     *                      the ioctl started (then it never does), or while it ran (it then finishes or fails in the
     *                      kernel on its own, as after a killed {@code zfs snapshot}: the set may still appear)
     */
    public void snapshot(List<SnapshotName> names, Map<String, String> properties, Duration timeout) {
        AtomicInteger state = new AtomicInteger(PENDING);
        Future<String> call = calls.submit(() -> state.compareAndSet(PENDING, RUNNING) ? snapshotHere(names, properties) : "");
        String failure;
        try {
            failure = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (state.compareAndSet(PENDING, ABANDONED)) {
                throw new ZfsException("lzc_snapshot " + names + " had not started within " + timeout.toMillis()
                        + " ms; it was not made");
            }
            throw new SnapshotStillRunningException("lzc_snapshot " + names + " did not return within " + timeout.toMillis()
                    + " ms; the kernel finishes or fails it on its own, so the set may still appear");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ZfsException z ? z
                    : new ZfsException("lzc_snapshot " + names + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (state.compareAndSet(PENDING, ABANDONED)) {
                throw new ZfsException("interrupted before lzc_snapshot " + names + " started; it was not made");
            }
            throw new SnapshotStillRunningException("interrupted while waiting for lzc_snapshot " + names
                    + "; the kernel finishes or fails it on its own, so the set may still appear");
        }
        if (!failure.isEmpty()) {
            throw new ZfsException("zfs snapshot " + names + " failed (libzfs_core): " + failure);
        }
    }

    /** Empty when every snapshot was made; else what went wrong. */
    String snapshotHere(List<SnapshotName> names, Map<String, String> properties) {
        Pointer snaps = alloc();
        Pointer props = null;
        PointerByReference errs = new PointerByReference();
        try {
            for (SnapshotName n : names) {
                check(nv.nvlist_add_boolean(snaps, n.toString()), "nvlist_add_boolean");
            }
            if (!properties.isEmpty()) {
                props = alloc();
                for (Map.Entry<String, String> p : properties.entrySet()) {
                    check(nv.nvlist_add_string(props, p.getKey(), p.getValue()), "nvlist_add_string");
                }
            }
            int rc = core.lzc_snapshot(snaps, props, errs);
            if (rc == 0) {
                return "";
            }
            List<String> each = perSnapshot(errs.getValue());
            return each.isEmpty() ? Errno.describe(rc) : String.join("; ", each);
        } finally {
            nv.nvlist_free(snaps);
            if (props != null) {
                nv.nvlist_free(props);
            }
            if (errs.getValue() != null) {
                nv.nvlist_free(errs.getValue()); // lzc_snapshot sets it NULL first; the caller owns what it returns
            }
        }
    }

    private List<String> perSnapshot(Pointer errlist) {
        List<String> out = new ArrayList<>();
        if (errlist == null) {
            return out;
        }
        IntByReference err = new IntByReference();
        for (Pointer p = nv.nvlist_next_nvpair(errlist, null); p != null; p = nv.nvlist_next_nvpair(errlist, p)) {
            String name = nv.nvpair_name(p);
            boolean read = nv.nvpair_value_int32(p, err) == 0;
            if (name.equals(MORE_ERRORS)) {
                out.add("and " + (read ? err.getValue() : "more") + " more");
            } else {
                out.add(name + ": " + (read ? Errno.describe(err.getValue()) : "failed"));
            }
        }
        return out;
    }

    private Pointer alloc() {
        PointerByReference ref = new PointerByReference();
        check(nv.nvlist_alloc(ref, NV_UNIQUE_NAME, 0), "nvlist_alloc");
        return ref.getValue();
    }

    private static void check(int rc, String call) {
        if (rc != 0) {
            throw new ZfsException(call + " failed: " + Errno.describe(rc));
        }
    }

    /** The errno values a snapshot ioctl returns, in words an operator can act on. */
    static final class Errno {
        private static final Map<Integer, String> TEXT = Map.ofEntries(
                Map.entry(1, "EPERM, not permitted (run as root, or 'zfs allow snapshot')"),
                Map.entry(2, "ENOENT, the dataset does not exist"),
                Map.entry(5, "EIO, I/O error"),
                Map.entry(7, "E2BIG, a property value is too long"),
                Map.entry(12, "ENOMEM, out of memory"),
                Map.entry(13, "EACCES, permission denied"),
                Map.entry(16, "EBUSY, the dataset is busy"),
                Map.entry(17, "EEXIST, a snapshot of that name exists"),
                Map.entry(18, "EXDEV, the snapshots are not all in one pool"),
                Map.entry(22, "EINVAL, invalid name or property"),
                Map.entry(28, "ENOSPC, the pool is out of space"),
                Map.entry(30, "EROFS, the pool is read-only"),
                Map.entry(36, "ENAMETOOLONG, a snapshot name is too long"),
                Map.entry(95, "ENOTSUP, not supported by this pool's version"),
                Map.entry(122, "EDQUOT, a snapshot limit or quota is reached"));

        private Errno() {
        }

        static String describe(int errno) {
            return "errno " + errno + " (" + TEXT.getOrDefault(errno, "see errno(3)") + ")";
        }
    }
}
