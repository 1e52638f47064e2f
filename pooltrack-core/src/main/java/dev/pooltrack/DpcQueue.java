package dev.pooltrack;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue of deferred callbacks run on threads of its own: the JVM's counterpart of the DPC queue
 * ({@code KeInsertQueueDpc}). Thread-safe.
 *
 * <p>Its threads are <em>callback threads</em>: they run work for no tenant in particular, as a DPC
 * routine runs in whatever process the processor was in. Charging pool quota on a callback thread
 * raises 0xC4/0x10B when the driver is verified with Pool Tracking. Threads of other executors can
 * be made callback threads with {@link #callbackThreadFactory} or {@link #markCurrentThread}.
 */
public final class DpcQueue implements AutoCloseable {

    /* Windows tells a DPC by the processor's state (KeGetCurrentIrql() == DISPATCH_LEVEL inside a
     * DPC routine); a JVM thread has no such state, so PoolTrack marks the threads that run deferred
     * callbacks. A ThreadLocal rather than a ScopedValue: the mark belongs to the thread for its whole
     * life, whatever it runs. */

    private static final ThreadLocal<Boolean> CALLBACK_THREAD = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final ExecutorService executor;

    /**
     * A queue run by {@code threads} daemon callback threads named {@code name-1}, {@code name-2}...
     *
     * @throws IllegalArgumentException if {@code threads} is below 1
     */
    public DpcQueue(String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a DPC queue needs at least one thread, not " + threads);
        }
        executor = Executors.newFixedThreadPool(threads, callbackThreadFactory(Objects.requireNonNull(name, "name")));
    }

    /**
     * Queues a deferred callback: {@code KeInsertQueueDpc}. The future completes when it has run and
     * carries what it threw.
     */
    public Future<?> insert(Runnable dpc) {
        return executor.submit(Objects.requireNonNull(dpc, "dpc"));
    }

    /** Marks the calling thread as a callback thread for the rest of its life. */
    public static void markCurrentThread() {
        CALLBACK_THREAD.set(Boolean.TRUE);
    }

    /** Whether the calling thread is a callback thread. */
    public static boolean isCallbackThread() {
        return CALLBACK_THREAD.get();
    }

    /** A factory of daemon callback threads named {@code name-1}, {@code name-2}, ... */
    public static ThreadFactory callbackThreadFactory(String name) {
        AtomicInteger n = new AtomicInteger();
        return work -> {
            Thread t = new Thread(
                    () -> {
                        markCurrentThread();
                        work.run();
                    },
                    name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops taking callbacks and waits up to ten seconds for those queued to run. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
