package dev.pooltrack.examples;

import dev.pooltrack.CallSite;
import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A session plugin that holds a steady number of allocations: the sample driver {@value #NAME}. It
 * keeps the state of the last {@code capacity} client sessions, one {@value #SESSION_BYTES}-byte
 * block under {@code Sess} each; opening a session when {@code capacity} are open closes the oldest.
 *
 * <p>So its outstanding allocations stay at {@code capacity} however long it runs, while every
 * request allocates and frees: the shape of a cache or a connection table. With a capacity of
 * 1,000,000 it is the "JVM with a million outstanding allocations" of the CLI's measurements.
 * {@link #close()} closes every session, so unloading it raises nothing.
 *
 * <p>Not thread-safe: one host thread drives it.
 */
public final class SessionPlugin implements AutoCloseable {

    /* The sessions' addresses live in a long[] ring, not in MemorySegment objects, so that a million
     * open sessions cost 8 MB of heap. Every session is allocated from one call site registered at
     * load (SessionPlugin.open, without a line number): PoolTrack then records the caller without a
     * stack walk per allocation, which keeps filling a million sessions to a few seconds. */

    /** The driver's name. */
    public static final String NAME = "session-plugin";

    /** The tag of the session blocks. */
    public static final Tag SESS = Tag.of("Sess");

    /** Bytes in one session block. */
    public static final int SESSION_BYTES = 64;

    private final Driver driver;
    private final Driver.CallSiteId openSite;
    private final long[] sessions;
    private int oldest;
    private int open;
    private long opened;

    private SessionPlugin(Driver driver, Driver.CallSiteId openSite, int capacity) {
        this.driver = driver;
        this.openSite = openSite;
        this.sessions = new long[capacity];
    }

    /**
     * Loads the driver into {@code pool}, keeping at most {@code capacity} sessions open.
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     * @throws IllegalStateException if a driver named {@value #NAME} is loaded already
     */
    public static SessionPlugin load(PoolTrack pool, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("bad session capacity " + capacity + ": it must be at least 1");
        }
        Driver driver = pool.load(NAME);
        Driver.CallSiteId open =
                pool.callSite(new CallSite(SessionPlugin.class.getName(), "open", "SessionPlugin.java", -1, -1));
        return new SessionPlugin(driver, open, capacity);
    }

    /** The handle the driver allocates through. */
    public Driver driver() {
        return driver;
    }

    /**
     * Opens the session of client {@code client}, closing the oldest session if {@code capacity} are
     * open.
     *
     * @throws InsufficientResources if the pool has no memory for the session
     */
    public void open(long client) {
        if (open == sessions.length) {
            closeOldest();
        }
        MemorySegment session = InsufficientResources.check(
                driver.allocate(PoolType.NON_PAGED, SESSION_BYTES, SESS, openSite), "a session");
        session.set(ValueLayout.JAVA_LONG, 0, client);
        sessions[(oldest + open) % sessions.length] = session.address();
        open++;
        opened++;
    }

    /** Sessions open now. */
    public int openSessions() {
        return open;
    }

    /** Sessions opened since the driver loaded. */
    public long sessionsOpened() {
        return opened;
    }

    /** The driver's unload routine, then the unload: closes every session and unloads the driver. */
    @Override
    public void close() {
        while (open > 0) {
            closeOldest();
        }
        driver.unload();
    }

    private void closeOldest() {
        driver.freeAddress(sessions[oldest], SESS);
        sessions[oldest] = 0;
        oldest = (oldest + 1) % sessions.length;
        open--;
    }
}
