package dev.pooltrack;

/**
 * The individual counters of one driver, under the names of Windows' {@code
 * SYSTEM_VERIFIER_INFORMATION}: an immutable value.
 *
 * <p>Pool counters are kept only while the driver is verified with Pool Tracking; they read zero
 * otherwise, as on Windows. Peaks are the highest simultaneous values since the driver was first
 * verified.
 *
 * @param name the driver's name
 * @param status Loaded, Unloaded or Never Loaded
 * @param verified whether the driver is verified with Pool Tracking now
 * @param loads times loaded
 * @param unloads times unloaded
 * @param currentPagedPoolAllocations paged allocations outstanding
 * @param currentNonPagedPoolAllocations nonpaged allocations outstanding
 * @param peakPagedPoolAllocations highest number of paged allocations outstanding at once
 * @param peakNonPagedPoolAllocations highest number of nonpaged allocations outstanding at once
 * @param pagedPoolUsageInBytes paged bytes outstanding
 * @param nonPagedPoolUsageInBytes nonpaged bytes outstanding
 * @param peakPagedPoolUsageInBytes highest paged bytes outstanding at once
 * @param peakNonPagedPoolUsageInBytes highest nonpaged bytes outstanding at once
 * @param lockedPages pages the driver has locked through {@link Mdl}s now
 * @param lockedBytes the bytes of those pages (Windows' LockedBytes)
 * @param peakLockedBytes the most bytes locked at once (PeakLockedBytes)
 */
public record DriverCounters(
        String name,
        DriverStatus status,
        boolean verified,
        long loads,
        long unloads,
        long currentPagedPoolAllocations,
        long currentNonPagedPoolAllocations,
        long peakPagedPoolAllocations,
        long peakNonPagedPoolAllocations,
        long pagedPoolUsageInBytes,
        long nonPagedPoolUsageInBytes,
        long peakPagedPoolUsageInBytes,
        long peakNonPagedPoolUsageInBytes,
        long lockedPages,
        long lockedBytes,
        long peakLockedBytes) {

    /** Counters of a driver that has locked no pages. */
    public DriverCounters(
            String name,
            DriverStatus status,
            boolean verified,
            long loads,
            long unloads,
            long currentPagedPoolAllocations,
            long currentNonPagedPoolAllocations,
            long peakPagedPoolAllocations,
            long peakNonPagedPoolAllocations,
            long pagedPoolUsageInBytes,
            long nonPagedPoolUsageInBytes,
            long peakPagedPoolUsageInBytes,
            long peakNonPagedPoolUsageInBytes) {
        this(
                name,
                status,
                verified,
                loads,
                unloads,
                currentPagedPoolAllocations,
                currentNonPagedPoolAllocations,
                peakPagedPoolAllocations,
                peakNonPagedPoolAllocations,
                pagedPoolUsageInBytes,
                nonPagedPoolUsageInBytes,
                peakPagedPoolUsageInBytes,
                peakNonPagedPoolUsageInBytes,
                0,
                0,
                0);
    }

    /** Outstanding allocations, paged plus nonpaged: parameter 4 of 0xC4/0x62. */
    public long currentAllocations() {
        return currentPagedPoolAllocations + currentNonPagedPoolAllocations;
    }

    /** Outstanding bytes, paged plus nonpaged. */
    public long currentBytes() {
        return pagedPoolUsageInBytes + nonPagedPoolUsageInBytes;
    }
}
