package dev.pooltrack;

/**
 * An allocation with quota that did not fit in the tenant's quota, or found no memory: the
 * exception {@code ExAllocatePoolWithQuotaTag} raises unless the caller passed {@code
 * POOL_QUOTA_FAIL_INSTEAD_OF_RAISE}.
 *
 * <p>{@link #status()} is Windows' NTSTATUS: {@code STATUS_QUOTA_EXCEEDED} (0xC0000044) when the
 * quota is short, {@code STATUS_INSUFFICIENT_RESOURCES} (0xC000009A) when the allocator has no
 * memory or Low Resources Simulation failed the allocation. Immutable.
 */
public final class QuotaExceededException extends RuntimeException {

    /* Which status ExAllocatePoolWithQuotaTag raises is not stated by its page; PsChargePoolQuota
     * raises STATUS_QUOTA_EXCEEDED for a short quota (reference §8.2, Appendix A item 6). PoolTrack
     * uses that for quota and STATUS_INSUFFICIENT_RESOURCES for memory, and says so here. */

    private static final long serialVersionUID = 1L;

    /** {@code STATUS_QUOTA_EXCEEDED}. */
    public static final int STATUS_QUOTA_EXCEEDED = 0xC0000044;

    /** {@code STATUS_INSUFFICIENT_RESOURCES}. */
    public static final int STATUS_INSUFFICIENT_RESOURCES = 0xC000009A;

    private final int status;
    private final String tenant;

    QuotaExceededException(int status, String tenant, String message) {
        super(message);
        this.status = status;
        this.tenant = tenant;
    }

    /** The NTSTATUS value. */
    public int status() {
        return status;
    }

    /** The tenant charged, or {@code null} when none was bound. */
    public String tenant() {
        return tenant;
    }
}
