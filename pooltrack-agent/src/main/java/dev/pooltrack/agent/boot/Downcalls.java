package dev.pooltrack.agent.boot;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The entry point that {@code jdk.internal.foreign.abi.AbstractLinker.downcallHandle}, instrumented by
 * PoolTrack's agent, calls with each downcall handle it made: the agent may return a handle of the
 * same type that also reports what the C allocator function allocates and frees.
 *
 * <p>This class lives on the boot class path, beside {@link Hooks}, so that {@code java.base} can see
 * it. Thread-safe. Not API: only instrumented code and the agent call it.
 */
public final class Downcalls {

    /* The two JDK-internal entry points used here are reached from this boot class, never from the
     * agent's classes on the application class path: the agent opens jdk.internal.loader and exports
     * jdk.internal.foreign to this class's module (the boot loader's unnamed module) only, so the
     * application's own code gets no new access. Neither is a restricted method, so using them prints
     * no native-access warning and needs no --enable-native-access. */

    private static volatile Linking linking;

    private static volatile MethodHandle findEntry;
    private static volatile MethodHandle rawSegment;

    private Downcalls() {}

    /** Installs what the agent does with each new downcall handle; {@code null} turns it off. */
    public static void install(Linking l) {
        linking = l;
    }

    /**
     * A downcall handle was made for {@code symbol}: the handle to give the program instead, which is
     * {@code handle} itself unless the agent watches the function.
     */
    public static MethodHandle linked(MemorySegment symbol, FunctionDescriptor function, MethodHandle handle) {
        Linking l = linking;
        if (l == null || symbol == null || handle == null) {
            return handle;
        }
        return l.linked(symbol.address(), function, handle);
    }

    /**
     * The address that {@code dlsym(handle, name)} returns, or 0: with {@code handle} {@code
     * RTLD_DEFAULT}, the definition the dynamic linker gives the whole process (an allocator
     * preloaded with {@code LD_PRELOAD} wins over the C library's).
     *
     * @throws IllegalStateException when the agent could not open the JDK's native library support
     */
    public static long dlsym(long handle, String name) {
        MethodHandle h = findEntry;
        try {
            if (h == null) {
                Class<?> nativeLibrary = Class.forName("jdk.internal.loader.NativeLibrary", false, null);
                h = MethodHandles.privateLookupIn(nativeLibrary, MethodHandles.lookup())
                        .findStatic(
                                nativeLibrary,
                                "findEntry0",
                                MethodType.methodType(long.class, long.class, String.class));
                findEntry = h;
            }
            return (long) h.invokeExact(handle, name);
        } catch (Throwable t) {
            throw new IllegalStateException("dlsym(" + name + ") through the JDK failed: " + t, t);
        }
    }

    /**
     * The pointer stored at {@code address} (an out-parameter such as {@code posix_memalign}'s {@code
     * memptr}), read without a restricted method.
     *
     * @throws IllegalStateException when the agent could not reach the JDK's segment factory
     */
    public static long readAddress(long address) {
        MethodHandle h = rawSegment;
        try {
            if (h == null) {
                Class<?> factories = Class.forName("jdk.internal.foreign.SegmentFactories", false, null);
                h = MethodHandles.lookup()
                        .findStatic(
                                factories,
                                "makeNativeSegmentUnchecked",
                                MethodType.methodType(
                                        Class.forName("jdk.internal.foreign.NativeMemorySegmentImpl", false, null),
                                        long.class,
                                        long.class))
                        .asType(MethodType.methodType(MemorySegment.class, long.class, long.class));
                rawSegment = h;
            }
            MemorySegment word = (MemorySegment) h.invokeExact(address, ValueLayout.ADDRESS.byteSize());
            return word.get(ValueLayout.ADDRESS, 0).address();
        } catch (Throwable t) {
            throw new IllegalStateException("could not read the pointer at 0x" + Long.toHexString(address), t);
        }
    }

    /** What the agent does with each new downcall handle. Implementations must be thread-safe. */
    public abstract static class Linking {
        /** Constructor for the agent's implementation. */
        protected Linking() {}

        /**
         * The handle to give the program for a downcall to {@code address}: {@code handle}, or a handle
         * of exactly its type that also reports allocations and frees. Must not throw.
         */
        public abstract MethodHandle linked(long address, FunctionDescriptor function, MethodHandle handle);
    }
}
