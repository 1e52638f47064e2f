package dev.pooltrack;

import dev.pooltrack.internal.PageLocks;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A memory descriptor list: the pages of one buffer, which a driver locks in memory while a device
 * or native code works on them. The counterpart of an MDL from {@code IoAllocateMdl}, locked with
 * {@code MmProbeAndLockPages} and unlocked with {@code MmUnlockPages}.
 *
 * <p>Locking pins the pages with {@code mlock}; unlocking releases them with {@code munlock}. When
 * the driver is verified with Pool Tracking, PoolTrack counts its locked pages and checks that they
 * are unlocked by the time the driver unloads, or by the time the {@link IoRequest} the MDL belongs
 * to completes; pages still locked then raise 0xCB DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS with the MDL,
 * the page count and the call that locked them. Thread-safe.
 *
 * {@snippet lang = java :
 * Mdl mdl = Mdl.allocate(driver, buffer);   // IoAllocateMdl
 * mdl.lockPages();                          // MmProbeAndLockPages: mlock
 * try {
 *     device.transfer(buffer);
 * } finally {
 *     mdl.unlockPages();                    // MmUnlockPages: munlock
 * }
 * }
 */
public final class Mdl {

    private static final AtomicLong IDS = new AtomicLong();

    final Driver driver;
    final IoRequest request;
    private final long id = IDS.incrementAndGet();
    private final long address;
    private final long length;

    private boolean locked;
    private boolean tracked;
    private boolean freed;
    private CallSite lockedBy = CallSite.UNKNOWN;
    private CallSite lockedByCaller = CallSite.UNKNOWN;

    Mdl(Driver driver, IoRequest request, MemorySegment buffer) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.request = request;
        Objects.requireNonNull(buffer, "buffer");
        if (!buffer.isNative() || buffer.address() == 0 || buffer.byteSize() == 0) {
            throw new IllegalArgumentException("an MDL describes native memory of at least one byte, not " + buffer);
        }
        this.address = buffer.address();
        this.length = buffer.byteSize();
    }

    /**
     * An MDL describing {@code buffer}'s pages, owned by {@code driver}: {@code IoAllocateMdl}.
     *
     * @throws IllegalArgumentException if the buffer is not native memory or is empty
     */
    public static Mdl allocate(Driver driver, MemorySegment buffer) {
        return new Mdl(driver, null, buffer);
    }

    /**
     * Locks the pages in memory: {@code MmProbeAndLockPages}.
     *
     * @throws IllegalStateException if the MDL is locked already or freed
     * @throws PageLockException if the system refuses (RLIMIT_MEMLOCK reached), or Low Resources
     *     Simulation fails the lock on purpose (errno 0 then); nothing is locked in either case
     */
    public synchronized void lockPages() {
        if (freed) {
            throw new IllegalStateException(this + " was freed");
        }
        if (locked) {
            throw new IllegalStateException(this + " is locked already");
        }
        if (driver.injectFaults && driver.pool.failsDeliberately(driver, null)) {
            throw new PageLockException(
                    "locking the pages of " + this + " of driver " + driver.name
                            + " failed on purpose: Low Resources Simulation (0x4) is on for the driver, as"
                            + " MmProbeAndLockPages fails under it on Windows. Nothing was locked.",
                    0,
                    PageLocks.memlockLimit()[0]);
        }
        List<CallSite> callers = callers();
        lockedBy = callers.get(0);
        lockedByCaller = callers.get(1);
        tracked = driver.isVerified();
        driver.pool.lockedPages.lock(this, address, length, tracked);
        locked = true;
    }

    /**
     * Unlocks the pages: {@code MmUnlockPages}.
     *
     * @throws IllegalStateException if the pages are not locked
     */
    public synchronized void unlockPages() {
        if (!locked) {
            throw new IllegalStateException(this + " is not locked");
        }
        unlockNow();
    }

    /**
     * Frees the MDL: {@code IoFreeMdl}.
     *
     * @throws IllegalStateException if its pages are still locked
     */
    public synchronized void free() {
        if (locked) {
            throw new IllegalStateException(this + " still has its pages locked: unlock them before freeing it");
        }
        freed = true;
    }

    /** Whether the pages are locked now. */
    public synchronized boolean isLocked() {
        return locked;
    }

    /** The start address of the buffer described. */
    public long address() {
        return address;
    }

    /** The length of the buffer described, in bytes. */
    public long length() {
        return length;
    }

    /** The number of pages the buffer touches. */
    public long pageCount() {
        return PageLocks.pageCount(address, length);
    }

    /** The driver that owns the MDL. */
    public Driver driver() {
        return driver;
    }

    /** The call that locked the pages, or {@link CallSite#UNKNOWN} if they were never locked. */
    public synchronized CallSite lockedBy() {
        return lockedBy;
    }

    /** MDL number, buffer address, length and pages, for example {@code MDL #3 (0x00007f.., 0x2000 bytes, 2 pages)}. */
    @Override
    public String toString() {
        return String.format("MDL #%d (0x%016x, 0x%x bytes, %d pages)", id, address, length, pageCount());
    }

    /**
     * Unlocks pages left locked and returns the 0xCB violation to raise if the lock was tracked, or
     * null. Called at unload and at request completion.
     */
    synchronized Violation unlockLeft() {
        if (!locked) {
            return null;
        }
        boolean wasTracked = tracked;
        unlockNow();
        return wasTracked
                ? Violations.lockedPagesLeft(driver.name, toString(), pageCount(), lockedBy, lockedByCaller)
                : null;
    }

    private void unlockNow() {
        driver.pool.lockedPages.unlock(this, address, length);
        locked = false;
    }

    /* The locking call and its caller: the first two frames outside PoolTrack's own classes, the
     * counterparts of 0xCB's Arg1 (the calling address in the driver) and Arg2 (its caller). */
    private static List<CallSite> callers() {
        List<CallSite> sites = StackWalker.getInstance()
                .walk(frames -> frames.filter(f -> !isLockPath(f.getClassName()))
                        .limit(2)
                        .map(f -> new CallSite(
                                f.getClassName(),
                                f.getMethodName(),
                                f.getFileName(),
                                f.getLineNumber(),
                                f.getByteCodeIndex()))
                        .toList());
        return switch (sites.size()) {
            case 0 -> List.of(CallSite.UNKNOWN, CallSite.UNKNOWN);
            case 1 -> List.of(sites.get(0), CallSite.UNKNOWN);
            default -> sites;
        };
    }

    private static boolean isLockPath(String className) {
        return className.startsWith("dev.pooltrack.internal.")
                || className.equals("dev.pooltrack.Mdl")
                || className.equals("dev.pooltrack.IoRequest")
                || className.equals("dev.pooltrack.LockedPages");
    }
}
