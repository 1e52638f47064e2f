package dev.pooltrack.agent.boot;

/**
 * The entry points that code instrumented by PoolTrack's agent calls: advice inlined into JDK classes
 * ({@code jdk.internal.misc.Unsafe}, {@code java.nio.ByteBuffer}, FFM's {@code SegmentFactories},
 * the mapped-file unmapper, {@code URLClassLoader}) and site ids injected into application classes.
 *
 * <p>This class lives on the boot class path (the agent appends a small jar holding this package),
 * so JDK classes can see it. Each method forwards to the {@link Sink} that the agent installed, and
 * does nothing before that. Thread-safe. Not API: only instrumented code calls it.
 */
public final class Hooks {

    /* Why a boot-path class: advice is inlined into java.base classes, whose loader (the boot loader)
     * must resolve every class the advice names. The agent's own classes are on the application class
     * path, so the only way from java.base to them is through a type the boot loader can see: this
     * class and its Sink (Instrumentation.appendToBootstrapClassLoaderSearch, the pattern of Google's
     * allocation-instrumenter and Agrona's BufferAlignmentAgent). The package name is PoolTrack's own
     * so that it cannot collide with another agent's boot classes. */

    /** What the JDK path of an allocation was, passed to {@link #enterPath}. */
    public static final int PATH_DIRECT_BUFFER = 1;

    /** FFM native segment allocation ({@code Arena.allocate} and friends). */
    public static final int PATH_SEGMENT = 2;

    private static volatile Sink sink;

    private Hooks() {}

    /** Installs the agent's sink; {@code null} turns the hooks off. */
    public static void install(Sink s) {
        sink = s;
    }

    /** The sink installed, or {@code null}. */
    public static Sink installed() {
        return sink;
    }

    /** An injected call site is about to call an allocating JDK method. */
    public static void site(int id) {
        Sink s = sink;
        if (s != null) {
            s.site(id);
        }
    }

    /** The call after {@link #site} returned. */
    public static void siteDone() {
        Sink s = sink;
        if (s != null) {
            s.siteDone();
        }
    }

    /**
     * A JDK allocation path is entered: the next {@link #allocated} on this thread is its memory.
     *
     * @return what to hand to {@link #exitPath} (the thread's state, so that the exit need not look
     *     it up again), or {@code null}
     */
    public static Object enterPath(int path, long requestedBytes) {
        Sink s = sink;
        return s != null ? s.enterPath(path, requestedBytes) : null;
    }

    /** The JDK allocation path returned or threw; {@code enterState} is what {@link #enterPath} returned. */
    public static void exitPath(Object enterState) {
        Sink s = sink;
        if (s != null) {
            s.exitPath(enterState);
        }
    }

    /** {@code Unsafe.allocateMemory(bytes)} returned {@code address}. */
    public static void allocated(long address, long bytes) {
        Sink s = sink;
        if (s != null) {
            s.allocated(address, bytes);
        }
    }

    /** {@code Unsafe.reallocateMemory(oldAddress, bytes)} returned {@code address}. */
    public static void reallocated(long oldAddress, long address, long bytes) {
        Sink s = sink;
        if (s != null) {
            s.reallocated(oldAddress, address, bytes);
        }
    }

    /** {@code Unsafe.freeMemory(address)} is about to free. */
    public static void freed(long address) {
        Sink s = sink;
        if (s != null) {
            s.freed(address);
        }
    }

    /** A file region was mapped at {@code address} for {@code bytes} bytes. */
    public static void mapped(long address, long bytes) {
        Sink s = sink;
        if (s != null) {
            s.mapped(address, bytes);
        }
    }

    /** The mapping at {@code address} is about to be unmapped. */
    public static void unmapped(long address) {
        Sink s = sink;
        if (s != null) {
            s.unmapped(address);
        }
    }

    /** A class loader was closed ({@code URLClassLoader.close}). */
    public static void loaderClosed(Object loader) {
        Sink s = sink;
        if (s != null) {
            s.loaderClosed(loader);
        }
    }

    /**
     * What the agent does at each hook. Implementations must be thread-safe and must not throw,
     * except the error of the verifier's {@code throw} response.
     */
    public abstract static class Sink {
        /** Constructor for the agent's implementation. */
        protected Sink() {}

        /** See {@link Hooks#site}. */
        public abstract void site(int id);

        /** See {@link Hooks#siteDone}. */
        public abstract void siteDone();

        /** See {@link Hooks#enterPath}. */
        public abstract Object enterPath(int path, long requestedBytes);

        /** See {@link Hooks#exitPath}; {@code enterState} may be {@code null} or another sink's. */
        public abstract void exitPath(Object enterState);

        /** See {@link Hooks#allocated}. */
        public abstract void allocated(long address, long bytes);

        /** See {@link Hooks#reallocated}. */
        public abstract void reallocated(long oldAddress, long address, long bytes);

        /** See {@link Hooks#freed}. */
        public abstract void freed(long address);

        /** See {@link Hooks#mapped}. */
        public abstract void mapped(long address, long bytes);

        /** See {@link Hooks#unmapped}. */
        public abstract void unmapped(long address);

        /** See {@link Hooks#loaderClosed}. */
        public abstract void loaderClosed(Object loader);
    }
}
