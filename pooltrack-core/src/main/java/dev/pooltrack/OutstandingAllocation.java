package dev.pooltrack;

/**
 * One allocation of a verified driver that has not been freed: a row of {@code !verifier 3}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param address the address returned to the caller
 * @param length the length requested
 * @param tag the pool tag
 * @param poolType the pool charged
 * @param driver the name of the driver that allocated
 * @param callSite the allocating code, or {@link CallSite#UNKNOWN} when call sites are off
 * @param threadId the {@link Thread#threadId()} of the allocating thread (low 32 bits)
 * @param timeMillis when it was allocated, in milliseconds since the epoch
 */
public record OutstandingAllocation(
        long address,
        long length,
        Tag tag,
        PoolType poolType,
        String driver,
        CallSite callSite,
        long threadId,
        long timeMillis) {}
