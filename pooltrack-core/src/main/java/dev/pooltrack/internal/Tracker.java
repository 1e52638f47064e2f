package dev.pooltrack.internal;

/**
 * The records of outstanding allocations of verified drivers, and the per-driver counters that go
 * with them: Pool Tracking's memory.
 *
 * <p>Implementations are thread-safe: any thread may track and untrack, and a free may come from a
 * thread other than the allocating one. Records are reported through {@link RecordVisitor} as
 * primitives, so nothing is allocated per record.
 */
public interface Tracker {

    /** Returned by {@link #untrack} when the address has no record. */
    long NOT_TRACKED = -1;

    /** Per-driver counter offsets, as {@link #driverCounters} fills them. */
    int CURRENT_NONPAGED_ALLOCS = 0,
            CURRENT_NONPAGED_BYTES = 1,
            CURRENT_PAGED_ALLOCS = 2,
            CURRENT_PAGED_BYTES = 3,
            PEAK_NONPAGED_ALLOCS = 4,
            PEAK_NONPAGED_BYTES = 5,
            PEAK_PAGED_ALLOCS = 6,
            PEAK_PAGED_BYTES = 7,
            DRIVER_COUNTERS = 8;

    /**
     * Records an allocation and counts it for its driver.
     *
     * @param address the address returned to the caller; not already tracked
     * @param size the length requested, below 2^48
     * @param tag the tag value
     * @param poolType 0 nonpaged, 1 paged
     * @param driver the driver's index, below 2^15
     * @param site the call site id, or 0 for none
     * @param threadId the allocating thread's id
     * @param timeMillis when, in milliseconds since the epoch
     */
    void track(long address, long size, int tag, int poolType, int driver, int site, long threadId, long timeMillis);

    /**
     * Removes the record of {@code address} and uncounts it.
     *
     * @return the record's {@linkplain #info packed info}, or {@link #NOT_TRACKED}
     */
    long untrack(long address);

    /**
     * Removes the record of {@code address} and uncounts it, handing back the whole record.
     *
     * @param record receives {@code [0]} the packed info and {@code [1]} {@code tag << 32 | site}
     * @return the packed info, or {@link #NOT_TRACKED} (then {@code record} is unchanged)
     */
    long untrack(long address, long[] record);

    /**
     * The packed info of {@code address} if it was untracked recently and not tracked since, else
     * {@link #NOT_TRACKED}: a second free of such an address may be a double free.
     */
    long recentlyUntracked(long address);

    /** Forgets that {@code address} was untracked recently (it now holds an untracked block). */
    void forget(long address);

    /** Fills {@code out[0..DRIVER_COUNTERS)} with the driver's current and peak counts. */
    void driverCounters(int driver, long[] out);

    /** Visits the outstanding records of one driver, or of all drivers when {@code driver} is -1. */
    void forEach(int driver, RecordVisitor visitor);

    /** The number of outstanding records. */
    long size();

    /** The bytes of memory the records take now, slack included. */
    long footprintBytes();

    /** Packs size, driver and pool type as {@link #untrack} returns them. */
    static long info(long size, int driver, int poolType) {
        return (size << 16) | ((long) (driver & 0x7FFF) << 1) | (poolType & 1);
    }

    /** The size in a packed info. */
    static long infoSize(long info) {
        return info >>> 16;
    }

    /** The driver in a packed info. */
    static int infoDriver(long info) {
        return (int) (info >>> 1) & 0x7FFF;
    }

    /** The pool type in a packed info. */
    static int infoPoolType(long info) {
        return (int) info & 1;
    }

    /** Receives records. */
    @FunctionalInterface
    interface RecordVisitor {
        /** One outstanding allocation. */
        void record(
                long address, long size, int tag, int poolType, int driver, int site, long threadId, long timeMillis);
    }
}
