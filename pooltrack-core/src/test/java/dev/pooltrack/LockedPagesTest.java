package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.report.QueryReport;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** MDLs: real mlock/munlock, per-driver counters, and 0xCB at unload and at request completion. */
class LockedPagesTest {

    static final Tag BUFF = Tag.of("Buff");
    static final long PAGE = 4096;

    /** VmLck of this process in kB: what the kernel says is locked. */
    static long vmLckKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmLck:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmLck in /proc/self/status");
    }

    static PoolTrack pool(Response response) {
        return PoolTrack.create(VerifierSettings.poolTracking("a").withResponse(response));
    }

    @Test
    void lockAndUnlock_pinsAndReleasesPages_andCountsThem() throws IOException {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(8 * PAGE, PAGE);
            long before = vmLckKb();
            Mdl mdl = Mdl.allocate(a, buffer);
            assertThat(mdl.pageCount()).isEqualTo(8);
            mdl.lockPages();
            assertThat(vmLckKb() - before).isEqualTo(32);
            DriverCounters d = pool.snapshot().driver("a");
            assertThat(d.lockedPages()).isEqualTo(8);
            assertThat(d.lockedBytes()).isEqualTo(8 * PAGE);
            assertThat(QueryReport.text(pool.snapshot()))
                    .contains("LockedPages: 8\nLockedBytes: 32768\nPeakLockedBytes: 32768\n");

            mdl.unlockPages();
            assertThat(vmLckKb()).isEqualTo(before);
            d = pool.snapshot().driver("a");
            assertThat(d.lockedPages()).isZero();
            assertThat(d.peakLockedBytes()).isEqualTo(8 * PAGE);
            mdl.free();
        }
        a.unload();
        assertThat(pool.violations()).isEmpty();
    }

    @Test
    void unload_withPagesLocked_raises0xCB_withMdlPagesAndLocker_andUnlocks() throws IOException {
        PoolTrack pool = pool(Response.LOG);
        Driver a = pool.load("a");
        MemorySegment buffer = a.allocate(PoolType.NON_PAGED, 3 * PAGE, BUFF);
        long before = vmLckKb();
        Mdl mdl = Mdl.allocate(a, buffer);
        lockForTransfer(mdl);
        long pages = mdl.pageCount();
        assertThat(pages).isBetween(3L, 4L); // malloc'ed: 16-byte aligned, may straddle one more page
        a.free(buffer);

        a.unload();

        assertThat(pool.violations()).hasSize(1);
        Violation v = pool.violations().getFirst();
        assertThat(v.code()).isEqualTo(0xCB);
        assertThat(v.name()).isEqualTo("DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS");
        assertThat(v.driver()).isEqualTo("a");
        assertThat(v.arg(1).text())
                .startsWith(LockedPagesTest.class.getName() + ".lockForTransfer(LockedPagesTest.java:");
        assertThat(v.arg(2).text())
                .startsWith(LockedPagesTest.class.getName()
                        + ".unload_withPagesLocked_raises0xCB_withMdlPagesAndLocker_andUnlocks(");
        assertThat(v.arg(3).text()).isEqualTo(mdl.toString()).contains(String.format("0x%016x", buffer.address()));
        assertThat(v.arg(4).value()).isEqualTo(pages);
        assertThat(v.callSite().methodName()).isEqualTo("lockForTransfer");
        assertThat(mdl.isLocked()).isFalse();
        assertThat(vmLckKb()).isEqualTo(before);
        assertThat(pool.snapshot().driver("a").lockedPages()).isZero();
    }

    private static void lockForTransfer(Mdl mdl) {
        mdl.lockPages();
    }

    @Test
    void requestCompletion_withPagesLocked_raises0xCB() throws IOException {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(2 * PAGE, PAGE);
            long before = vmLckKb();
            IoRequest read = IoRequest.start(a, "read");
            Mdl mdl = read.allocateMdl(buffer);
            mdl.lockPages();
            assertThatThrownBy(read::complete).isInstanceOfSatisfying(DriverVerifierError.class, e -> {
                assertThat(e.violation().code()).isEqualTo(0xCB);
                assertThat(e.violation().arg(4).value()).isEqualTo(2);
                assertThat(e.violation().arg(3).text()).isEqualTo(mdl.toString());
            });
            assertThat(mdl.isLocked()).isFalse();
            assertThat(vmLckKb()).isEqualTo(before);
            read.complete(); // a second completion does nothing
            assertThat(pool.violations()).hasSize(1);
        }
        a.unload();
        assertThat(pool.violations()).hasSize(1); // nothing left locked at unload
    }

    @Test
    void requestCompletion_pagesUnlocked_noViolation() {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        try (Arena arena = Arena.ofConfined();
                IoRequest write = IoRequest.start(a, "write")) {
            Mdl mdl = write.allocateMdl(arena.allocate(PAGE, PAGE));
            mdl.lockPages();
            mdl.unlockPages();
        }
        assertThat(pool.violations()).isEmpty();
    }

    @Test
    void twoMdlsOnOnePage_unlockingOne_keepsThePageLocked() throws IOException {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(PAGE, PAGE);
            long before = vmLckKb();
            Mdl first = Mdl.allocate(a, page.asSlice(0, 100));
            Mdl second = Mdl.allocate(a, page.asSlice(200, 100));
            first.lockPages();
            second.lockPages();
            assertThat(vmLckKb() - before).isEqualTo(4);
            first.unlockPages();
            assertThat(vmLckKb() - before).isEqualTo(4);
            assertThat(pool.snapshot().driver("a").lockedPages()).isEqualTo(1);
            second.unlockPages();
            assertThat(vmLckKb()).isEqualTo(before);
        }
    }

    @Test
    void driverNotVerified_locksButIsNotChecked() throws IOException {
        PoolTrack pool = pool(Response.THROW);
        Driver b = pool.load("b");
        try (Arena arena = Arena.ofConfined()) {
            long before = vmLckKb();
            Mdl mdl = Mdl.allocate(b, arena.allocate(PAGE, PAGE));
            mdl.lockPages();
            assertThat(vmLckKb() - before).isEqualTo(4);
            assertThat(pool.snapshot().driver("b").lockedPages()).isZero();
            b.unload();
            assertThat(pool.violations()).isEmpty();
            mdl.unlockPages();
        }
    }

    @Test
    void misuse_isRefused() {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        try (Arena arena = Arena.ofConfined()) {
            Mdl mdl = Mdl.allocate(a, arena.allocate(PAGE, PAGE));
            assertThatThrownBy(mdl::unlockPages).hasMessageEndingWith("is not locked");
            mdl.lockPages();
            assertThatThrownBy(mdl::lockPages).hasMessageEndingWith("is locked already");
            assertThatThrownBy(mdl::free).hasMessageContaining("still has its pages locked");
            mdl.unlockPages();
        }
        assertThatThrownBy(() -> Mdl.allocate(a, MemorySegment.ofArray(new byte[10])))
                .hasMessageStartingWith("an MDL describes native memory");
    }

    /** The forked program: tries to lock 1 MiB, then prints what happened and VmLck. */
    public static final class LockOverLimit {
        public static void main(String[] args) throws IOException {
            PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("a"));
            Driver a = pool.load("a");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment small = arena.allocate(4 * PAGE, PAGE);
                Mdl held = Mdl.allocate(a, small);
                held.lockPages(); // 16 KiB of the 64 KiB limit
                Mdl big = Mdl.allocate(a, arena.allocate(256 * PAGE, PAGE));
                try {
                    big.lockPages();
                    System.out.println("locked");
                } catch (PageLockException e) {
                    System.out.println("refused errno=" + e.errno() + " limit=" + e.memlockLimit());
                    System.out.println(e.getMessage());
                }
                System.out.println("big locked: " + big.isLocked());
                System.out.println(
                        "driver pages: " + pool.snapshot().driver("a").lockedPages());
                System.out.println("VmLck kB: " + vmLckKb());
                held.unlockPages();
                System.out.println("VmLck kB after unlock: " + vmLckKb());
            }
        }
    }

    @Test
    void lock_overRlimitMemlock_clearErrorNamingTheLimit_andNothingLocked() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // root has CAP_IPC_LOCK, which ignores RLIMIT_MEMLOCK: drop it, then set a 64 KiB limit
        Process p = new ProcessBuilder(
                        "capsh",
                        "--drop=cap_ipc_lock",
                        "--",
                        "-c",
                        "ulimit -l 64 && exec \"$0\" --enable-native-access=ALL-UNNAMED -cp \"$1\" \"$2\"",
                        java,
                        System.getProperty("java.class.path"),
                        LockOverLimit.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output)
                .as(output)
                .contains("refused errno=12 limit=65536\n")
                .containsPattern("mlock\\(0x[0-9a-f]+, 1048576\\) refused with ENOMEM while locking 1048576 bytes at"
                        + " 0x[0-9a-f]+: the process may lock at most RLIMIT_MEMLOCK = 65536 bytes \\(soft; hard 65536"
                        + " bytes\\) without CAP_IPC_LOCK, and PoolTrack holds 16384 bytes locked already; raise the"
                        + " limit \\(ulimit -l, prlimit --memlock, LimitMEMLOCK= in a systemd unit\\) or lock fewer"
                        + " pages. Nothing was locked.\n")
                .contains("big locked: false\n", "driver pages: 4\n", "VmLck kB: 16\n", "VmLck kB after unlock: 0\n");
    }
}
