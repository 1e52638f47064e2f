package dev.pooltrack.examples;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A network plugin that frees everything: the sample driver {@value #NAME}, the clean neighbour of
 * {@link StorageDriver}.
 *
 * <p>When it starts it allocates a receive ring under {@code NetB}; each received packet is copied
 * into a frame buffer under {@code Rcv }, its header is kept in a ring slot, and the frame buffer is
 * freed. {@link #close()} frees the ring, so unloading the driver raises nothing.
 *
 * <p>Not thread-safe: one host thread drives it.
 */
public final class NetworkDriver implements AutoCloseable {

    /** The driver's name. */
    public static final String NAME = "network-plugin";

    /** The tag of the receive ring. */
    public static final Tag NETB = Tag.of("NetB");

    /** The tag of the frame buffers, {@code "Rcv "} with its padding space. */
    public static final Tag RCV = Tag.of("Rcv ");

    /** Slots in the receive ring. */
    public static final int RING_SLOTS = 16;

    /** Bytes of packet header each ring slot keeps. */
    public static final int SLOT_BYTES = 64;

    /** Bytes in a frame buffer: an Ethernet frame without its checksum. */
    public static final int FRAME_BYTES = 1514;

    private final Driver driver;
    private final MemorySegment ring;
    private long packets;

    private NetworkDriver(Driver driver) {
        this.driver = driver;
        this.ring = InsufficientResources.check(
                driver.allocate(PoolType.NON_PAGED, (long) RING_SLOTS * SLOT_BYTES, NETB), "the receive ring");
        ring.fill((byte) 0);
    }

    /**
     * Loads the driver into {@code pool} and starts it: its receive ring is allocated.
     *
     * @throws InsufficientResources if the pool has no memory for the ring (the driver is unloaded
     *     again)
     * @throws IllegalStateException if a driver named {@value #NAME} is loaded already
     */
    public static NetworkDriver load(PoolTrack pool) {
        Driver driver = pool.load(NAME);
        try {
            return new NetworkDriver(driver);
        } catch (RuntimeException e) {
            driver.unload();
            throw e;
        }
    }

    /** The handle the driver allocates through. */
    public Driver driver() {
        return driver;
    }

    /**
     * Receives packet number {@code sequence}: copies it into a frame buffer, keeps its header in
     * the ring, and frees the frame buffer.
     *
     * @throws InsufficientResources if the pool has no memory for a frame buffer
     */
    public void receive(long sequence) {
        MemorySegment frame =
                InsufficientResources.check(driver.allocate(PoolType.NON_PAGED, FRAME_BYTES, RCV), "a frame buffer");
        try {
            frame.fill((byte) sequence);
            frame.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, sequence);
            long slot = (sequence % RING_SLOTS) * SLOT_BYTES;
            MemorySegment.copy(frame, 0, ring, slot, SLOT_BYTES);
            packets++;
        } finally {
            driver.free(frame, RCV);
        }
    }

    /** The packets received. */
    public long packets() {
        return packets;
    }

    /** The driver's unload routine, then the unload: frees the receive ring and unloads the driver. */
    @Override
    public void close() {
        driver.free(ring, NETB);
        driver.unload();
    }
}
