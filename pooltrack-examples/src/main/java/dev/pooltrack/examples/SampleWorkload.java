package dev.pooltrack.examples;

import dev.pooltrack.PoolTrack;

/**
 * A host running the two sample drivers: it loads {@link StorageDriver} and {@link NetworkDriver}
 * into a pool and sends requests through both.
 *
 * <p>Each request is one block read by the storage driver and one packet received by the network
 * driver. Block and packet numbers continue from one {@link #run} to the next, so a workload can be
 * run in rounds with a snapshot between them. The host unloads each driver by closing it ({@link
 * StorageDriver#close()}, {@link NetworkDriver#close()}).
 *
 * <p>Not thread-safe: one thread runs it.
 */
public final class SampleWorkload {

    private final StorageDriver storage;
    private final NetworkDriver network;
    private long sequence;

    private SampleWorkload(StorageDriver storage, NetworkDriver network) {
        this.storage = storage;
        this.network = network;
    }

    /**
     * Loads {@value StorageDriver#NAME} and then {@value NetworkDriver#NAME} into {@code pool}.
     *
     * @throws IllegalStateException if either driver is loaded already (the other is unloaded
     *     again)
     * @throws InsufficientResources if the pool has no memory to start a driver
     */
    public static SampleWorkload load(PoolTrack pool) {
        StorageDriver storage = StorageDriver.load(pool);
        try {
            return new SampleWorkload(storage, NetworkDriver.load(pool));
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /**
     * Sends {@code requests} requests through each driver.
     *
     * @throws IllegalArgumentException if {@code requests} is negative
     * @throws InsufficientResources if the pool has no memory for a request
     */
    public void run(int requests) {
        if (requests < 0) {
            throw new IllegalArgumentException("bad request count " + requests + ": it must not be negative");
        }
        for (int i = 0; i < requests; i++) {
            sequence++;
            storage.read(sequence);
            network.receive(sequence);
        }
    }

    /** The storage driver, which leaks one metadata block every {@value StorageDriver#CACHE_EVERY} requests. */
    public StorageDriver storage() {
        return storage;
    }

    /** The network driver, which frees everything. */
    public NetworkDriver network() {
        return network;
    }
}
