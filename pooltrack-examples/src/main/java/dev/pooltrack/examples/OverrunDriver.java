package dev.pooltrack.examples;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A sample plugin with a classic C bug: it hands a {@value #RECORD}-byte record buffer to native
 * code ({@code memset} through an FFM downcall) with the length of the record plus its
 * {@value #TRAILER}-byte trailer, so native code writes {@value #TRAILER} bytes past the end.
 *
 * <p>Java code cannot overrun a segment (its bounds are checked); native code can, and that is what
 * Pool Tracking's tail zone finds at free and special pool catches as it happens. Thread-safe as far
 * as its driver is.
 */
public final class OverrunDriver {

    /** The plugin's driver name. */
    public static final String NAME = "overrun-plugin";
    /** The tag of its record buffers. */
    public static final Tag TAG = Tag.of("Ovrn");
    /** The record buffer's size. */
    public static final int RECORD = 96;
    /** The bytes native code writes past the end. */
    public static final int TRAILER = 24;

    private static final MethodHandle MEMSET;

    static {
        Linker linker = Linker.nativeLinker();
        @SuppressWarnings("restricted")
        MethodHandle h = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("memset"),
                FunctionDescriptor.of(
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MEMSET = h;
    }

    private final Driver driver;

    /** The plugin, allocating through {@code driver}. */
    public OverrunDriver(Driver driver) {
        this.driver = driver;
    }

    /** Allocates a record buffer and has native code fill it, {@value #TRAILER} bytes too far. */
    public MemorySegment fillRecord() {
        MemorySegment record =
                InsufficientResources.check(driver.allocate(PoolType.NON_PAGED, RECORD, TAG), "a record");
        memset(record.address(), 0x42, RECORD + TRAILER);
        return record;
    }

    /** Frees a record buffer. */
    public void release(MemorySegment record) {
        driver.free(record, TAG);
    }

    /** Allocates a record buffer and has native code clear it from 16 bytes before its start: an underrun. */
    public MemorySegment clearFromBefore() {
        MemorySegment record =
                InsufficientResources.check(driver.allocate(PoolType.NON_PAGED, RECORD, TAG), "a record");
        memset(record.address() - 16, 0, RECORD + 16);
        return record;
    }

    /** Frees a record buffer and then has native code clear it: a use after free. */
    public void clearAfterRelease() {
        MemorySegment record =
                InsufficientResources.check(driver.allocate(PoolType.NON_PAGED, RECORD, TAG), "a record");
        driver.free(record, TAG);
        memset(record.address(), 0, RECORD);
    }

    /** {@code memset(address, value, bytes)} in the C library. */
    public static void memset(long address, int value, long bytes) {
        try {
            long ignored = (long) MEMSET.invokeExact(address, value, bytes);
            assert ignored == address;
        } catch (Throwable t) {
            throw new AssertionError("memset downcall failed", t);
        }
    }

    /**
     * Runs the plugin in the JVM's pool ({@link PoolTrack#system()}, with the settings file's
     * settings): {@code overrun} fills a record too far and frees it; {@code underrun} clears a record
     * from before its start and frees it; {@code use-after-free} clears a freed record. Under special pool the JVM dies of the fault; without it the program ends.
     */
    public static void main(String[] args) {
        String mode = args.length == 0 ? "overrun" : args[0];
        PoolTrack pool = PoolTrack.system();
        OverrunDriver plugin = new OverrunDriver(pool.load(NAME));
        System.out.println("overrun-plugin loaded; " + mode + " next");
        System.out.flush();
        switch (mode) {
            case "overrun" -> plugin.release(plugin.fillRecord());
            case "underrun" -> plugin.release(plugin.clearFromBefore());
            case "use-after-free" -> plugin.clearAfterRelease();
            default ->
                throw new IllegalArgumentException(
                        "unknown mode '" + mode + "': use overrun, underrun or use-after-free");
        }
        System.out.println("the JVM survived: "
                + pool.snapshot().global().allocationsSucceededSpecialPool()
                + " allocations from special pool");
    }
}
