package org.zmsnap.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.exec.LocalCommandRunner;

/**
 * The binding's own logic against fakes of libzfs_core and libnvpair (nvlists as opaque handles), and the rule for
 * when a snapshot call goes in-process. The ioctl itself is proven in the OpenZFS guest (LibZfsCoreOpenZfsIT).
 */
class LibZfsCoreTest {
    /** nvlists by handle: each an ordered map of name to value (null for a boolean). */
    static final class FakeNv implements LibZfsCore.NvPair {
        final Map<Long, LinkedHashMap<String, Object>> lists = new HashMap<>();
        final List<Long> freed = new ArrayList<>();
        long next = 1;
        boolean failAdds;

        long create(Map<String, Object> entries) {
            long id = next++;
            lists.put(id, new LinkedHashMap<>(entries));
            return id;
        }

        Map<String, Object> of(Pointer p) {
            return lists.get(Pointer.nativeValue(p));
        }

        @Override
        public int nvlist_alloc(PointerByReference nvlp, int nvflag, int kmflag) {
            nvlp.setValue(new Pointer(create(Map.of())));
            return 0;
        }

        @Override
        public void nvlist_free(Pointer nvl) {
            freed.add(Pointer.nativeValue(nvl));
        }

        @Override
        public int nvlist_add_boolean(Pointer nvl, String name) {
            if (failAdds) {
                return 12;
            }
            of(nvl).put(name, null);
            return 0;
        }

        @Override
        public int nvlist_add_string(Pointer nvl, String name, String value) {
            of(nvl).put(name, value);
            return 0;
        }

        // An nvpair handle: list id * 1000 + position + 1.
        @Override
        public Pointer nvlist_next_nvpair(Pointer nvl, Pointer nvp) {
            long list = Pointer.nativeValue(nvl);
            int pos = nvp == null ? 0 : (int) (Pointer.nativeValue(nvp) % 1000);
            return pos < lists.get(list).size() ? new Pointer(list * 1000 + pos + 1) : null;
        }

        private Map.Entry<String, Object> pair(Pointer nvp) {
            long v = Pointer.nativeValue(nvp);
            return new ArrayList<>(lists.get(v / 1000).entrySet()).get((int) (v % 1000) - 1);
        }

        @Override
        public String nvpair_name(Pointer nvp) {
            return pair(nvp).getKey();
        }

        @Override
        public int nvpair_value_int32(Pointer nvp, IntByReference val) {
            val.setValue((Integer) pair(nvp).getValue());
            return 0;
        }
    }

    /** lzc_snapshot that records what it was given and answers as told. */
    static final class FakeCore implements LibZfsCore.Core {
        final FakeNv nv;
        Map<String, Object> snaps;
        Map<String, Object> props;
        int rc;
        Map<String, Object> errors;
        long sleepMs;

        FakeCore(FakeNv nv) {
            this.nv = nv;
        }

        @Override
        public int libzfs_core_init() {
            return 0;
        }

        @Override
        public int lzc_snapshot(Pointer snaps, Pointer props, PointerByReference errlist) {
            this.snaps = new HashMap<>(nv.of(snaps)); // booleans: null values
            this.props = props == null ? null : new HashMap<>(nv.of(props));
            if (errors != null) {
                errlist.setValue(new Pointer(nv.create(errors)));
            }
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rc;
        }
    }

    private final FakeNv nv = new FakeNv();
    private final FakeCore core = new FakeCore(nv);
    private final LibZfsCore lib = new LibZfsCore(core, nv, "libzfs_core.so.3");
    private static final List<SnapshotName> SET = List.of(SnapshotName.parse("tank/zimbra/db@t"), SnapshotName.parse("tank/zimbra/store@t"));

    @Test
    void theSetGoesInOneCallWithItsUserPropertiesAndEveryListIsFreedOnce() {
        lib.snapshot(SET, Map.of("org.zmsnap:datasets", "2"), Duration.ofSeconds(5));
        assertEquals(java.util.Set.of("tank/zimbra/db@t", "tank/zimbra/store@t"), core.snaps.keySet());
        assertEquals(Map.of("org.zmsnap:datasets", "2"), core.props);
        assertEquals(List.of(1L, 2L), nv.freed.stream().sorted().toList(), "the names' and the properties' lists, each once");
    }

    @Test
    void withoutPropertiesNoPropertyListIsPassed() {
        lib.snapshot(SET, Map.of(), Duration.ofSeconds(5));
        assertNull(core.props);
        assertEquals(List.of(1L), nv.freed);
    }

    @Test
    void aRefusalNamesEachSnapshotTheKernelNamedAndFreesItsErrorList() {
        core.rc = 17;
        Map<String, Object> errors = new LinkedHashMap<>();
        errors.put("tank/zimbra/db@t", 17);
        errors.put(LibZfsCore.MORE_ERRORS, 3);
        core.errors = errors;
        ZfsException e = assertThrows(ZfsException.class, () -> lib.snapshot(SET, Map.of(), Duration.ofSeconds(5)));
        assertEquals("zfs snapshot [tank/zimbra/db@t, tank/zimbra/store@t] failed (libzfs_core): tank/zimbra/db@t: errno 17 "
                + "(EEXIST, a snapshot of that name exists); and 3 more", e.getMessage());
        assertEquals(List.of(1L, 2L), nv.freed.stream().sorted().toList(), "the names' list and the kernel's error list");
    }

    @Test
    void aRefusalWithoutAnErrorListSaysTheReturnedErrno() {
        core.rc = 18;
        ZfsException e = assertThrows(ZfsException.class, () -> lib.snapshot(SET, Map.of(), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().endsWith("failed (libzfs_core): errno 18 (EXDEV, the snapshots are not all in one pool)"), e.getMessage());
    }

    @Test
    void aListThatCannotBeBuiltIsFreedAndNothingIsCalled() {
        nv.failAdds = true;
        ZfsException e = assertThrows(ZfsException.class, () -> lib.snapshot(SET, Map.of(), Duration.ofSeconds(5)));
        assertEquals("nvlist_add_boolean failed: errno 12 (ENOMEM, out of memory)", e.getMessage());
        assertNull(core.snaps, "lzc_snapshot was not called");
        assertEquals(List.of(1L), nv.freed);
    }

    @Test
    void anIoctlThatOutlivesItsBoundIsGivenUpAndSaidToMayStillAppear() {
        core.sleepMs = 2000;
        long t = System.nanoTime();
        ZfsException e = assertThrows(SnapshotStillRunningException.class, () -> lib.snapshot(SET, Map.of(), Duration.ofMillis(100)));
        assertTrue(System.nanoTime() - t < 1_500_000_000L, "returned at the bound, not when the call ended");
        assertEquals("lzc_snapshot [tank/zimbra/db@t, tank/zimbra/store@t] did not return within 100 ms; the kernel finishes"
                + " or fails it on its own, so the set may still appear", e.getMessage());
    }

    @Test
    void errnoIsSaidInWordsAnOperatorCanActOn() {
        assertEquals("errno 17 (EEXIST, a snapshot of that name exists)", LibZfsCore.Errno.describe(17));
        assertEquals("errno 200 (see errno(3))", LibZfsCore.Errno.describe(200));
    }

    @Test
    void aHostWithoutLibzfsCoreSaysWhatWasTried() {
        LibZfsCore.Probe p = LibZfsCore.probe();
        assumeTrue(p instanceof LibZfsCore.Probe.Absent, "this host has libzfs_core");
        LibZfsCore.Probe.Absent a = (LibZfsCore.Probe.Absent) p;
        assertTrue(a.why().startsWith("no usable libzfs_core on this host: libzfs_core.so.3 ("), a.why());
        assertTrue(a.why().contains("; libzfs_core.so.1 ("), a.why());
    }

    // --- when a snapshot call goes in-process: Zfs's rule ---

    /** A runner on which {@code zfs version} answers as OpenZFS (or, with {@code openZfs} false, fails as zfs-fuse's). */
    private static CommandRunner zfsAnswering(boolean openZfs) {
        return c -> new CommandResult(c, openZfs ? 0 : 1, openZfs ? "zfs-2.1.11-1\nzfs-kmod-2.1.11-1\n" : "", "", Duration.ZERO);
    }

    private static Zfs.SnapshotCall call(Zfs zfs, boolean recursive, Map<String, String> props) {
        return zfs.snapshotCall(SET, recursive, props);
    }

    @Test
    void onOpenZfsANamedSetWithUserPropertiesGoesInProcessOtherCallsStartTheProgram() {
        AtomicInteger probes = new AtomicInteger();
        Supplier<LibZfsCore.Probe> probe = () -> {
            probes.incrementAndGet();
            return new LibZfsCore.Probe.Loaded(lib);
        };
        Zfs zfs = new Zfs(zfsAnswering(true), "zfs", Duration.ofSeconds(5)).withProbe(probe);
        assertEquals(Zfs.SnapshotCall.Via.LIBZFS_CORE, call(zfs, false, Map.of("org.zmsnap:datasets", "2")).via());
        assertEquals(Zfs.SnapshotCall.Via.ZFS_COMMAND, call(zfs, true, Map.of()).via(), "-r reads the subtree in the kernel");
        assertEquals(Zfs.SnapshotCall.Via.ZFS_COMMAND, call(zfs, false, Map.of("compression", "lz4")).via(),
                "lzc_snapshot takes user properties only");
        assertEquals(1, probes.get(), "probed once");
        zfs.snapshotNow(call(zfs, false, Map.of()), Duration.ofSeconds(5));
        assertEquals(2, core.snaps.size(), "the in-process call made the set");
    }

    @Test
    void withoutOpenZfsOrWhenTheProbeBreaksTheProgramIsUsed() {
        AtomicInteger probes = new AtomicInteger();
        Zfs fuse = new Zfs(zfsAnswering(false), "zfs", Duration.ofSeconds(5)).withProbe(() -> {
            probes.incrementAndGet();
            return new LibZfsCore.Probe.Loaded(lib);
        });
        assertEquals(Zfs.SnapshotCall.Via.ZFS_COMMAND, call(fuse, false, Map.of()).via());
        assertEquals(0, probes.get(), "zfs-fuse: the library is not even looked for");
        Zfs broken = new Zfs(zfsAnswering(true), "zfs", Duration.ofSeconds(5)).withProbe(() -> {
            throw new NoClassDefFoundError("com/sun/jna/Native");
        });
        Zfs.SnapshotCall c = call(broken, false, Map.of());
        assertEquals(Zfs.SnapshotCall.Via.ZFS_COMMAND, c.via(), "a probe that throws means the program, not a failed cycle");
        assertEquals(List.of("zfs", "snapshot", "tank/zimbra/db@t", "tank/zimbra/store@t"), c.argv());
    }

    @Test
    void aZfsThatDidNotAnswerOnceIsAskedAgainNotWrittenOffForGood() {
        AtomicInteger asked = new AtomicInteger();
        CommandRunner flaky = c -> {
            if (asked.incrementAndGet() == 1) {
                throw new org.zmsnap.exec.CommandTimeoutException(c, "zfs version hung");
            }
            return new CommandResult(c, 0, "zfs-2.1.11-1\n", "", Duration.ZERO);
        };
        Zfs zfs = new Zfs(flaky, "zfs", Duration.ofSeconds(5)).withProbe(() -> new LibZfsCore.Probe.Loaded(lib));
        assertEquals(Zfs.SnapshotCall.Via.ZFS_COMMAND, call(zfs, false, Map.of()).via(), "this cycle: the program");
        assertEquals(Zfs.SnapshotCall.Via.LIBZFS_CORE, call(zfs, false, Map.of()).via(), "the next: asked again");
    }

    /** A script first on PATH under the plain name is the site's wrapper: the set goes through it, and check says why. */
    @Test
    void aScriptInstalledAsThePlainZfsKeepsSnapshotsInTheProgram(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path wrapper = dir.resolve("zfs");
        java.nio.file.Files.writeString(wrapper, "#!/bin/sh\nexec /usr/sbin/zfs \"$@\"\n");
        java.nio.file.Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        AtomicInteger loads = new AtomicInteger();
        Supplier<LibZfsCore.Probe> library = () -> {
            loads.incrementAndGet();
            return new LibZfsCore.Probe.Loaded(lib);
        };
        Zfs zfs = new Zfs(zfsAnswering(true), "zfs", Duration.ofSeconds(5))
                .withProbe(Zfs.unlessScript("zfs", dir + ":/usr/sbin", library));
        assertEquals(Zfs.SnapshotCall.Via.ZFS_COMMAND, call(zfs, false, Map.of()).via());
        assertTrue(zfs.snapshotRoute().contains(wrapper + " is a script, taken for a site's wrapper"), zfs.snapshotRoute());
        assertEquals(0, loads.get(), "the library is not even loaded");
    }

    @Test
    void onlyThisHostsPlainZfsMaySnapshotInProcess() {
        CommandRunner local = new LocalCommandRunner();
        Duration t = Duration.ofSeconds(5);
        assertTrue(new Zfs(local, "zfs", t).withLibZfsCore().mayUseLibZfsCore());
        assertTrue(new Zfs(local, "/usr/sbin/zfs", t).withLibZfsCore().mayUseLibZfsCore());
        assertFalse(new Zfs(local, "/usr/local/bin/zfs-audit", t).withLibZfsCore().mayUseLibZfsCore(), "a site's wrapper stays");
        assertFalse(new Zfs(local, "/opt/site/bin/zfs", t).withLibZfsCore().mayUseLibZfsCore(), "a wrapper named zfs too");
        assertFalse(new Zfs(zfsAnswering(true), "zfs", t).withLibZfsCore().mayUseLibZfsCore(), "another host's ZFS (SSH)");
        assertFalse(new Zfs(local, "zfs", t).mayUseLibZfsCore(), "only when asked (libzfs-core: auto)");
    }
}
