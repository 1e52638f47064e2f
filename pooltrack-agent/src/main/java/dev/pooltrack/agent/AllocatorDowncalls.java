package dev.pooltrack.agent;

import dev.pooltrack.agent.boot.Downcalls;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Downcall handles to the C allocator ({@code malloc}, {@code calloc}, {@code realloc}, {@code
 * free}, {@code posix_memalign}, {@code aligned_alloc}) that also report what they allocate and free:
 * the agent's {@code Jdwn} path, which sees native memory that libraries such as Netty 4.2 allocate
 * through {@link Linker} instead of through the JDK.
 *
 * <p>Thread-safe: the allocator's addresses are resolved once, when the first downcall handle is
 * made; each handle is wrapped with {@link MethodHandles} combinators and keeps the type of the
 * handle the program asked for.
 */
final class AllocatorDowncalls extends Downcalls.Linking {

    /* Which handles: a downcall handle is the allocator's when the address it calls is one of the
     * C allocator's functions, whatever SymbolLookup found it: the address Linker's default lookup
     * gives (the C library's) or the one dlsym(RTLD_DEFAULT) gives (the process-wide definition, which
     * an allocator preloaded with LD_PRELOAD replaces). Netty 4.2 looks malloc and free up with
     * dlsym(RTLD_DEFAULT); SymbolLookup.libraryLookup("libc.so.6") gives the C library's own. The
     * descriptor must have the function's number of arguments; anything else is left alone.
     *
     * PoolTrack's own handles (the engine's malloc and free in dev.pooltrack.internal) are left
     * alone: the engine counts that memory under the caller's tag already. The caller of
     * downcallHandle is the first frame after AbstractLinker's.
     *
     * Order: a free is reported before the memory goes back to the allocator, an allocation after
     * it returns, as on the JDK paths, so that an address is never seen in use twice. realloc(p, 0)
     * that returns NULL frees p; realloc returning NULL for a non-zero size failed and leaves p as it
     * was. The size of calloc(n, size) is n * size; posix_memalign's block is read from its memptr
     * argument when it returns 0. */

    /** The C allocator's functions watched, with their number of arguments. */
    enum Function {
        MALLOC(1),
        CALLOC(2),
        REALLOC(2),
        FREE(1),
        POSIX_MEMALIGN(3),
        ALIGNED_ALLOC(2);

        final int arity;

        Function(int arity) {
            this.arity = arity;
        }

        String symbol() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final MethodHandle ADDRESS_OF;
    private static final MethodHandle[] REPORTS = new MethodHandle[Function.values().length];

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ADDRESS_OF = l.findVirtual(MemorySegment.class, "address", MethodType.methodType(long.class));
            for (Function f : Function.values()) {
                Class<?>[] longs = new Class<?>[f == Function.FREE ? 1 : f.arity + 1];
                Arrays.fill(longs, long.class);
                String method = switch (f) {
                    case MALLOC -> "malloc";
                    case CALLOC -> "calloc";
                    case REALLOC -> "realloc";
                    case FREE -> "free";
                    case POSIX_MEMALIGN -> "posixMemalign";
                    case ALIGNED_ALLOC -> "alignedAlloc";
                };
                REPORTS[f.ordinal()] =
                        l.findVirtual(AllocatorDowncalls.class, method, MethodType.methodType(void.class, longs));
            }
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AgentRuntime runtime;
    private final Supplier<SymbolLookup> lookup;
    private final ToLongFunction<String> globalSymbols;
    private volatile Resolved resolved;

    /** The allocator's addresses, each with its function. */
    private record Resolved(long[] addresses, Function[] functions) {}

    /**
     * An instance that resolves the allocator's addresses when the first downcall handle is made, so
     * that a program that never links a native function pays nothing at start-up.
     *
     * @param runtime where allocations and frees are reported
     * @param lookup the C library's lookup ({@link Linker#defaultLookup()}), asked for when needed
     * @param globalSymbols dlsym(RTLD_DEFAULT): a name's process-wide address, or 0
     */
    AllocatorDowncalls(AgentRuntime runtime, Supplier<SymbolLookup> lookup, ToLongFunction<String> globalSymbols) {
        this.runtime = runtime;
        this.lookup = lookup;
        this.globalSymbols = globalSymbols;
    }

    private Resolved resolve() {
        Resolved r = resolved;
        if (r != null) {
            return r;
        }
        List<Long> a = new ArrayList<>();
        List<Function> f = new ArrayList<>();
        SymbolLookup libc = lookup.get();
        for (Function fn : Function.values()) {
            Optional<MemorySegment> own = libc.find(fn.symbol());
            if (own.isPresent() && own.get().address() != 0) {
                a.add(own.get().address());
                f.add(fn);
            }
            long global;
            try {
                global = globalSymbols.applyAsLong(fn.symbol());
            } catch (IllegalStateException e) {
                global = 0; // the default lookup's address is still watched
                if (Boolean.getBoolean("pooltrack.agent.debug")) {
                    System.err.println("pooltrack-agent: " + e.getMessage());
                }
            }
            if (global != 0 && (own.isEmpty() || own.get().address() != global)) {
                a.add(global);
                f.add(fn);
            }
        }
        r = new Resolved(a.stream().mapToLong(Long::longValue).toArray(), f.toArray(Function[]::new));
        resolved = r;
        if (Boolean.getBoolean("pooltrack.agent.debug")) {
            StringBuilder b = new StringBuilder("pooltrack-agent: C allocator functions watched:");
            for (int i = 0; i < f.size(); i++) {
                b.append(' ').append(f.get(i).symbol()).append("=0x").append(Long.toHexString(a.get(i)));
            }
            System.err.println(b);
        }
        return r;
    }

    /** {@code dlsym(RTLD_DEFAULT, name)} on this platform, or 0 where the platform has no such handle. */
    static long rtldDefault(String name) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        long handle;
        if (os.contains("linux")) {
            handle = 0L; // RTLD_DEFAULT is ((void *) 0) in glibc and musl
        } else if (os.contains("mac") || os.contains("darwin") || os.contains("bsd")) {
            handle = -2L; // ((void *) -2)
        } else {
            return 0; // Windows: no process-wide lookup; the default lookup's address is the one
        }
        return Downcalls.dlsym(handle, name);
    }

    /** The watched function at {@code address}, or {@code null}. */
    Function functionAt(long address) {
        Resolved r = resolve();
        for (int i = 0; i < r.addresses().length; i++) {
            if (r.addresses()[i] == address) {
                return r.functions()[i];
            }
        }
        return null;
    }

    @Override
    public MethodHandle linked(long address, FunctionDescriptor descriptor, MethodHandle handle) {
        try {
            Function f = functionAt(address);
            if (f == null) {
                return handle;
            }
            String caller = callerOfLinker();
            if (caller != null && Attribution.isPoolTrack(caller)) {
                return handle;
            }
            MethodHandle w = wrap(f, descriptor, handle);
            if (w == null) {
                return handle;
            }
            if (Boolean.getBoolean("pooltrack.agent.debug")) {
                System.err.println("pooltrack-agent: downcall handle " + handle.type() + " for " + f.symbol()
                        + " made by " + caller + " reports to PoolTrack");
            }
            return w;
        } catch (Throwable t) {
            return handle; // the program gets the handle it asked for
        }
    }

    private static String callerOfLinker() {
        return StackWalker.getInstance().walk(frames -> {
            boolean inLinker = false;
            for (var it = frames.iterator(); it.hasNext(); ) {
                String c = it.next().getClassName();
                if (c.equals(DowncallInstaller.LINKER)) {
                    inLinker = true;
                } else if (inLinker) {
                    return c;
                }
            }
            return null;
        });
    }

    /** A handle of {@code handle}'s type that reports to the runtime, or {@code null} for an unknown shape. */
    MethodHandle wrap(Function f, FunctionDescriptor descriptor, MethodHandle handle) {
        MethodType t = handle.type();
        int k = f.arity;
        if (descriptor.argumentLayouts().size() != k || t.parameterCount() < k) {
            return null;
        }
        int lead = t.parameterCount() - k; // a captured-call-state segment comes first
        MethodHandle[] args = new MethodHandle[k];
        for (int j = 0; j < k; j++) {
            args[j] = toLong(t.parameterType(lead + j));
            if (args[j] == null) {
                return null;
            }
        }
        MethodHandle report = REPORTS[f.ordinal()].bindTo(this);
        if (f == Function.FREE) {
            if (t.returnType() != void.class) {
                return null;
            }
            report = MethodHandles.filterArguments(report, 0, args[0]);
            report = MethodHandles.permuteArguments(report, t, lead);
            return MethodHandles.foldArguments(handle, report);
        }
        Class<?> r = t.returnType();
        MethodHandle result = toLong(r);
        if (result == null) {
            return null;
        }
        MethodHandle[] filters = new MethodHandle[k + 1];
        filters[0] = result;
        System.arraycopy(args, 0, filters, 1, k);
        report = MethodHandles.filterArguments(report, 0, filters);
        int[] reorder = new int[k + 1];
        for (int j = 0; j < k; j++) {
            reorder[j + 1] = 1 + lead + j;
        }
        MethodType full = t.insertParameterTypes(0, r).changeReturnType(void.class);
        report = MethodHandles.permuteArguments(report, full, reorder);
        MethodHandle passThrough = MethodHandles.dropArguments(MethodHandles.identity(r), 1, t.parameterList());
        MethodHandle after = MethodHandles.foldArguments(passThrough, report);
        return MethodHandles.foldArguments(after, handle);
    }

    /* A value of the handle's type as a long: an address (MemorySegment), or an integer widened. */
    private static MethodHandle toLong(Class<?> c) {
        if (c == MemorySegment.class) {
            return ADDRESS_OF;
        }
        if (c == long.class) {
            return MethodHandles.identity(long.class);
        }
        if (c == int.class || c == short.class || c == byte.class || c == char.class) {
            return MethodHandles.identity(long.class).asType(MethodType.methodType(long.class, c));
        }
        return null;
    }

    // ---------------------------------------------------------------- reports, bound into the handles

    void malloc(long address, long size) {
        runtime.downcallAllocated(address, size);
    }

    void calloc(long address, long count, long size) {
        runtime.downcallAllocated(address, count * size); // calloc returns NULL when the product overflows
    }

    void realloc(long address, long old, long size) {
        if (old == 0) {
            runtime.downcallAllocated(address, size);
        } else if (address != 0) {
            runtime.reallocated(old, address, size);
        } else if (size == 0) {
            runtime.freed(old);
        }
    }

    void free(long address) {
        runtime.downcallFreed(address);
    }

    void posixMemalign(long result, long memptr, long alignment, long size) {
        if (result == 0 && memptr != 0) {
            long address;
            try {
                address = Downcalls.readAddress(memptr);
            } catch (IllegalStateException e) {
                return; // the block goes unseen; the program's call succeeded and must not fail here
            }
            runtime.downcallAllocated(address, size);
        }
    }

    void alignedAlloc(long address, long alignment, long size) {
        runtime.downcallAllocated(address, size);
    }
}
