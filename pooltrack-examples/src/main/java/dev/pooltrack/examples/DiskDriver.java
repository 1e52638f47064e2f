package dev.pooltrack.examples;

import dev.pooltrack.Driver;
import dev.pooltrack.IoRequest;
import dev.pooltrack.Mdl;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.MemorySegment;

/**
 * A disk driver that leaves pages locked: the sample driver {@value #NAME}.
 *
 * <p>Each read allocates a buffer under {@code Disk}, describes it with an {@link Mdl}, locks its
 * pages for the transfer ({@code mlock}) and unlocks them when the transfer is done. A read that
 * fails ({@link #read} with {@code fail}) returns from its error path without unlocking: the
 * request completes with its pages still locked, and PoolTrack raises 0xCB. The driver also pins
 * a metadata page for its whole life ({@link #pinMetadata}) and forgets to unlock it in {@link
 * #close()}: unloading it raises 0xCB again.
 *
 * <p>Not thread-safe: one host thread drives it.
 */
public final class DiskDriver implements AutoCloseable {

    /** The driver's name. */
    public static final String NAME = "disk-driver";

    /** The tag of the read buffers and the metadata page. */
    public static final Tag DISK = Tag.of("Disk");

    /** Bytes in one read buffer: two pages. */
    public static final int BUFFER_BYTES = 8192;

    private final Driver driver;
    private MemorySegment metadata;
    private Mdl metadataMdl;

    /** Loads the driver into {@code pool}. */
    public DiskDriver(PoolTrack pool) {
        driver = pool.load(NAME);
    }

    /** Pins one page of metadata in memory until the driver stops (and forgets to unpin it). */
    public void pinMetadata() {
        metadata = driver.allocate(PoolType.NON_PAGED, 4096, DISK);
        metadataMdl = Mdl.allocate(driver, metadata);
        metadataMdl.lockPages();
    }

    /**
     * Reads one block: locks the buffer's pages, transfers, unlocks, completes the request. With
     * {@code fail} the transfer fails and the error path forgets to unlock.
     *
     * @return whether the read succeeded
     */
    public boolean read(long block, boolean fail) {
        MemorySegment buffer = driver.allocate(PoolType.NON_PAGED, BUFFER_BYTES, DISK);
        try (IoRequest request = IoRequest.start(driver, "read of block " + block)) {
            Mdl mdl = request.allocateMdl(buffer);
            mdl.lockPages();
            if (fail) {
                return false; // the bug: the error path does not unlock
            }
            buffer.fill((byte) block);
            mdl.unlockPages();
            return true;
        } finally {
            driver.free(buffer, DISK);
        }
    }

    /** The driver's handle. */
    public Driver driver() {
        return driver;
    }

    /** Frees the metadata block (but not its lock: the bug) and unloads the driver. */
    @Override
    public void close() {
        if (metadata != null) {
            driver.free(metadata, DISK);
        }
        driver.unload();
    }
}
