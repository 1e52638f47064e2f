package dev.pooltrack.agent.advice;

import dev.pooltrack.agent.boot.Hooks;
import net.bytebuddy.asm.Advice;

/**
 * The advice inlined into JDK classes. Each names only {@link Hooks}, which the boot loader sees.
 *
 * <p>Not API: ByteBuddy reads these classes as templates, nothing calls them.
 */
public final class JdkAdvice {

    private JdkAdvice() {}

    /** {@code jdk.internal.misc.Unsafe.allocateMemory(long)}: every Unsafe, direct buffer and FFM allocation. */
    public static final class AllocateMemory {
        private AllocateMemory() {}

        /** The requested size, before Unsafe rounds it up to a heap word. */
        @Advice.OnMethodEnter
        public static long enter(@Advice.Argument(0) long bytes) {
            return bytes;
        }

        /** Reports the allocation once it succeeded. */
        @Advice.OnMethodExit
        public static void exit(@Advice.Enter long bytes, @Advice.Return long address) {
            Hooks.allocated(address, bytes);
        }
    }

    /** {@code jdk.internal.misc.Unsafe.reallocateMemory(long, long)}. */
    public static final class ReallocateMemory {
        private ReallocateMemory() {}

        /** The requested size. */
        @Advice.OnMethodEnter
        public static long enter(@Advice.Argument(1) long bytes) {
            return bytes;
        }

        /** Reports the move once it succeeded. */
        @Advice.OnMethodExit
        public static void exit(
                @Advice.Argument(0) long oldAddress, @Advice.Enter long bytes, @Advice.Return long address) {
            Hooks.reallocated(oldAddress, address, bytes);
        }
    }

    /** {@code jdk.internal.misc.Unsafe.freeMemory(long)}. */
    public static final class FreeMemory {
        private FreeMemory() {}

        /** Reports the free before the memory goes back to the allocator. */
        @Advice.OnMethodEnter
        public static void enter(@Advice.Argument(0) long address) {
            Hooks.freed(address);
        }
    }

    /** {@code java.nio.ByteBuffer.allocateDirect(int)}: the Unsafe allocation inside is a direct buffer. */
    public static final class AllocateDirect {
        private AllocateDirect() {}

        /** Marks the path with the capacity asked for. */
        @Advice.OnMethodEnter
        public static Object enter(@Advice.Argument(0) int capacity) {
            return Hooks.enterPath(Hooks.PATH_DIRECT_BUFFER, capacity);
        }

        /** Clears the mark, also when the allocation failed. */
        @Advice.OnMethodExit(onThrowable = Throwable.class)
        public static void exit(@Advice.Enter Object state) {
            Hooks.exitPath(state);
        }
    }

    /** {@code jdk.internal.foreign.SegmentFactories.allocateNativeSegment}: every arena's native segments. */
    public static final class AllocateNativeSegment {
        private AllocateNativeSegment() {}

        /** Marks the path with the segment's size. */
        @Advice.OnMethodEnter
        public static Object enter(@Advice.Argument(0) long byteSize) {
            return Hooks.enterPath(Hooks.PATH_SEGMENT, byteSize);
        }

        /** Clears the mark, also when the allocation failed. */
        @Advice.OnMethodExit(onThrowable = Throwable.class)
        public static void exit(@Advice.Enter Object state) {
            Hooks.exitPath(state);
        }
    }

    /** The constructor of {@code sun.nio.ch.FileChannelImpl$Unmapper}: a file region was mapped. */
    public static final class Mapped {
        private Mapped() {}

        /** Reports the mapping: its base address and the length the program asked for. */
        @Advice.OnMethodExit
        public static void exit(@Advice.FieldValue("address") long address, @Advice.FieldValue("cap") long cap) {
            Hooks.mapped(address, cap);
        }
    }

    /** {@code sun.nio.ch.FileChannelImpl$Unmapper.unmap()}. */
    public static final class Unmap {
        private Unmap() {}

        /** Reports the unmap before it happens. */
        @Advice.OnMethodEnter
        public static void enter(@Advice.FieldValue("address") long address) {
            Hooks.unmapped(address);
        }
    }

    /** {@code java.net.URLClassLoader.close()}: a plugin's loader closes, its drivers unload. */
    public static final class LoaderClose {
        private LoaderClose() {}

        /** Reports the close, also when closing a jar failed (the loader is closed either way). */
        @Advice.OnMethodExit(onThrowable = Throwable.class)
        public static void exit(@Advice.This Object loader) {
            Hooks.loaderClosed(loader);
        }
    }
}
