package dev.pooltrack.spi;

import dev.pooltrack.CallSite;
import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;

/**
 * The narrow door through which PoolTrack's agent reports native memory that PoolTrack did not
 * allocate: direct buffers, {@code Unsafe}, FFM arenas, mapped files, C allocator downcalls.
 *
 * <p>Not for applications: use {@link Driver#allocate} to allocate through PoolTrack. Thread-safe.
 * Every method takes primitives and allocates nothing on the Java heap when the driver, tag and call
 * site are already known. The allocation is counted under its tag for every driver, recorded for
 * {@code !verifier 3} when its driver is verified, and checked at the driver's unload like any
 * other.
 */
public final class AllocationObserver {

    private final PoolTrack pool;
    private final Bridge bridge;

    private AllocationObserver(PoolTrack pool, Bridge bridge) {
        this.pool = pool;
        this.bridge = bridge;
    }

    /** The observer of {@code pool}. */
    public static AllocationObserver of(PoolTrack pool) {
        Bridge bridge = Bridge.get();
        if (bridge.isSystem(pool)) {
            Holder.systemPoolObserved = true;
        }
        return new AllocationObserver(pool, bridge);
    }

    /**
     * Whether an observer reports to {@link PoolTrack#system()}: true once PoolTrack's agent has
     * started in this JVM. Creates no pool. The JUnit extension asks it to decide whether tests
     * run as drivers of the system pool, where the agent charges their JDK allocations.
     */
    public static boolean systemPoolObserved() {
        return Holder.systemPoolObserved;
    }

    /** The pool observed. */
    public PoolTrack pool() {
        return pool;
    }

    /**
     * The driver with the given name, loaded if it is not loaded: in agent mode a driver loads when
     * the first class of its jar is seen allocating.
     */
    public Driver driver(String name) {
        return bridge.ensureLoaded(pool, name);
    }

    /**
     * The call site of a frame of a walker made with {@code RETAIN_CLASS_REFERENCE}: built the first
     * time its class, method and bytecode index are seen, then reused, so a repeated walk builds no
     * stack trace element.
     */
    public static CallSite callSiteOf(StackWalker.StackFrame frame) {
        return dev.pooltrack.internal.CallSites.siteOf(frame);
    }

    /** The id of a call site, for {@link #allocated}: register each site once and keep the id. */
    public int callSite(CallSite site) {
        return pool.callSite(site).id();
    }

    /**
     * Reports an allocation made by someone else.
     *
     * @param driver the driver charged
     * @param poolType {@link PoolType#code()}
     * @param address the address returned to the program; 0 (a failed allocation) is ignored
     * @param size the bytes allocated
     * @param tag the tag value ({@link dev.pooltrack.Tag#value()})
     * @param site a call site id from {@link #callSite}, or 0 to walk the stack when call sites are on
     */
    public void allocated(Driver driver, int poolType, long address, long size, int tag, int site) {
        bridge.allocated(pool, driver, poolType, address, size, tag, -1, site);
    }

    /**
     * The index of a tag in the pool's tag table, for {@link #allocated(Driver, int, long, long, int,
     * int, int)}: registers the tag if it is new. A tag's index never changes, so a caller that
     * reports many allocations under a few fixed tags looks each up once and keeps it.
     *
     * @param tag the tag value ({@link dev.pooltrack.Tag#value()})
     */
    public int tagIndex(int tag) {
        return bridge.tagIndex(pool, tag);
    }

    /**
     * Reports an allocation made by someone else like {@link #allocated(Driver, int, long, long, int,
     * int)}, with the tag's index known: the engine spares a lookup of the tag per allocation.
     *
     * @param tagIndex {@link #tagIndex}{@code (tag)} of this observer, or -1 to look it up
     */
    public void allocated(Driver driver, int poolType, long address, long size, int tag, int tagIndex, int site) {
        bridge.allocated(pool, driver, poolType, address, size, tag, tagIndex, site);
    }

    /**
     * Reports a free. An address PoolTrack never saw (allocated before it started watching) is
     * ignored.
     *
     * @return whether the address was known
     */
    public boolean freed(long address) {
        return bridge.freed(pool, address, null);
    }

    /** {@code freedRecord[SIZE]}: the bytes of the allocation freed. */
    public static final int SIZE = 0;

    /** {@code freedRecord[TAG]}: its tag value. */
    public static final int TAG = 1;

    /** {@code freedRecord[POOL_TYPE]}: its {@link PoolType#code()}. */
    public static final int POOL_TYPE = 2;

    /** {@code freedRecord[DRIVER]}: the index of its driver, for {@link #driverAt}. */
    public static final int DRIVER = 3;

    /** {@code freedRecord[SITE]}: its call site id. */
    public static final int SITE = 4;

    /** The length of a record array for {@link #freed(long, long[])}. */
    public static final int RECORD_LENGTH = 5;

    /**
     * Reports a free like {@link #freed(long)} and says what was freed: for the agent's allocation
     * and free log and its JFR events.
     *
     * @param freedRecord receives, when the address was known, the allocation at {@link #SIZE},
     *     {@link #TAG}, {@link #POOL_TYPE}, {@link #DRIVER} and {@link #SITE}; at least {@link
     *     #RECORD_LENGTH} long
     * @return whether the address was known; if not, {@code freedRecord} is unchanged
     */
    public boolean freed(long address, long[] freedRecord) {
        // the engine writes its packed record into the first two elements; unpacked here in place
        if (!bridge.freed(pool, address, freedRecord)) {
            return false;
        }
        long info = freedRecord[0];
        long tagAndSite = freedRecord[1];
        freedRecord[SIZE] = info >>> 16;
        freedRecord[TAG] = (int) (tagAndSite >>> 32);
        freedRecord[POOL_TYPE] = (int) info & 1;
        freedRecord[DRIVER] = (int) (info >>> 1) & 0x7FFF;
        freedRecord[SITE] = (int) tagAndSite;
        return true;
    }

    /** The driver with the index a {@linkplain #freed(long, long[]) freed record} names. */
    public Driver driverAt(int index) {
        return bridge.driverAt(pool, index);
    }

    /**
     * Reports a reallocation: the old block is freed and the new one charged to the same driver,
     * tag, pool type and call site. An unknown old address makes the new block unknown too.
     */
    public void reallocated(long oldAddress, long newAddress, long newSize) {
        long[] record = Holder.SCRATCH.get();
        if (bridge.freed(pool, oldAddress, record) && newAddress != 0) {
            long info = record[0];
            int driverIndex = (int) (info >>> 1) & 0x7FFF;
            int poolType = (int) info & 1;
            int tag = (int) (record[1] >>> 32);
            int site = (int) record[1];
            bridge.allocated(pool, bridge.driverAt(pool, driverIndex), poolType, newAddress, newSize, tag, -1, site);
        }
    }

    /**
     * The driver to charge for an allocation on this thread before looking at the allocating code:
     * the driver of the innermost {@link PoolTrack#runAs} or {@link PoolTrack#callAs} running on
     * this thread, if it belongs to this observer's pool; {@code null} otherwise (then attribute the
     * allocation as usual, to the jar of the allocating code). Allocates nothing.
     */
    public Driver currentDriver() {
        return bridge.currentDriver(pool);
    }

    /**
     * The bridge into the engine's package-private entry points, set by {@link PoolTrack} when it
     * loads (the shared-secrets pattern of the JDK). Not API.
     */
    public interface Bridge {
        /** Loads the named driver if needed. */
        Driver ensureLoaded(PoolTrack pool, String name);

        /** The driver with the given index. */
        Driver driverAt(PoolTrack pool, int index);

        /** See {@link AllocationObserver#allocated}; {@code tagIndex} -1 when not known. */
        void allocated(
                PoolTrack pool, Driver d, int poolType, long address, long size, int tag, int tagIndex, int site);

        /** See {@link AllocationObserver#tagIndex}. */
        int tagIndex(PoolTrack pool, int tag);

        /**
         * See {@link AllocationObserver#freed}: fills {@code record[0]} with the packed info and
         * {@code record[1]} with tag and site, unless {@code record} is null; false, with {@code
         * record} unchanged, if unknown.
         */
        boolean freed(PoolTrack pool, long address, long[] record);

        /** See {@link AllocationObserver#currentDriver}. */
        Driver currentDriver(PoolTrack pool);

        /** Whether {@code pool} is {@link PoolTrack#system()}. */
        boolean isSystem(PoolTrack pool);

        /** The bridge PoolTrack installed. */
        static Bridge get() {
            try {
                Class.forName(PoolTrack.class.getName(), true, PoolTrack.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            return Holder.bridge;
        }

        /** Called once by PoolTrack's static initialiser. */
        static void install(Bridge b) {
            if (Holder.bridge != null) {
                throw new IllegalStateException("bridge installed already");
            }
            Holder.bridge = b;
        }
    }

    private static final class Holder {
        static volatile Bridge bridge;
        static volatile boolean systemPoolObserved;
        /** The record of the forms that hand none back. */
        static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[2]);
    }
}
