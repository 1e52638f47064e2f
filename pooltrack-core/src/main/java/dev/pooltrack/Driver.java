package dev.pooltrack;

import java.lang.foreign.MemorySegment;

/**
 * A driver: a named unit of code (a plugin, a module, a component) that allocates pool, and the
 * handle it allocates and frees through.
 *
 * <p>The counterpart of {@code ExAllocatePoolWithTag} and {@code ExFreePoolWithTag} called from a
 * driver's code: the handle says which driver is calling, as the return address does on Windows.
 * Thread-safe: any number of threads may allocate and free through one handle.
 *
 * {@snippet lang = java :
 * PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("storage-plugin"));
 * Driver storage = pool.load("storage-plugin");
 * MemorySegment block = storage.allocate(PoolType.NON_PAGED, 4096, Tag.of("Leak"));
 * storage.free(block, Tag.of("Leak"));
 * storage.unload(); // raises 0xC4/0x62 if anything is left
 * }
 */
public final class Driver {

    final PoolTrack pool;
    final int index;
    final String name;

    volatile DriverStatus status = DriverStatus.NEVER_LOADED;
    /** Whether new allocations are recorded (verified with Pool Tracking now). */
    volatile boolean tracked;
    /** Whether Low Resources Simulation may fail its allocations (verified with 0x4 or 0x40000). */
    volatile boolean injectFaults;
    /** When the driver last loaded ({@link System#nanoTime()}), for the fault injection delay. */
    volatile long loadedAtNanos;

    long loads;
    long unloads;

    Driver(PoolTrack pool, int index, String name) {
        this.pool = pool;
        this.index = index;
        this.name = name;
    }

    /** The driver's name, for example {@code storage-plugin} or {@code my-plugin-1.2.jar}. */
    public String name() {
        return name;
    }

    /** Whether the driver is loaded, unloaded or never loaded. */
    public DriverStatus status() {
        return status;
    }

    /** Whether the driver's allocations are verified with Pool Tracking now. */
    public boolean isVerified() {
        return tracked;
    }

    /**
     * Allocates {@code bytes} of native memory charged to {@code type} under {@code tag}: {@code
     * ExAllocatePoolWithTag}.
     *
     * <p>The memory is not initialised and is 16-byte aligned. When the allocator has no memory the
     * result is {@link MemorySegment#NULL}, as {@code ExAllocatePoolWithTag} returns NULL; callers
     * must check. A zero-byte request of a verified driver raises 0xC4/0x00; an allocation while the
     * driver unloads raises 0xC4/0x61.
     *
     * @return a segment of {@code bytes} bytes at the allocation's address, or {@link MemorySegment#NULL}
     * @throws IllegalArgumentException if {@code bytes} is negative or {@code type} or {@code tag} is null
     * @throws DriverVerifierError for a violation when the response is {@link Response#THROW}
     */
    public MemorySegment allocate(PoolType type, long bytes, Tag tag) {
        long address = pool.allocate(this, type, bytes, tag, 0, false);
        return address == 0 ? MemorySegment.NULL : PoolTrack.segment(address, bytes);
    }

    /**
     * Allocates like {@link #allocate(PoolType, long, Tag)} and records {@code site} as the caller,
     * without walking the stack: register the site once ({@link PoolTrack#callSite}) and pass it on
     * each call.
     */
    public MemorySegment allocate(PoolType type, long bytes, Tag tag, CallSiteId site) {
        long address = pool.allocate(this, type, bytes, tag, site.id(), false);
        return address == 0 ? MemorySegment.NULL : PoolTrack.segment(address, bytes);
    }

    /**
     * Allocates without a tag, {@code ExAllocatePool}: charged to {@link Tag#NONE} and counted in
     * AllocationsWithNoTag.
     */
    public MemorySegment allocate(PoolType type, long bytes) {
        long address = pool.allocate(this, type, bytes, Tag.NONE, 0, true);
        return address == 0 ? MemorySegment.NULL : PoolTrack.segment(address, bytes);
    }

    /**
     * Allocates like {@link #allocate(PoolType, long, Tag)} and returns the bare address, 0 when the
     * allocator has no memory: the form that creates no object at all.
     */
    public long allocateAddress(PoolType type, long bytes, Tag tag) {
        return pool.allocate(this, type, bytes, tag, 0, false);
    }

    /**
     * Frees an allocation: {@code ExFreePool}.
     *
     * <p>Freeing an address no allocation returned raises 0xC4/0x10 (0xC2/0x99 for a driver that is
     * not verified), freeing it twice 0xC4/0x13; in both cases nothing is freed.
     *
     * @param segment a segment returned by {@code allocate}
     * @throws DriverVerifierError for a violation when the response is {@link Response#THROW}
     */
    public void free(MemorySegment segment) {
        pool.free(this, segment.address(), 0);
    }

    /**
     * Frees an allocation that must carry {@code tag}: {@code ExFreePoolWithTag}. A different tag
     * raises 0xC2/0x0A with the allocation's tag as Arg3 and {@code tag} as Arg4.
     *
     * @throws DriverVerifierError for a violation when the response is {@link Response#THROW}
     */
    public void free(MemorySegment segment, Tag tag) {
        pool.free(this, segment.address(), tag.value());
    }

    /**
     * Allocates like {@link #allocate(PoolType, long, Tag)} and charges the bytes to the pool quota of
     * the current {@link Tenant}: {@code ExAllocatePoolWithQuotaTag}. Freeing the block returns the
     * charge.
     *
     * <p>For a driver verified with Pool Tracking, charging on a {@linkplain DpcQueue callback thread}
     * raises 0xC4/0x10B and charging with no tenant bound 0xC4/0x10A; with the LOG response the
     * allocation then goes on, charged to the tenant if one is bound.
     *
     * @throws QuotaExceededException if the tenant's quota does not hold {@code bytes}
     *     (STATUS_QUOTA_EXCEEDED) or there is no memory (STATUS_INSUFFICIENT_RESOURCES), as the
     *     Windows routine raises
     * @throws DriverVerifierError for 0x10A or 0x10B when the response is {@link Response#THROW}
     */
    public MemorySegment allocateWithQuota(PoolType type, long bytes, Tag tag) {
        long address = pool.allocateWithQuota(this, type, bytes, tag, false);
        return PoolTrack.segment(address, bytes);
    }

    /**
     * Allocates with quota like {@link #allocateWithQuota(PoolType, long, Tag)}, but returns {@link
     * MemorySegment#NULL} instead of raising when the quota or the memory is short: {@code
     * ExAllocatePoolWithQuotaTag} with {@code POOL_QUOTA_FAIL_INSTEAD_OF_RAISE}.
     */
    public MemorySegment allocateWithQuotaOrNull(PoolType type, long bytes, Tag tag) {
        long address = pool.allocateWithQuota(this, type, bytes, tag, true);
        return address == 0 ? MemorySegment.NULL : PoolTrack.segment(address, bytes);
    }

    /** Frees by bare address, as {@link #free(MemorySegment)}. */
    public void freeAddress(long address) {
        pool.free(this, address, 0);
    }

    /** Frees by bare address, as {@link #free(MemorySegment, Tag)}. */
    public void freeAddress(long address, Tag tag) {
        pool.free(this, address, tag.value());
    }

    /**
     * Unloads the driver. If it is verified and allocations are outstanding, raises 0xC4/0x62 with
     * the leaked allocations; the driver is unloaded either way and its records stay for {@code
     * !verifier 3}.
     *
     * @throws IllegalStateException if the driver is not loaded
     * @throws DriverVerifierError for a leak when the response is {@link Response#THROW}
     */
    public void unload() {
        pool.unload(this);
    }

    @Override
    public String toString() {
        return name + " (" + status.displayName() + ")";
    }

    /**
     * A registered call site, passed to {@link #allocate(PoolType, long, Tag, CallSiteId)} so that
     * recording the caller costs nothing per call.
     *
     * @param id the site's id within its {@link PoolTrack}
     */
    public record CallSiteId(int id) {}
}
