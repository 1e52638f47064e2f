package dev.pooltrack.bench;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;

/**
 * The Java heap one outstanding block of a verified driver takes with its call site kept as a
 * captured stack (call sites on, the default), against the same block with call sites off (the
 * record alone): used heap after a full GC with the blocks minus before them, per block. A
 * measurement, not a JMH benchmark. With fewer blocks than the first sweep (65,536 captures) every
 * block keeps its stack; with more, the stacks that stayed are resolved to sites in bulk and the
 * figure falls. The blocks are allocated from a shallow stack; a stack's size grows with its depth
 * (a Throwable's backtrace keeps every frame, 32 to a chunk). Not thread-safe; run it alone.
 *
 * <p>Run, from the repository root:
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED -cp pooltrack-bench/target/benchmarks.jar \
 *     dev.pooltrack.bench.CallSiteStackFootprint
 * }</pre>
 *
 * <p>Arguments: the numbers of blocks to measure (default 50000 and 1000000).
 */
public final class CallSiteStackFootprint {

    private static final Tag TAG = Tag.of("Foot");

    private CallSiteStackFootprint() {}

    /** Prints heap bytes per outstanding block with call sites on and off. */
    public static void main(String[] args) {
        String[] sizes = args.length > 0 ? args : new String[] {"50000", "1000000"};
        System.out.printf("java %s%n", Runtime.version());
        for (String size : sizes) {
            int blocks = Integer.parseInt(size);
            double off = bytesPerBlock(false, blocks);
            double on = bytesPerBlock(true, blocks);
            System.out.printf("%n%,d outstanding 16-byte blocks per pool%n", blocks);
            System.out.printf("call sites off (the record alone)        %.1f heap bytes/block%n", off);
            System.out.printf("call sites on (record + captured stack)  %.1f heap bytes/block%n", on);
            System.out.printf("the call site's share                    %.1f heap bytes/block%n", on - off);
        }
    }

    private static double bytesPerBlock(boolean callSites, int blocks) {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("foot").withCallSites(callSites));
        Driver d = pool.load("foot");
        d.free(d.allocate(PoolType.NON_PAGED, 16, TAG)); // the tag, driver and table exist before "before"
        long[] addresses = new long[blocks];
        long before = RecordFootprint.usedHeapAfterFullGc();
        for (int i = 0; i < blocks; i++) {
            addresses[i] = d.allocateAddress(PoolType.NON_PAGED, 16, TAG);
        }
        long after = RecordFootprint.usedHeapAfterFullGc();
        for (long a : addresses) {
            d.freeAddress(a);
        }
        return (double) (after - before) / blocks;
    }
}
