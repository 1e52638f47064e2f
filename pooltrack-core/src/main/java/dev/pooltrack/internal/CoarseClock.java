package dev.pooltrack.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * A clock in milliseconds that costs one volatile read, advanced by a daemon thread every
 * {@value #TICK_MILLIS} ms: the time stamp of allocation records.
 *
 * <p>Thread-safe. Reading {@link System#currentTimeMillis()} costs about 25 ns on the machines
 * PoolTrack is measured on, more than a {@code malloc}+{@code free} pair, so the hot path reads this
 * instead, like a kernel reading jiffies. The ticker starts with the first {@link #start()} and
 * stops with the JVM.
 */
public final class CoarseClock {

    public static final int TICK_MILLIS = 10;

    private static volatile long now = System.currentTimeMillis();
    private static Thread ticker;

    private CoarseClock() {}

    /** The time, in milliseconds since the epoch, as of the last tick. */
    public static long millis() {
        return now;
    }

    /** Starts the ticker if it is not running. */
    public static synchronized void start() {
        if (ticker != null) {
            return;
        }
        now = System.currentTimeMillis();
        ticker = Thread.ofPlatform().daemon().name("pooltrack-clock").start(() -> {
            while (true) {
                LockSupport.parkNanos(TICK_MILLIS * 1_000_000L);
                now = System.currentTimeMillis();
            }
        });
    }
}
