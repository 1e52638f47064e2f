package dev.pooltrack.examples;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * A storage plugin that leaks: the sample driver {@value #NAME}, whose pool tag {@code Leak} is used
 * at two call sites, as in Part 4 of "Troubleshooting Pool Leaks".
 *
 * <p>Each request allocates a request header under {@code Stor} and reads its block into an I/O
 * buffer under {@code Leak} ({@link #readBlock}); both are freed before the request completes. Every
 * {@value #CACHE_EVERY}th request also keeps a copy of the block's metadata in a cache, in a block
 * of {@value #METADATA_BYTES} bytes allocated under the same tag {@code Leak} ({@link
 * #cacheMetadata}). Nothing ever evicts that cache, and {@link #close()} forgets its entries without
 * freeing them: that is the bug. After {@code n} requests, {@code n / CACHE_EVERY} metadata blocks
 * are outstanding, and unloading the driver raises 0xC4/0x62.
 *
 * <p>Not thread-safe: one host thread drives it.
 */
public final class StorageDriver implements AutoCloseable {

    /* Each allocation sits on its own line: PoolTrack records the line that called
     * Driver.allocate, and that line is what !verifier 3 and the unique-tag map print. Blocks are
     * freed with ExFreePoolWithTag and the tag the code knows; under uniquetags=Leak a block carries
     * Lea1 or Lea2, which PoolTrack matches to Leak. */

    /** The driver's name. */
    public static final String NAME = "storage-plugin";

    /** The tag of the I/O buffers and of the cached metadata blocks, shared by two call sites. */
    public static final Tag LEAK = Tag.of("Leak");

    /** The tag of the superblock and of the request headers. */
    public static final Tag STOR = Tag.of("Stor");

    /** Bytes in one block: the size of an I/O buffer. */
    public static final int BLOCK_BYTES = 4096;

    /** Bytes in one cached metadata block. */
    public static final int METADATA_BYTES = 8192;

    /** Bytes in a request header. */
    public static final int HEADER_BYTES = 64;

    /** Bytes in the superblock, read when the driver starts. */
    public static final int SUPERBLOCK_BYTES = 512;

    /** Every this many requests, one request caches its block's metadata. */
    public static final int CACHE_EVERY = 20;

    private final Driver driver;
    private final MemorySegment superblock;
    private final Map<Long, MemorySegment> metadataCache = new HashMap<>();
    private long requests;
    private long checksum;

    private StorageDriver(Driver driver) {
        this.driver = driver;
        this.superblock = InsufficientResources.check(
                driver.allocate(PoolType.NON_PAGED, SUPERBLOCK_BYTES, STOR), "the superblock");
        superblock.fill((byte) 0);
    }

    /**
     * Loads the driver into {@code pool} and starts it: its superblock is allocated.
     *
     * @throws InsufficientResources if the pool has no memory for the superblock (the driver is
     *     unloaded again)
     * @throws IllegalStateException if a driver named {@value #NAME} is loaded already
     */
    public static StorageDriver load(PoolTrack pool) {
        Driver driver = pool.load(NAME);
        try {
            return new StorageDriver(driver);
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
     * Serves one read request for {@code blockNumber}: header, I/O buffer, and every {@value
     * #CACHE_EVERY}th request a metadata cache entry.
     *
     * @throws InsufficientResources if the pool has no memory for a buffer
     */
    public void read(long blockNumber) {
        MemorySegment header =
                InsufficientResources.check(driver.allocate(PoolType.NON_PAGED, HEADER_BYTES, STOR), "a header");
        try {
            header.fill((byte) 0);
            header.set(ValueLayout.JAVA_LONG, 0, blockNumber);
            MemorySegment block = readBlock(blockNumber);
            try {
                checksum += sum(block);
                requests++;
                if (requests % CACHE_EVERY == 0) {
                    cacheMetadata(blockNumber, block);
                }
            } finally {
                driver.free(block, LEAK);
            }
        } finally {
            driver.free(header, STOR);
        }
    }

    /** The requests served. */
    public long requests() {
        return requests;
    }

    /** The entries in the metadata cache: each one a block nobody frees. */
    public int cachedMetadata() {
        return metadataCache.size();
    }

    /** The sum of every block read, so the reads cannot be optimised away. */
    public long checksum() {
        return checksum;
    }

    /**
     * The driver's unload routine, then the unload: frees the superblock, drops the metadata cache
     * without freeing its blocks, and unloads the driver, which raises 0xC4/0x62 if it is verified
     * and any metadata was cached.
     */
    @Override
    public void close() {
        driver.free(superblock, STOR);
        metadataCache.clear();
        driver.unload();
    }

    private MemorySegment readBlock(long blockNumber) {
        MemorySegment block =
                InsufficientResources.check(driver.allocate(PoolType.NON_PAGED, BLOCK_BYTES, LEAK), "an I/O buffer");
        for (long offset = 0; offset < BLOCK_BYTES; offset += Long.BYTES) {
            block.set(ValueLayout.JAVA_LONG, offset, blockNumber * BLOCK_BYTES + offset);
        }
        return block;
    }

    private void cacheMetadata(long blockNumber, MemorySegment block) {
        MemorySegment metadata = InsufficientResources.check(
                driver.allocate(PoolType.NON_PAGED, METADATA_BYTES, LEAK), "a metadata block");
        metadata.fill((byte) 0);
        MemorySegment.copy(block, 0, metadata, 0, Math.min(BLOCK_BYTES, METADATA_BYTES));
        metadataCache.put(blockNumber, metadata);
    }

    private static long sum(MemorySegment block) {
        long s = 0;
        for (long offset = 0; offset < block.byteSize(); offset += Long.BYTES) {
            s += block.get(ValueLayout.JAVA_LONG, offset);
        }
        return s;
    }
}
