package dev.pooltrack.examples;

import java.io.Serial;
import java.lang.foreign.MemorySegment;

/**
 * Thrown by a sample driver when the pool has no memory for it: the driver's {@code
 * STATUS_INSUFFICIENT_RESOURCES}.
 */
public final class InsufficientResources extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private InsufficientResources(String message) {
        super(message);
    }

    /*
     * ExAllocatePoolWithTag returns NULL when the pool is exhausted, and so does Driver.allocate:
     * a driver that uses the block without checking crashes. The sample drivers check every
     * allocation through this method, on the same line as the allocation, so that the recorded call
     * site stays the driver's own line.
     */

    /**
     * Returns {@code block}, checked to be an allocation.
     *
     * @throws InsufficientResources naming {@code what} if the allocation failed
     */
    static MemorySegment check(MemorySegment block, String what) {
        if (block.address() == 0) {
            throw new InsufficientResources("no pool left for " + what);
        }
        return block;
    }
}
