package dev.pooltrack;

/**
 * Driver Verifier's global counters, summed over all verified drivers, under the field names of
 * Windows' {@code SYSTEM_VERIFIER_INFORMATION}: an immutable value.
 *
 * @param allocationsAttempted Pool Allocations Attempted
 * @param allocationsSucceeded Pool Allocations Succeeded
 * @param allocationsSucceededSpecialPool Pool Allocations Succeeded in Special Pool
 * @param allocationsWithNoTag Pool Allocations Without Tag
 * @param allocationsFailed Pool Allocations Failed: the allocator had no memory
 * @param allocationsFailedDeliberately Faults Injected by Low Resources Simulation
 * @param unTrackedPool Pool Allocations Not Tracked
 * @param currentPagedPoolAllocations paged allocations of verified drivers outstanding
 * @param currentNonPagedPoolAllocations nonpaged allocations of verified drivers outstanding
 * @param peakPagedPoolAllocations highest paged allocations outstanding at once (sum of driver peaks)
 * @param peakNonPagedPoolAllocations highest nonpaged allocations outstanding at once (sum of driver peaks)
 * @param pagedPoolUsageInBytes paged bytes outstanding
 * @param nonPagedPoolUsageInBytes nonpaged bytes outstanding
 * @param peakPagedPoolUsageInBytes highest paged bytes (sum of driver peaks)
 * @param peakNonPagedPoolUsageInBytes highest nonpaged bytes (sum of driver peaks)
 */
public record GlobalCounters(
        long allocationsAttempted,
        long allocationsSucceeded,
        long allocationsSucceededSpecialPool,
        long allocationsWithNoTag,
        long allocationsFailed,
        long allocationsFailedDeliberately,
        long unTrackedPool,
        long currentPagedPoolAllocations,
        long currentNonPagedPoolAllocations,
        long peakPagedPoolAllocations,
        long peakNonPagedPoolAllocations,
        long pagedPoolUsageInBytes,
        long nonPagedPoolUsageInBytes,
        long peakPagedPoolUsageInBytes,
        long peakNonPagedPoolUsageInBytes) {}
