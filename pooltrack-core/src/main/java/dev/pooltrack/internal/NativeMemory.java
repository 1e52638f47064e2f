package dev.pooltrack.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The C allocator, reached through FFM downcalls: PoolTrack's normal pool backend.
 *
 * <p>Thread-safe (the C allocator is). Addresses are plain {@code long}s so that the hot path
 * creates no objects.
 */
@SuppressWarnings("restricted") // downcalls to the C library
public final class NativeMemory {

    /* malloc and free are leaf functions that neither block for long nor call back into Java, so the
     * downcalls use Linker.Option.critical(false): no thread state transition, about half the cost of
     * a normal downcall (reference java-toolchain.md §3). Addresses travel as JAVA_LONG so no
     * MemorySegment is made per call. */

    private static final MethodHandle MALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        Linker.Option critical = Linker.Option.critical(false);
        MALLOC = linker.downcallHandle(
                libc.findOrThrow("malloc"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                critical);
        FREE = linker.downcallHandle(
                libc.findOrThrow("free"), FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG), critical);
    }

    private NativeMemory() {}

    /** {@code malloc(bytes)}: the address, or 0 when the allocator has no memory. */
    public static long malloc(long bytes) {
        try {
            return (long) MALLOC.invokeExact(bytes);
        } catch (Throwable t) {
            throw new AssertionError("malloc downcall failed", t);
        }
    }

    /** {@code free(address)}. */
    public static void free(long address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw new AssertionError("free downcall failed", t);
        }
    }
}
