package dev.pooltrack.bench;

import dev.pooltrack.Driver;
import dev.pooltrack.DriverVerifierError;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Response;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;

/**
 * How long from a leak to its report: PoolTrack's unload check against Netty's GC-driven
 * ResourceLeakDetector (PARANOID) and Arrow's check at allocator close. Prints one row per way of
 * finding the leak: how many trials reported it, the time from the leak to the report (median and
 * worst), and the garbage collections and further allocations it took.
 *
 * <p>Not thread-safe; a command-line program. Argument: the number of trials per row (default 20).
 * Run, from the repository root, after building the benchmarks jar:
 *
 * <pre>{@code
 * flock /tmp/pooltrack-jmh.lock java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx512m \
 *     -cp pooltrack-bench/target/benchmarks.jar dev.pooltrack.bench.LeakLatency 20
 * }</pre>
 */
public final class LeakLatency {

    /* When is "the leak"? For PoolTrack and Arrow a block is a leak once its owner is done (the driver
     * unloads, the child allocator closes), so the clock starts at unload()/close() and stops when the
     * report is in hand (DriverVerifierError for Response.THROW; Arrow's IllegalStateException). For
     * Netty a buffer is a leak once the last reference to it is dropped without release(), so the
     * clock starts when the method holding the only reference returns, and stops when the detector
     * reports it. Netty's detector finds a leak only after the GC has cleared the buffer's weak
     * reference and the reference handler has queued it, and then only when a later allocation of
     * the same type polls the queue (ResourceLeakDetector.track -> reportLeak). Its report is caught
     * by a detector installed through ResourceLeakDetectorFactory, which records the time instead of
     * logging (needReport() is forced on: the default asks the logger). Each leaked buffer is touched
     * with a hint naming its trial, so the detector's de-duplication of identical reports never hides
     * a trial. */

    static final int BYTES = 4096;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Netty trial hint → System.nanoTime() of its report. */
    static final Map<String, Long> REPORTED = new ConcurrentHashMap<>();

    static volatile String firstNettyReport;

    private LeakLatency() {}

    /** One row of the table. */
    record Row(String tool, String how, int trials, int reported, long[] nanos, long[] gcs, long[] allocations) {}

    /** Runs every scenario and prints the table. */
    public static void main(String[] args) {
        installNettyDetector();
        int trials = 20;
        if (args.length > 0) {
            try {
                trials = Integer.parseInt(args[0]);
            } catch (NumberFormatException e) {
                trials = -1;
            }
            if (trials < 1) {
                System.err.println("bad trial count '" + args[0] + "': expected a whole number ≥ 1");
                System.exit(1);
            }
        }
        ByteBufAllocator netty = new PooledByteBufAllocator(true);
        List<Row> rows = new ArrayList<>();
        rows.add(poolTrack(trials));
        rows.add(arrow(trials));
        rows.add(nettyKeepAllocating(netty, trials));
        rows.add(nettyGcThenAllocate(netty, trials));
        rows.add(nettyGcNoAllocation(netty, Math.min(trials, 3)));

        System.out.println();
        System.out.println("| tool | how the leak is found | reported | time to report, median | worst |"
                + " GCs, median (max) | allocations after the leak, median (max) |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            System.out.printf(
                    "| %s | %s | %d of %d | %s | %s | %s | %s |%n",
                    r.tool(),
                    r.how(),
                    r.reported(),
                    r.trials(),
                    duration(median(r.nanos())),
                    duration(max(r.nanos())),
                    medianAndMax(r.gcs()),
                    medianAndMax(r.allocations()));
        }
        System.out.printf(
                "%nJava %s (%s), %d cores, %s, %s, max heap %d MiB; %d trials per row (3 for the last)%n",
                Runtime.version(),
                System.getProperty("java.vm.vendor"),
                Runtime.getRuntime().availableProcessors(),
                AgentOverhead.cpu(),
                collectors(),
                Runtime.getRuntime().maxMemory() >> 20,
                trials);
        if (firstNettyReport != null) {
            System.out.println();
            System.out.println("Netty's first report (the records it would log), first lines:");
            firstNettyReport.lines().limit(12).forEach(l -> System.out.println("    " + l));
        }
    }

    /**
     * Makes Netty's buffers use the detector that records report times, at PARANOID. Must run before
     * Netty's {@code AbstractByteBuf} is initialised, which creates its detector once.
     */
    static void installNettyDetector() {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new TimedFactory());
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    /** PoolTrack: a verified driver unloads holding one block; the report is the thrown 0xC4/0x62. */
    static Row poolTrack(int trials) {
        Tag tag = Tag.of("Leak");
        long[] nanos = new long[trials];
        long[] gcs = new long[trials];
        int reported = 0;
        String listing = null;
        for (int i = 0; i < trials; i++) {
            PoolTrack pool =
                    PoolTrack.create(VerifierSettings.poolTracking("plugin").withResponse(Response.THROW));
            Driver plugin = pool.load("plugin");
            MemorySegment block = plugin.allocate(PoolType.NON_PAGED, BYTES, tag);
            block.set(ValueLayout.JAVA_LONG, 0, i);
            long gc0 = gcCount();
            long t0 = System.nanoTime();
            try {
                plugin.unload();
                nanos[i] = -1;
            } catch (DriverVerifierError e) {
                nanos[i] = System.nanoTime() - t0;
                List<OutstandingAllocation> leaked = e.violation().leaked();
                if (e.violation().bucket().equals("0xc4_62")
                        && leaked.size() == 1
                        && leaked.getFirst().length() == BYTES) {
                    reported++;
                    listing = e.violation().summary() + "; " + leaked.getFirst().callSite();
                }
            }
            gcs[i] = gcCount() - gc0;
        }
        System.out.println("PoolTrack's report (last trial): " + listing);
        return new Row(
                "PoolTrack API",
                "driver.unload() with a block outstanding (0xC4/0x62)",
                trials,
                reported,
                nanos,
                gcs,
                new long[trials]);
    }

    /** Arrow: a child allocator closes holding one buffer; the report is the IllegalStateException. */
    static Row arrow(int trials) {
        long[] nanos = new long[trials];
        long[] gcs = new long[trials];
        int reported = 0;
        /* The root is never closed: a buffer leaked from a closed child cannot always be released
         * (with assertions on, Arrow refuses any operation on a closed allocator), so the root would
         * report those leaks again. Without -ea each leaked buffer is released after its trial. */
        BufferAllocator root = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY)
                .maxAllocation(Long.MAX_VALUE)
                .build());
        for (int i = 0; i < trials; i++) {
            BufferAllocator child = root.newChildAllocator("plugin", 0, Long.MAX_VALUE);
            ArrowBuf buffer = child.buffer(BYTES);
            buffer.setLong(0, i);
            long gc0 = gcCount();
            long t0 = System.nanoTime();
            try {
                child.close();
                nanos[i] = -1;
            } catch (IllegalStateException e) {
                nanos[i] = System.nanoTime() - t0;
                if (e.getMessage().contains("leaked")) {
                    reported++;
                }
            }
            gcs[i] = gcCount() - gc0;
            try {
                buffer.getReferenceManager().release();
            } catch (IllegalStateException e) {
                // -ea: "Attempting operation on allocator when allocator is closed"; stays allocated
            }
        }
        return new Row(
                "Arrow (debug off)",
                "child allocator close() with a buffer outstanding",
                trials,
                reported,
                nanos,
                gcs,
                new long[trials]);
    }

    /** Netty PARANOID: the program goes on allocating (and releasing) buffers, with no explicit GC. */
    static Row nettyKeepAllocating(ByteBufAllocator netty, int trials) {
        return nettyRow(
                netty,
                trials,
                "Netty PARANOID",
                "GC, then a later allocation polls; the program keeps allocating, no System.gc()",
                false,
                true,
                TIMEOUT_NANOS);
    }

    /** Netty PARANOID: the test-suite way, System.gc() right after the leak, then allocations. */
    static Row nettyGcThenAllocate(ByteBufAllocator netty, int trials) {
        return nettyRow(
                netty,
                trials,
                "Netty PARANOID",
                "System.gc() right after the leak, then allocations",
                true,
                true,
                TIMEOUT_NANOS);
    }

    /** Netty PARANOID: GCs but no further allocation of a buffer: nothing polls, nothing is reported. */
    static Row nettyGcNoAllocation(ByteBufAllocator netty, int trials) {
        return nettyRow(
                netty,
                trials,
                "Netty PARANOID",
                "System.gc() every 100 ms for 5 s, no further buffer allocated",
                true,
                false,
                QUIET_NANOS);
    }

    private static Row nettyRow(
            ByteBufAllocator netty,
            int trials,
            String tool,
            String how,
            boolean gcAfterLeak,
            boolean allocate,
            long timeoutNanos) {
        long[] nanos = new long[trials];
        long[] gcs = new long[trials];
        long[] allocations = new long[trials];
        int reported = 0;
        for (int i = 0; i < trials; i++) {
            String hint = "leak-latency " + how + " #" + i;
            leakOne(netty, hint);
            long gc0 = gcCount();
            long t0 = System.nanoTime();
            long n = 0;
            if (gcAfterLeak) {
                System.gc();
            }
            Long at;
            while ((at = REPORTED.get(hint)) == null && System.nanoTime() - t0 < timeoutNanos) {
                if (allocate) {
                    ByteBuf b = netty.directBuffer(64);
                    b.writeLong(n);
                    b.release();
                    n++;
                } else {
                    sleep(100);
                    System.gc();
                }
            }
            gcs[i] = gcCount() - gc0;
            if (at != null) {
                reported++;
                nanos[i] = at - t0;
            } else {
                nanos[i] = -1;
            }
            allocations[i] = n;
        }
        return new Row(tool, how, trials, reported, nanos, gcs, allocations);
    }

    /** Allocates a buffer, uses it and drops the only reference without release(). */
    private static void leakOne(ByteBufAllocator netty, String hint) {
        ByteBuf leaked = netty.directBuffer(BYTES);
        leaked.writeLong(42);
        leaked.touch(hint);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!gc.getName().contains("Concurrent")) { // G1's concurrent cycles are not pauses
                n += Math.max(0, gc.getCollectionCount());
            }
        }
        return n;
    }

    private static String collectors() {
        return String.join(
                "+",
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName)
                        .toList());
    }

    /** The median of the reported values (negative = not reported), or -1 if none was. */
    static long median(long[] values) {
        long[] v = Arrays.stream(values).filter(x -> x >= 0).sorted().toArray();
        return v.length == 0 ? -1 : v[(v.length - 1) / 2];
    }

    static long max(long[] values) {
        return Arrays.stream(values).max().orElse(-1);
    }

    private static String medianAndMax(long[] values) {
        return median(values) + " (" + max(values) + ")";
    }

    private static String duration(long nanos) {
        if (nanos < 0) {
            return "never";
        }
        if (nanos < 1_000_000) {
            return String.format("%.1f µs", nanos / 1e3);
        }
        return String.format("%.1f ms", nanos / 1e6);
    }

    /** Makes the detectors that record when a leak is reported. */
    static final class TimedFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation") // the one abstract method of the factory
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new TimedDetector<>(resource, samplingInterval);
        }
    }

    /** A detector that records the time of each report instead of logging it. */
    static final class TimedDetector<T> extends ResourceLeakDetector<T> {
        TimedDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            long now = System.nanoTime();
            int at = records.indexOf("leak-latency ");
            if (at >= 0) {
                int end = records.indexOf('\n', at);
                REPORTED.putIfAbsent(
                        records.substring(at, end < 0 ? records.length() : end).strip(), now);
            }
            if (firstNettyReport == null) {
                firstNettyReport =
                        "LEAK: " + resourceType + ".release() was not called before it's garbage-collected." + records;
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            System.err.println("untraced " + resourceType + " leak: PARANOID should trace every buffer");
        }
    }
}
