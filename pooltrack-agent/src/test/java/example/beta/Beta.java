package example.beta;

import example.helper.BufferPool;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The second test driver (beta.jar): leaks through a direct buffer, Unsafe and a helper library. */
public final class Beta {

    static final List<Object> KEEP = new ArrayList<>();

    private Beta() {}

    /** Leaks 8192 + 64 + 2500 bytes. */
    public static void run() throws ReflectiveOperationException {
        leakDirect();
        leakUnsafe();
        viaHelper();
    }

    static void leakDirect() {
        KEEP.add(ByteBuffer.allocateDirect(8192));
    }

    static void leakUnsafe() throws ReflectiveOperationException {
        Class<?> type = Class.forName("sun.misc.Unsafe");
        java.lang.reflect.Field f = type.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        KEEP.add(type.getMethod("allocateMemory", long.class).invoke(f.get(null), 64L));
    }

    static void viaHelper() {
        ByteBuffer b = BufferPool.acquire(2500);
        KEEP.add(b);
    }

    /**
     * Allocates a direct buffer through the helper for a caller that reaches this method through a
     * {@code MethodHandle} of a C allocator's shape ({@code Alpha.leakThroughHandle}): the buffer is
     * beta's, not the caller's.
     */
    public static long allocateForHandle(long bytes) {
        KEEP.add(BufferPool.acquire((int) bytes));
        return bytes;
    }

    /** Allocates and frees {@code n} segments of 64 bytes, each in its own confined arena. */
    public static void churn(int n) {
        for (int i = 0; i < n; i++) {
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                arena.allocate(64);
            }
        }
    }

    /** Allocates {@code n} direct buffers of {@code bytes} and frees none (for the attach test). */
    public static void leakMany(int n, int bytes) {
        for (int i = 0; i < n; i++) {
            KEEP.add(ByteBuffer.allocateDirect(bytes));
        }
    }
}
