package dev.pooltrack;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tenant: the party whose work a thread does and whose pool quota that work uses. The JVM's
 * counterpart of the process that {@code ExAllocatePoolWithQuotaTag} charges.
 *
 * <p>A tenant has a byte limit. {@link Driver#allocateWithQuota} charges the tenant bound to the
 * calling thread with {@link #run} or {@link #call}; freeing the block returns the charge.
 * Thread-safe: charges from any number of threads are exact.
 *
 * {@snippet lang = java :
 * Tenant acme = Tenant.of("acme", 1 << 20);      // a 1 MiB quota
 * acme.run(() -> {
 *     MemorySegment b = driver.allocateWithQuota(PoolType.PAGED, 4096, Tag.of("Quot"));
 *     driver.free(b);                          // returns the 4096 bytes to acme
 * });
 * }
 */
public final class Tenant {

    /* Windows charges the current process (PsGetCurrentProcess) and keeps the process in the pool
     * header's ProcessBilled field so that ExFreePool returns the charge (reference §8.2). A JVM
     * thread has no process of its own: the tenant is bound to the thread with a ScopedValue, which
     * cannot outlive the call that bound it and is inherited by StructuredTaskScope forks, the way a
     * request's work keeps its process. A deferred callback (a DpcQueue routine, a thread marked as
     * a callback thread) runs for nobody in particular, as a DPC runs in an arbitrary process. */

    private static final ScopedValue<Tenant> CURRENT = ScopedValue.newInstance();

    private final String name;
    private final long quotaBytes;
    private final AtomicLong usage = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    private Tenant(String name, long quotaBytes) {
        this.name = name;
        this.quotaBytes = quotaBytes;
    }

    /**
     * A tenant with a pool quota of {@code quotaBytes}.
     *
     * @throws IllegalArgumentException if the name is blank or the quota is negative
     */
    public static Tenant of(String name, long quotaBytes) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a tenant needs a name");
        }
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("bad quota " + quotaBytes + " for tenant " + name + ": 0 bytes or more");
        }
        return new Tenant(name, quotaBytes);
    }

    /** The tenant bound to this thread by the innermost {@link #run} or {@link #call}, if any. */
    public static Optional<Tenant> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    /** Runs {@code work} with this tenant as the calling thread's tenant. Calls nest. */
    public void run(Runnable work) {
        ScopedValue.where(CURRENT, this).run(Objects.requireNonNull(work, "work"));
    }

    /** Calls {@code work} with this tenant bound, as {@link #run}, and returns its result. */
    public <R, X extends Throwable> R call(ScopedValue.CallableOp<? extends R, X> work) throws X {
        return ScopedValue.where(CURRENT, this).call(Objects.requireNonNull(work, "work"));
    }

    /** The tenant's name. */
    public String name() {
        return name;
    }

    /** The quota: the most bytes the tenant's allocations with quota may hold at once. */
    public long quotaBytes() {
        return quotaBytes;
    }

    /** The bytes charged now. */
    public long quotaUsage() {
        return usage.get();
    }

    /** The most bytes charged at once. */
    public long peakQuotaUsage() {
        return peak.get();
    }

    /** The charges refused because they would have exceeded the quota. */
    public long quotaRefusals() {
        return refusals.get();
    }

    /** Charges {@code bytes}; false, and nothing charged, if the quota does not hold them. */
    boolean tryCharge(long bytes) {
        long now;
        do {
            now = usage.get();
            if (bytes > quotaBytes - now) {
                refusals.incrementAndGet();
                return false;
            }
        } while (!usage.compareAndSet(now, now + bytes));
        peak.accumulateAndGet(now + bytes, Math::max);
        return true;
    }

    /** Returns a charge. */
    void returnCharge(long bytes) {
        usage.addAndGet(-bytes);
    }

    @Override
    public String toString() {
        return name + " (" + usage.get() + " of " + quotaBytes + " bytes of quota)";
    }
}
