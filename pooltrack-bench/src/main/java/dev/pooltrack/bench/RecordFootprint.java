package dev.pooltrack.bench;

import dev.pooltrack.internal.StripedTracker;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;

/**
 * The memory one outstanding allocation record takes in the tracker, at one million records: the
 * tracker's own account ({@code footprintBytes() / size()}) and the Java heap's, measured as used
 * heap after a full GC with the records minus before them. A measurement, not a JMH benchmark: the
 * figure is bytes, not time. Not thread-safe; run it alone.
 *
 * <p>Run, from the repository root (the figures in README.md):
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests
 * java -cp pooltrack-bench/target/benchmarks.jar dev.pooltrack.bench.RecordFootprint
 * }</pre>
 *
 * <p>An optional argument sets the number of records (default 1000000).
 */
public final class RecordFootprint {

    /* Addresses are distinct and 16-byte aligned, like the blocks behind PoolTrack's pool headers,
     * and start where glibc's heap typically sits so the hash sees realistic high bits. The DESIGN.md
     * goal is at most 48 bytes per outstanding record. */

    private static final long FIRST_ADDRESS = 0x5555_5555_0000L;
    private static final int GOAL_BYTES_PER_RECORD = 48;

    private RecordFootprint() {}

    /** Prints bytes per record as the tracker counts them and as the heap grew. */
    public static void main(String[] args) {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long before = usedHeapAfterFullGc();
        StripedTracker tracker = new StripedTracker();
        long empty = usedHeapAfterFullGc();
        for (int i = 0; i < records; i++) {
            tracker.track(FIRST_ADDRESS + 16L * i, 64, 0x6B61654C, 0, 1, 0, 1, 0);
        }
        long after = usedHeapAfterFullGc();
        long size = tracker.size();
        long footprint = tracker.footprintBytes();
        Reference.reachabilityFence(tracker);
        if (size != records) {
            throw new IllegalStateException("the tracker holds " + size + " records, expected " + records);
        }

        double perRecordCounted = (double) footprint / size;
        double perRecordHeap = (double) (after - before) / size;
        System.out.printf("java %s, %s%n", Runtime.version(), gcNames());
        System.out.printf("records                      %,d%n", size);
        System.out.printf("footprintBytes()             %,d bytes%n", footprint);
        System.out.printf("footprintBytes()/size()      %.1f bytes/record%n", perRecordCounted);
        System.out.printf("heap: empty tracker          %,d bytes%n", empty - before);
        System.out.printf("heap: after - before         %,d bytes%n", after - before);
        System.out.printf("heap: (after - before)/size  %.1f bytes/record%n", perRecordHeap);
        System.out.printf(
                "goal <= %d bytes/record: %s%n",
                GOAL_BYTES_PER_RECORD,
                Math.max(perRecordCounted, perRecordHeap) <= GOAL_BYTES_PER_RECORD ? "met" : "MISSED");
    }

    static long usedHeapAfterFullGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        // Repeat until the figure stops falling: one System.gc() may leave cleaner or finalizer work.
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = rt.totalMemory() - rt.freeMemory();
            if (now >= used) {
                break;
            }
            used = now;
        }
        return used;
    }

    private static String gcNames() {
        return String.join(
                "+",
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName)
                        .toList());
    }
}
