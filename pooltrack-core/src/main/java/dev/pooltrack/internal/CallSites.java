package dev.pooltrack.internal;

import dev.pooltrack.CallSite;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The call sites seen so far, each with a small integer id that records store in place of the site.
 *
 * <p>Thread-safe. Id 0 is {@link CallSite#UNKNOWN}. {@link #capture()} walks the stack to the first
 * frame outside PoolTrack; it costs a stack walk and some garbage, which is why call sites can be
 * turned off and why callers can register a site once and pass its id. {@link #captureLazily(long)}
 * is the cheaper capture for a record: it keeps the stack as the JVM fills it in and finds the
 * site only when someone reads it.
 */
public final class CallSites {

    /**
     * The site id of a record whose call site is a stack captured by {@link #captureLazily(long)},
     * found by the record's address: never an id {@link #idOf(CallSite)} hands out.
     */
    public static final int PENDING = -1;

    /* Lazy capture. A stack walk that stops at the first frame outside PoolTrack costs more than
     * a Throwable with its stack filled in (StackCaptureBenchmark): the walk builds a frame object
     * and resolves a method for every frame it passes, where filling a Throwable copies method and
     * bytecode index pairs into arrays natively. So an allocation that only needs its site for a
     * later report (!verifier 3, the 0x62 listing, JMX, the JUnit extension) keeps a never-thrown
     * Throwable under its address, and the site is found in it on first read and kept in its place.
     * A StackTraceElement has no bytecode index, so such a site's index is -1; class, method, file
     * and line are those the walk finds. The frames skipped are those the walk skips: PoolTrack's
     * allocation path, and the reflection frames a StackWalker hides by default. */
    private static final class CapturedStack extends Throwable {
        private static final long serialVersionUID = 1L;

        CapturedStack() {
            super(null, null, false, true);
        }
    }

    private final ConcurrentHashMap<Long, Object> pending = new ConcurrentHashMap<>();
    private volatile boolean pendingExist;

    /* A kept stack costs about 800 bytes of heap while its block is outstanding, a resolved site an
     * entry of about 50 (the record itself is under 48). So stacks that stay are resolved in bulk,
     * as a generational collector promotes survivors: once enough stacks were captured since the
     * last sweep (FIRST_SWEEP, or a quarter of the entries the last sweep left, whichever is more),
     * the allocating thread that notices resolves every stack still kept. Blocks freed young are
     * mostly gone by then and cost nothing; at most about a quarter of the entries (or FIRST_SWEEP)
     * are unresolved stacks, and each sweep is paid for by the captures that led to it. Captures
     * are counted on one allocation in 1024, picked by address bits above the 16-byte alignment, so
     * counting costs no shared write on the other 1023. */
    static final long FIRST_SWEEP = 1 << 16;
    private static final long SWEEP_CHECK_MASK = 0x3FF0;
    private static final long CAPTURES_PER_CHECK = 1024;

    private final ReentrantLock sweeping = new ReentrantLock();
    private final AtomicLong checksSinceSweep = new AtomicLong();
    private final long firstSweep;
    private volatile long nextSweepCaptures;

    private static final StackWalker WALKER =
            StackWalker.getInstance(Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE), 8);

    /* Whether a class is on the allocation path, asked once per class. */
    private static final ClassValue<Boolean> CORE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return isPoolTrackCore(type.getName());
        }
    };

    /* The sites seen in each class, by method and bytecode index: a repeated capture reads the
     * frame's class, method and index and builds no StackTraceElement (its file and line are the
     * costly part of a walk). Kept in the class's ClassValue, so a plugin's classes can still be
     * unloaded: the values hold strings only. */
    private static final ClassValue<Map<FrameKey, CallSite>> SEEN = new ClassValue<>() {
        @Override
        protected Map<FrameKey, CallSite> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private record FrameKey(String method, int bytecodeIndex) {}

    private final ConcurrentHashMap<CallSite, Integer> ids = new ConcurrentHashMap<>();
    private final List<CallSite> sites = new ArrayList<>();

    public CallSites() {
        this(FIRST_SWEEP);
    }

    /** Sites whose kept stacks are first resolved in bulk when {@code firstSweep} blocks hold one. */
    CallSites(long firstSweep) {
        this.firstSweep = firstSweep;
        this.nextSweepCaptures = firstSweep;
        sites.add(CallSite.UNKNOWN);
        ids.put(CallSite.UNKNOWN, 0);
    }

    /** The id of {@code site}, registering it if new. */
    public int idOf(CallSite site) {
        Integer id = ids.get(site);
        return id != null ? id : register(site);
    }

    /** The site with the given id, or {@link CallSite#UNKNOWN} for an id never handed out. */
    public CallSite site(int id) {
        synchronized (sites) {
            return id >= 0 && id < sites.size() ? sites.get(id) : CallSite.UNKNOWN;
        }
    }

    /** The id of the calling code: the first frame outside PoolTrack's core. */
    public int capture() {
        return idOf(callerOutsidePoolTrack());
    }

    /**
     * Keeps the calling thread's stack for the block at {@code address}, to be resolved to a call
     * site when read by {@link #site(int, long)}; replaces a stack kept for an earlier block there.
     *
     * @return {@link #PENDING}, the site id the block's record keeps
     */
    public int captureLazily(long address) {
        pending.put(address, new CapturedStack());
        if (!pendingExist) {
            pendingExist = true;
        }
        if ((address & SWEEP_CHECK_MASK) == 0
                && checksSinceSweep.incrementAndGet() * CAPTURES_PER_CHECK >= nextSweepCaptures) {
            sweep();
        }
        return PENDING;
    }

    /** Resolves every stack still kept to its site, unless another thread is doing so. */
    private void sweep() {
        if (!sweeping.tryLock()) {
            return;
        }
        try {
            for (Map.Entry<Long, Object> e : pending.entrySet()) {
                if (e.getValue() instanceof CapturedStack stack) {
                    pending.replace(e.getKey(), stack, resolve(stack));
                }
            }
            nextSweepCaptures = Math.max(firstSweep, pending.mappingCount() / 4);
            checksSinceSweep.set(0);
        } finally {
            sweeping.unlock();
        }
    }

    /** The number of kept stacks not yet resolved to a site. */
    int stacksUnresolved() {
        return (int) pending.values().stream()
                .filter(v -> v instanceof CapturedStack)
                .count();
    }

    private CallSite resolve(CapturedStack stack) {
        return site(idOf(firstOutside(stack.getStackTrace())));
    }

    /** Drops the stack kept for the block at {@code address}, freed. */
    public void forget(long address) {
        if (pendingExist) {
            pending.remove(address);
        }
    }

    /** The number of blocks whose call site is kept by address: a captured stack, or the site resolved from it. */
    public int pendingCount() {
        return pending.size();
    }

    /**
     * The site of a record: {@link #site(int)} for a registered id, and for {@link #PENDING} the
     * first frame outside PoolTrack of the stack kept for {@code address} ({@link CallSite#UNKNOWN}
     * when none is kept).
     */
    public CallSite site(int id, long address) {
        if (id != PENDING) {
            return site(id);
        }
        Object kept = pending.get(address);
        if (kept instanceof CapturedStack stack) {
            CallSite site = resolve(stack);
            pending.replace(address, stack, site);
            return site;
        }
        return kept instanceof CallSite site ? site : CallSite.UNKNOWN;
    }

    /** The first frame of {@code frames} outside PoolTrack's core, as {@link #callerOutsidePoolTrack()} finds it. */
    static CallSite firstOutside(StackTraceElement[] frames) {
        for (StackTraceElement f : frames) {
            String name = f.getClassName();
            if (isPoolTrackCore(name) || isReflectionFrame(name)) {
                continue;
            }
            return new CallSite(name, f.getMethodName(), f.getFileName(), f.getLineNumber(), -1);
        }
        return CallSite.UNKNOWN;
    }

    /* The frames StackWalker leaves out unless asked for SHOW_REFLECT_FRAMES: Method.invoke,
     * Constructor.newInstance, their accessors and the lambda forms behind them. */
    private static boolean isReflectionFrame(String className) {
        return className.equals("java.lang.reflect.Method")
                || className.equals("java.lang.reflect.Constructor")
                || className.startsWith("jdk.internal.reflect.")
                || className.startsWith("java.lang.invoke.LambdaForm");
    }

    /** The first frame of the current stack outside PoolTrack's core packages. */
    public static CallSite callerOutsidePoolTrack() {
        return WALKER.walk(CallSites::firstOutside);
    }

    private static CallSite firstOutside(Stream<StackWalker.StackFrame> frames) {
        for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
            StackWalker.StackFrame f = it.next();
            if (CORE.get(f.getDeclaringClass())) {
                continue;
            }
            return siteOf(f);
        }
        return CallSite.UNKNOWN;
    }

    /**
     * The call site of a frame of a walker that retains class references, built the first time the
     * frame's class, method and bytecode index are seen and reused after.
     */
    public static CallSite siteOf(StackWalker.StackFrame f) {
        Map<FrameKey, CallSite> seen = SEEN.get(f.getDeclaringClass());
        FrameKey key = new FrameKey(f.getMethodName(), f.getByteCodeIndex());
        CallSite site = seen.get(key);
        if (site == null) {
            site = new CallSite(
                    f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber(), f.getByteCodeIndex());
            CallSite raced = seen.putIfAbsent(key, site);
            if (raced != null) {
                site = raced;
            }
        }
        return site;
    }

    /* The frames to skip are the allocation path's own: the API classes a caller calls
     * (dev.pooltrack.Driver, dev.pooltrack.PoolTrack, with their nested classes) and the engine. Any
     * other class is a caller, even in a dev.pooltrack package (examples, tests, JUnit extension). */
    static boolean isPoolTrackCore(String className) {
        return className.startsWith("dev.pooltrack.internal.")
                || isClassOrNested(className, "dev.pooltrack.Driver")
                || isClassOrNested(className, "dev.pooltrack.PoolTrack");
    }

    private static boolean isClassOrNested(String className, String outer) {
        return className.startsWith(outer)
                && (className.length() == outer.length() || className.charAt(outer.length()) == '$');
    }

    private int register(CallSite site) {
        synchronized (sites) {
            Integer id = ids.get(site);
            if (id != null) {
                return id;
            }
            int newId = sites.size();
            sites.add(site);
            ids.put(site, newId);
            return newId;
        }
    }
}
