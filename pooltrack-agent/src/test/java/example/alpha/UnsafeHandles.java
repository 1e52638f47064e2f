package example.alpha;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;

/** sun.misc.Unsafe's memory methods as method handles. */
public final class UnsafeHandles {

    private final MethodHandle allocate;
    private final MethodHandle reallocate;
    private final MethodHandle free;

    /** The handles, bound to the JDK's Unsafe instance. */
    public UnsafeHandles() {
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field f = type.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            allocate = l.findVirtual(type, "allocateMemory", MethodType.methodType(long.class, long.class))
                    .bindTo(unsafe);
            reallocate = l.findVirtual(
                            type, "reallocateMemory", MethodType.methodType(long.class, long.class, long.class))
                    .bindTo(unsafe);
            free = l.findVirtual(type, "freeMemory", MethodType.methodType(void.class, long.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@code Unsafe.allocateMemory}. */
    public long allocateMemory(long bytes) {
        try {
            return (long) allocate.invokeExact(bytes);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long reallocateMemory(long address, long bytes) {
        try {
            return (long) reallocate.invokeExact(address, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code Unsafe.freeMemory}. */
    public void freeMemory(long address) {
        try {
            free.invokeExact(address);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
