package example.alpha;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The first test driver (alpha.jar): one method per JDK allocation path, each either leaking or
 * freeing, so that the report's call site names the path. Sizes are distinct so that each
 * allocation is recognised by its length.
 */
public final class Alpha {

    static final List<Object> KEEP = new ArrayList<>();
    static final List<WeakReference<Object>> DROPPED = new ArrayList<>();

    /* sun.misc.Unsafe through method handles: javac warns about any direct use of it ("internal
     * proprietary API"), a warning no annotation silences and -Werror fails on. */
    private static final UnsafeHandles UNSAFE = new UnsafeHandles();

    private Alpha() {}

    /** Runs every path; returns references to the memory that only the GC frees. */
    public static List<WeakReference<Object>> run(Path file) throws Exception {
        leakDirect();
        tempDirect();
        leakConfined();
        freeConfined();
        freeShared();
        leakShared();
        leakGlobal();
        leakAuto();
        tempAuto();
        leakUnsafe();
        freeUnsafe();
        growUnsafe();
        leakInternalUnsafe();
        leakMapped(file);
        tempMapped(file);
        freeMappedSegment(file);
        leakMappedSegment(file);
        leakThroughHandle();
        return DROPPED;
    }

    /* A call through a MethodHandle of malloc's shape, (long)long, whose target is Java code of
     * another driver: the site id this call gets names the caller of a C allocator downcall only,
     * so the direct buffer allocated behind it is beta's (found by a stack walk), not alpha's. */
    static void leakThroughHandle() throws Exception {
        MethodHandle h = MethodHandles.publicLookup()
                .findStatic(
                        example.beta.Beta.class, "allocateForHandle", MethodType.methodType(long.class, long.class));
        try {
            long bytes = (long) h.invokeExact(2600L);
            KEEP.add(bytes);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void leakDirect() {
        KEEP.add(ByteBuffer.allocateDirect(4096));
    }

    static void tempDirect() {
        DROPPED.add(new WeakReference<>(ByteBuffer.allocateDirect(1000)));
    }

    static void leakConfined() {
        Arena arena = Arena.ofConfined();
        KEEP.add(arena);
        KEEP.add(arena.allocate(2048));
    }

    static void freeConfined() {
        try (Arena arena = Arena.ofConfined()) {
            arena.allocate(777);
        }
    }

    static void freeShared() {
        try (Arena arena = Arena.ofShared()) {
            arena.allocate(333);
        }
    }

    static void leakShared() {
        Arena arena = Arena.ofShared();
        KEEP.add(arena);
        arena.allocate(3333);
    }

    static void leakGlobal() {
        Arena.global().allocate(111);
    }

    static void leakAuto() {
        KEEP.add(Arena.ofAuto().allocate(555));
    }

    static void tempAuto() {
        MemorySegment s = Arena.ofAuto().allocate(444);
        DROPPED.add(new WeakReference<>(s));
    }

    static void leakUnsafe() {
        KEEP.add(UNSAFE.allocateMemory(100));
    }

    static void freeUnsafe() {
        long p = UNSAFE.allocateMemory(50);
        UNSAFE.freeMemory(p);
    }

    static void growUnsafe() {
        long p = UNSAFE.allocateMemory(10);
        KEEP.add(UNSAFE.reallocateMemory(p, 300));
    }

    /** Through jdk.internal.misc.Unsafe by reflection (the JVM runs with its package exported). */
    static void leakInternalUnsafe() throws ReflectiveOperationException {
        Class<?> type = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = type.getMethod("getUnsafe").invoke(null);
        Method allocate = type.getMethod("allocateMemory", long.class);
        KEEP.add(allocate.invoke(unsafe, 200L));
    }

    static void leakMapped(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            KEEP.add(ch.map(FileChannel.MapMode.READ_ONLY, 0, 10000));
        }
    }

    static void tempMapped(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            DROPPED.add(new WeakReference<>(ch.map(FileChannel.MapMode.READ_ONLY, 0, 7000)));
        }
    }

    static void freeMappedSegment(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.map(FileChannel.MapMode.READ_ONLY, 0, 5000, arena);
        }
    }

    static void leakMappedSegment(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.map(FileChannel.MapMode.READ_ONLY, 0, 6000, Arena.global());
        }
    }
}
