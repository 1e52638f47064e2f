package example.natives;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * A driver that calls the C allocator through FFM downcall handles of every shape the agent knows:
 * addresses as segments and as longs, a captured errno, a symbol found through a library lookup, and
 * each allocator function. What it leaks, and what it frees, is what the agent's report must show.
 */
@SuppressWarnings("restricted")
public final class Natives {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    static final MethodHandle MALLOC = handle("malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    static final MethodHandle MALLOC_LONG =
            handle("malloc", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
    static final MethodHandle CALLOC = handle("calloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG));
    static final MethodHandle REALLOC = handle("realloc", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle FREE = handle("free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle FREE_LONG =
            handle("free", FunctionDescriptor.ofVoid(JAVA_LONG), Linker.Option.critical(false));
    static final MethodHandle POSIX_MEMALIGN =
            handle("posix_memalign", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    static final MethodHandle ALIGNED_ALLOC =
            handle("aligned_alloc", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    static final MethodHandle MALLOC_ERRNO =
            handle("malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG), Linker.Option.captureCallState("errno"));
    static final MethodHandle STRLEN = handle("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));

    private Natives() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.findOrThrow(name), fd, options);
    }

    /** Every allocator function; prints what PoolTrack counted under Jdwn. */
    public static void run() throws Throwable {
        PoolTrack pool = PoolTrack.system();
        long before = pool.snapshot().tag(Tag.of("Jdwn")).nonPagedBytes();
        long walksBefore = stackWalks();

        leakMalloc();
        mallocThenFree();
        leakCalloc();
        growRealloc();
        leakReallocOfNull();
        reallocToZero();
        leakPosixMemalign();
        leakAlignedAlloc();
        leakWithErrno();
        leakThroughLibraryLookup();
        longAddressesFreed();
        long walksAfter = stackWalks();
        System.out.println("stack walks for the downcalls: "
                + (walksBefore < 0 ? "unknown (no agent MBean)" : walksAfter - walksBefore));
        try (Arena arena = Arena.ofConfined()) {
            long n = (long) STRLEN.invokeExact(arena.allocateFrom("not an allocator"));
            System.out.println("strlen: " + n + " handle type " + STRLEN.type());
        }
        Driver own = pool.load("own-driver");
        long ownAddress = own.allocateAddress(PoolType.NON_PAGED, 777, Tag.of("Own "));

        long after = pool.snapshot().tag(Tag.of("Jdwn")).nonPagedBytes();
        System.out.println("Jdwn bytes: " + (after - before));
        System.out.println("malloc handle type: " + MALLOC.type() + ", with errno: " + MALLOC_ERRNO.type());
        own.freeAddress(ownAddress);
    }

    /** The agent's count of stack walks made to find a caller; -1 without the agent's MBean. */
    private static long stackWalks() throws Exception {
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName agent = new javax.management.ObjectName("dev.pooltrack:type=Agent");
        return jmx.isRegistered(agent) ? (Long) jmx.getAttribute(agent, "StackWalks") : -1;
    }

    static void leakMalloc() throws Throwable {
        MemorySegment p = (MemorySegment) MALLOC.invokeExact(1000L);
        check(p.address());
    }

    static void mallocThenFree() throws Throwable {
        MemorySegment p = (MemorySegment) MALLOC.invokeExact(2000L);
        check(p.address());
        FREE.invokeExact(p);
    }

    static void leakCalloc() throws Throwable {
        MemorySegment p = (MemorySegment) CALLOC.invokeExact(10L, 30L);
        check(p.address());
    }

    static void growRealloc() throws Throwable {
        MemorySegment p = (MemorySegment) MALLOC.invokeExact(100L);
        MemorySegment q = (MemorySegment) REALLOC.invokeExact(p, 4000L);
        check(q.address());
    }

    static void leakReallocOfNull() throws Throwable {
        MemorySegment p = (MemorySegment) REALLOC.invokeExact(MemorySegment.NULL, 500L);
        check(p.address());
    }

    static void reallocToZero() throws Throwable {
        MemorySegment p = (MemorySegment) MALLOC.invokeExact(600L);
        check(p.address());
        MemorySegment q = (MemorySegment) REALLOC.invokeExact(p, 0L); // glibc: frees p, returns NULL
        if (q.address() != 0) {
            FREE.invokeExact(q);
        }
    }

    static void leakPosixMemalign() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) POSIX_MEMALIGN.invokeExact(out, 64L, 700L);
            if (rc != 0) {
                throw new IllegalStateException("posix_memalign: " + rc);
            }
            check(out.get(ADDRESS, 0).address());
        }
    }

    static void leakAlignedAlloc() throws Throwable {
        long p = (long) ALIGNED_ALLOC.invokeExact(64L, 832L);
        check(p);
    }

    static void leakWithErrno() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment p = (MemorySegment) MALLOC_ERRNO.invokeExact(state, 900L);
            check(p.address());
        }
    }

    static void leakThroughLibraryLookup() throws Throwable {
        SymbolLookup libc = SymbolLookup.libraryLookup("libc.so.6", Arena.global());
        MethodHandle malloc =
                LINKER.downcallHandle(libc.findOrThrow("malloc"), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        long p = (long) malloc.invokeExact(1100L);
        check(p);
    }

    static void longAddressesFreed() throws Throwable {
        long p = (long) MALLOC_LONG.invokeExact(1200L);
        check(p);
        FREE_LONG.invokeExact(p);
    }

    private static void check(long address) {
        if (address == 0) {
            throw new OutOfMemoryError("the C allocator returned NULL");
        }
    }
}
