package dev.pooltrack;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Low Resources Simulation's decisions: whether an allocation of a driver verified with 0x4 or
 * 0x40000 is failed on purpose. Thread-safe. One per pool and settings.
 */
final class FaultInjector {

    /* Randomized (0x4): each allocation draws from one SplitMix64 sequence shared by the pool, an
     * atomic counter stepped by the golden gamma and mixed, so that the same seed and the same order
     * of allocations fail the same allocations (one thread gives a reproducible run; several threads
     * share the sequence in whatever order they reach it). A draw below probability/10,000 fails.
     *
     * Systematic (0x40000): Windows fails each new unique call stack once, the driver's part of the
     * stack, recognised across reloads (reference §9). A stack here is the frames above PoolTrack's
     * allocation path, each as class, method and bytecode index, at most MAX_FRAMES deep: no
     * addresses, so the same code gives the same stacks in every run and after a driver reloads. The
     * id of a stack is a 64-bit FNV-1a hash of that text. Only the tag filter applies: the
     * probability and the grace period are randomized mode's. */

    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final int MAX_FRAMES = 64;
    private static final StackWalker WALKER = StackWalker.getInstance();

    private final LowResourcesSimulation parameters;
    private final boolean randomized;
    private final boolean systematic;
    private final AtomicLong state;
    private final Set<Long> stacksSeen;

    FaultInjector(int flags, LowResourcesSimulation parameters, Set<Long> stacksSeen) {
        this.parameters = parameters;
        this.randomized = (flags & VerifierFlags.LOW_RESOURCES_SIMULATION) != 0;
        this.systematic = (flags & VerifierFlags.SYSTEMATIC_LOW_RESOURCES_SIMULATION) != 0;
        this.state = new AtomicLong(parameters.seed() != 0 ? parameters.seed() : System.nanoTime());
        this.stacksSeen = stacksSeen;
    }

    /** A new set of systematic stacks seen, shared by the injectors of one pool. */
    static Set<Long> newStackSet() {
        return ConcurrentHashMap.newKeySet();
    }

    /** Whether this allocation of {@code driver} under {@code tag} fails on purpose. */
    boolean fails(Driver driver, Tag tag) {
        if (!parameters.coversTag(tag)) {
            return false;
        }
        if (systematic && stacksSeen.add(stackId())) {
            return true;
        }
        if (!randomized) {
            return false;
        }
        if (System.nanoTime() - driver.loadedAtNanos < TimeUnit.MINUTES.toNanos(parameters.delayMinutes())) {
            return false;
        }
        if (!parameters.coversApplication(Tenant.current().map(Tenant::name).orElse(null))) {
            return false;
        }
        return Long.remainderUnsigned(mix(state.addAndGet(GAMMA)), 10_000) < parameters.probability();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The id of the calling stack above PoolTrack's allocation path. */
    static long stackId() {
        return WALKER.walk(frames -> {
            long h = 0xCBF29CE484222325L;
            var it = frames.filter(f -> !isAllocationPath(f.getClassName()))
                    .limit(MAX_FRAMES)
                    .iterator();
            while (it.hasNext()) {
                StackWalker.StackFrame f = it.next();
                String text = f.getClassName() + '.' + f.getMethodName() + '@' + f.getByteCodeIndex() + ';';
                for (int i = 0; i < text.length(); i++) {
                    h = (h ^ text.charAt(i)) * 0x100000001B3L;
                }
            }
            return h;
        });
    }

    private static boolean isAllocationPath(String className) {
        return className.startsWith("dev.pooltrack.internal.")
                || className.equals("dev.pooltrack.FaultInjector")
                || isClassOrNested(className, "dev.pooltrack.Driver")
                || isClassOrNested(className, "dev.pooltrack.PoolTrack");
    }

    private static boolean isClassOrNested(String className, String outer) {
        return className.startsWith(outer)
                && (className.length() == outer.length() || className.charAt(outer.length()) == '$');
    }
}
