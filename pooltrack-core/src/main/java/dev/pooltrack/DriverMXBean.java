package dev.pooltrack;

/**
 * The management interface of one driver, registered as {@code
 * dev.pooltrack:type=Driver,name="<driver>"}: its individual counters under Windows' names.
 */
public interface DriverMXBean {

    /** The driver's name. */
    String getName();

    /** Loaded, Unloaded or Never Loaded. */
    String getStatus();

    /** Whether the driver is verified with Pool Tracking now. */
    boolean isVerified();

    /** Times loaded. */
    long getLoads();

    /** Times unloaded. */
    long getUnloads();

    /** CurrentPagedPoolAllocations. */
    long getCurrentPagedPoolAllocations();

    /** CurrentNonPagedPoolAllocations. */
    long getCurrentNonPagedPoolAllocations();

    /** PeakPagedPoolAllocations. */
    long getPeakPagedPoolAllocations();

    /** PeakNonPagedPoolAllocations. */
    long getPeakNonPagedPoolAllocations();

    /** PagedPoolUsageInBytes. */
    long getPagedPoolUsageInBytes();

    /** NonPagedPoolUsageInBytes. */
    long getNonPagedPoolUsageInBytes();

    /** PeakPagedPoolUsageInBytes. */
    long getPeakPagedPoolUsageInBytes();

    /** PeakNonPagedPoolUsageInBytes. */
    long getPeakNonPagedPoolUsageInBytes();

    /** Pages the driver has locked through MDLs now. */
    long getLockedPages();

    /** LockedBytes: the bytes of those pages. */
    long getLockedBytes();

    /** PeakLockedBytes. */
    long getPeakLockedBytes();
}
