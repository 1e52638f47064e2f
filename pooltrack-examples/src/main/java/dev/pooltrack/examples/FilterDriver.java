package dev.pooltrack.examples;

import dev.pooltrack.DpcQueue;
import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * A packet filter that charges pool quota: the sample driver {@value #NAME}.
 *
 * <p>Each packet a tenant sends is copied into a block allocated with quota under {@code Filt}
 * ({@code ExAllocatePoolWithQuotaTag}), charged to the tenant; a tenant that sends more than its
 * quota holds gets STATUS_QUOTA_EXCEEDED. Its completion routine, though, runs on a {@link DpcQueue}
 * and allocates a statistics block with quota too ({@link #completeFromDpc}): a DPC has no tenant,
 * so PoolTrack raises 0xC4/0x10B. Its timer thread does the same with no tenant bound at all
 * ({@link #tickWithoutTenant}): 0xC4/0x10A.
 *
 * <p>Not thread-safe: one host thread drives it.
 */
public final class FilterDriver implements AutoCloseable {

    /** The driver's name. */
    public static final String NAME = "net-filter";

    /** The tag of the packet copies. */
    public static final Tag FILT = Tag.of("Filt");

    /** The tag of the statistics blocks. */
    public static final Tag STAT = Tag.of("Stat");

    private final Driver driver;
    private final DpcQueue dpcs = new DpcQueue("net-filter-dpc", 1);

    /** Loads the driver into {@code pool}. */
    public FilterDriver(PoolTrack pool) {
        driver = pool.load(NAME);
    }

    /** Copies a packet of {@code bytes} into a block charged to the current tenant; the caller frees it. */
    public MemorySegment copyPacket(int bytes) {
        MemorySegment copy = driver.allocateWithQuota(PoolType.NON_PAGED, bytes, FILT);
        copy.fill((byte) 0x45);
        return copy;
    }

    /** Frees a packet copy, which returns its quota. */
    public void release(MemorySegment copy) {
        driver.free(copy, FILT);
    }

    /** The completion routine, queued as a DPC: charges quota there (the bug). */
    public void completeFromDpc() throws InterruptedException {
        Future<?> done = dpcs.insert(() -> {
            MemorySegment stats = driver.allocateWithQuota(PoolType.NON_PAGED, 256, STAT);
            driver.free(stats, STAT);
        });
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the completion routine failed", e.getCause());
        }
    }

    /** A timer tick on a thread with no tenant: charges quota there (the bug). */
    public void tickWithoutTenant() throws InterruptedException {
        Thread timer = new Thread(
                () -> {
                    MemorySegment stats = driver.allocateWithQuota(PoolType.NON_PAGED, 256, STAT);
                    driver.free(stats, STAT);
                },
                "net-filter-timer");
        timer.start();
        timer.join();
    }

    /** Stops the DPC queue and unloads the driver. */
    @Override
    public void close() {
        dpcs.close();
        driver.unload();
    }
}
