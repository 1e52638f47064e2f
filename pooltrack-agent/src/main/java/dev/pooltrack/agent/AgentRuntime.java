package dev.pooltrack.agent;

import dev.pooltrack.CallSite;
import dev.pooltrack.Driver;
import dev.pooltrack.DriverStatus;
import dev.pooltrack.DriverVerifierError;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.agent.boot.Hooks;
import dev.pooltrack.spi.AllocationObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the agent does at each hook: finds the driver, tag and call site of an allocation and reports
 * it, and its free, to PoolTrack's engine through {@link AllocationObserver}.
 *
 * <p>Thread-safe. Never throws into the instrumented code except the verifier's {@link
 * DriverVerifierError} under the {@code throw} response: any other failure is counted, printed once,
 * and the application goes on.
 */
final class AgentRuntime extends Hooks.Sink {

    /* The allocation path, in order: the hook reads the thread's state (an injected site id and the
     * JDK path being run, both set by earlier hooks on this thread), chooses the driver (the one
     * PoolTrack.runAs names for this thread, else the injected site's, a stack walk's, or none when
     * nothing verified needs it), and reports. The stack walk is
     * the costly step; it runs only when some driver is verified or tag rules exist, and never for a
     * call site injected at class load (unique tags need the site too). A busy flag per thread keeps the agent's own allocations (and
     * the JDK's on its behalf) out of the pool. Frees are reported before the memory goes back to the
     * allocator and allocations after it returns, so that an address is never seen in use twice. */

    static final int JDBB = Tag.of("Jdbb").value();
    static final int JUSF = Tag.of("Jusf").value();
    static final int JFFM = Tag.of("Jffm").value();
    static final int JMAP = Tag.of("Jmap").value();
    static final int JDWN = Tag.of("Jdwn").value();

    /** The driver charged when nothing verified needs to know who allocated. */
    static final String UNATTRIBUTED = "(unattributed)";

    private static final int NON_PAGED = PoolType.NON_PAGED.code();
    private static final int PAGED = PoolType.PAGED.code();

    static final class ThreadState {
        /** The id of the thread whose state this is (ids are never reused). */
        final long owner;

        int site;
        int path;
        long pathBytes;
        boolean busy;
        int countdown;
        final long[] record = new long[AllocationObserver.RECORD_LENGTH];

        ThreadState(long owner) {
            this.owner = owner;
        }
    }

    /* Finding the thread's state was a ThreadLocal lookup in every hook (the map probe, the weak
     * key's check): about four per direct buffer or segment. As the engine's PoolCounters.cell()
     * does, a small table indexed by the low bits of the thread id holds the states found so far; a
     * hit is one array load and one compare of the owner's id with the current thread's. Entries are
     * written racily with a plain store, which is safe because the owner field is final; two live
     * threads whose ids share the low bits overwrite each other's entry and each falls back to the
     * ThreadLocal, still finding its own state. A state holds the thread's id, not the Thread, so the
     * table keeps no ended thread (nor its context class loader) alive. Virtual threads, which may be
     * millions, are never cached. */
    private static final int CACHED_THREADS = 256;

    /* The JDK paths' tags, indexed by the *_SLOT constants, and their indexes in the pool's tag
     * table, looked up on first use (registering them at start-up would list them in !poolused before
     * anything is allocated under them). Written racily: a tag's index never changes. */
    private static final int[] PATH_TAGS = {JDBB, JUSF, JFFM, JMAP, JDWN};
    private static final int JDBB_SLOT = 0, JUSF_SLOT = 1, JFFM_SLOT = 2, JMAP_SLOT = 3, JDWN_SLOT = 4;

    /**
     * The settings in force and what they ask of each allocation. {@code lean}: nothing but the
     * per-tag counters is asked for (no driver verified, no tag rule, no unique tags, no stacks), so an
     * allocation needs no driver, no call site and no busy flag. The allocation log holds verified
     * drivers' allocations only, so it has nothing to record then; JFR events are still emitted.
     */
    private record Mode(VerifierSettings settings, boolean walk, boolean callSites, boolean lean) {}

    final PoolTrack pool;
    final AllocationObserver observer;
    final AgentOptions options;
    final Attribution attribution;
    final LoaderWatch loaders;
    final InjectedSites sites = new InjectedSites();
    final StackTable stacks;
    final AllocationLog log;
    private final boolean jfr;
    private final Map<String, DriverRef> refs = new ConcurrentHashMap<>();
    private final List<DriverRef> refsById = new ArrayList<>();
    private final Map<Integer, CallSite> coreSites = new ConcurrentHashMap<>();
    private final Map<CallSite, Integer> siteIds = new ConcurrentHashMap<>();
    private final DriverRef unattributed;
    private final java.util.function.IntFunction<Object> siteNames = this::callSiteOf;
    private final ThreadState[] statesByThread = new ThreadState[CACHED_THREADS];
    private final ThreadLocal<ThreadState> local =
            ThreadLocal.withInitial(() -> new ThreadState(Thread.currentThread().threadId()));
    private final int[] pathTagIndexes = {-1, -1, -1, -1, -1};
    private final AtomicLong internalErrors = new AtomicLong();
    private volatile Mode mode;

    AgentRuntime(PoolTrack pool, AgentOptions options, boolean jfr) {
        this.pool = pool;
        this.observer = AllocationObserver.of(pool);
        this.options = options;
        this.jfr = jfr;
        this.loaders = new LoaderWatch(this::unload);
        this.attribution =
                new Attribution(options.helpers(), new Attribution.TagRules(options.rules()), loaders, this::ref);
        this.stacks = options.stacks() == AgentOptions.StackMode.OFF ? null : new StackTable();
        this.log = new AllocationLog(options.history());
        this.unattributed = ref(UNATTRIBUTED);
    }

    /** The calling thread's state. */
    ThreadState state() {
        Thread t = Thread.currentThread();
        long id = t.threadId();
        ThreadState ts = statesByThread[(int) id & (CACHED_THREADS - 1)];
        if (ts != null && ts.owner == id) {
            return ts;
        }
        return stateMissed(t, id);
    }

    private ThreadState stateMissed(Thread t, long id) {
        ThreadState ts = local.get();
        if (!t.isVirtual()) {
            statesByThread[(int) id & (CACHED_THREADS - 1)] = ts;
        }
        return ts;
    }

    private int tagIndexOf(int slot) {
        int i = pathTagIndexes[slot];
        if (i < 0) {
            i = observer.tagIndex(PATH_TAGS[slot]);
            pathTagIndexes[slot] = i;
        }
        return i;
    }

    // ---------------------------------------------------------------- hooks

    /* Call sites are injected into classes whatever the mode, since settings may verify their driver
     * later; on the lean path nothing reads them, so these two hooks read no thread state there (the
     * lean allocation clears the site anyway, so a site set before the mode changed is not kept). */

    @Override
    public void site(int id) {
        if (mode().lean()) {
            return;
        }
        ThreadState ts = state();
        if (!ts.busy) {
            ts.site = id;
        }
    }

    @Override
    public void siteDone() {
        if (mode().lean()) {
            return;
        }
        ThreadState ts = state();
        if (!ts.busy) {
            ts.site = 0;
        }
    }

    @Override
    public Object enterPath(int path, long requestedBytes) {
        ThreadState ts = state();
        if (!ts.busy) {
            ts.path = path;
            ts.pathBytes = requestedBytes;
        }
        return ts;
    }

    @Override
    public void exitPath(Object enterState) {
        ThreadState ts = enterState instanceof ThreadState t ? t : state();
        if (!ts.busy) {
            ts.path = 0;
        }
    }

    @Override
    public void allocated(long address, long bytes) {
        if (address == 0) {
            return;
        }
        ThreadState ts = state();
        if (ts.busy) {
            return;
        }
        int path = ts.path;
        ts.path = 0;
        int slot;
        long size = bytes;
        if (path == Hooks.PATH_DIRECT_BUFFER) {
            slot = JDBB_SLOT;
            size = ts.pathBytes;
        } else if (path == Hooks.PATH_SEGMENT) {
            slot = JFFM_SLOT;
            size = ts.pathBytes;
        } else {
            slot = JUSF_SLOT;
        }
        if (mode().lean()) {
            ts.site = 0;
            counted(NON_PAGED, address, size, slot);
        } else {
            record(ts, NON_PAGED, address, size, slot);
        }
    }

    /* A downcall's lean path reads no busy flag: the flag keeps out what the agent and the engine
     * allocate through the JDK on their own behalf, and neither calls the C allocator through a
     * handle the agent watches (their own handles are left unwrapped). Its free reads no thread
     * state at all unless a JFR recording wants the freed block's record: the engine then counts
     * the free with a record array of the thread's own records. */

    /** A C allocator function called through a downcall handle ({@link AllocatorDowncalls}) returned {@code address}. */
    void downcallAllocated(long address, long bytes) {
        if (address == 0) {
            return;
        }
        if (mode().lean()) {
            counted(NON_PAGED, address, bytes, JDWN_SLOT);
            return;
        }
        ThreadState ts = state();
        if (!ts.busy) {
            record(ts, NON_PAGED, address, bytes, JDWN_SLOT);
        }
    }

    @Override
    public void mapped(long address, long bytes) {
        if (address == 0) {
            return;
        }
        ThreadState ts = state();
        if (!ts.busy) {
            record(ts, PAGED, address, bytes, JMAP_SLOT);
        }
    }

    @Override
    public void reallocated(long oldAddress, long address, long bytes) {
        if (oldAddress == 0) {
            allocated(address, bytes);
            return;
        }
        ThreadState ts = state();
        if (ts.busy || address == 0) {
            return;
        }
        ts.busy = true;
        try {
            observer.reallocated(oldAddress, address, bytes);
            if (stacks != null) {
                stacks.moved(oldAddress, address, bytes);
            }
        } catch (DriverVerifierError e) {
            throw e;
        } catch (Throwable t) {
            internalError(t);
        } finally {
            ts.busy = false;
        }
    }

    /** A C {@code free} called through a downcall handle ({@link AllocatorDowncalls}) is about to free {@code address}. */
    void downcallFreed(long address) {
        if (address == 0) {
            return;
        }
        if (mode().lean()) {
            uncounted(null, address);
            return;
        }
        freed(address);
    }

    @Override
    public void freed(long address) {
        if (address == 0) {
            return;
        }
        ThreadState ts = state();
        if (ts.busy) {
            return;
        }
        if (mode().lean()) {
            uncounted(ts, address);
        } else {
            freedTracked(ts, address);
        }
    }

    private void freedTracked(ThreadState ts, long address) {
        ts.busy = true;
        try {
            long[] r = ts.record;
            if (observer.freed(address, r)) {
                if (stacks != null) {
                    stacks.freed(address);
                }
                if (log.enabled() || jfr) {
                    freedSlow(ts, address, r);
                }
            }
        } catch (DriverVerifierError e) {
            throw e;
        } catch (Throwable t) {
            internalError(t);
        } finally {
            ts.busy = false;
        }
    }

    @Override
    public void unmapped(long address) {
        freed(address);
    }

    @Override
    public void loaderClosed(Object loader) {
        ThreadState ts = state();
        if (ts.busy) {
            return;
        }
        ts.busy = true;
        try {
            loaders.closed(loader);
        } catch (DriverVerifierError e) {
            throw e;
        } catch (Throwable t) {
            internalError(t);
        } finally {
            ts.busy = false;
        }
    }

    // ---------------------------------------------------------------- allocation

    /** Records an allocation under the tag of {@code tagSlot}, one of the *_SLOT constants, or a rule's. */
    private void record(ThreadState ts, int poolType, long address, long size, int tagSlot) {
        int injected = ts.site;
        ts.site = 0;
        Mode m = mode();
        if (m.lean()) {
            counted(poolType, address, size, tagSlot);
            return;
        }
        ts.busy = true;
        try {
            DriverRef ref;
            LoaderWatch.LoaderState loader;
            int tag = PATH_TAGS[tagSlot];
            int site = 0;
            InjectedSites.Site s = injected == 0 ? null : sites.get(injected);
            if (s != null && s.downcallOnly() && tagSlot != JDWN_SLOT) {
                s = null;
            }
            if (s != null) {
                ref = s.driver();
                loader = s.loader();
                site = s.coreSite();
                if (s.ruleTag() != 0) {
                    tag = s.ruleTag();
                }
            } else if (m.walk()) {
                Attribution.Caller c = attribution.caller();
                ref = c.origin().driver();
                loader = c.origin().loader();
                if (c.origin().ruleTag() != 0) {
                    tag = c.origin().ruleTag();
                }
                if (c.site() != null) {
                    site = siteId(c.site());
                }
            } else {
                ref = unattributed;
                loader = null;
            }
            if (!m.callSites()) {
                site = 0;
            }
            Driver current = observer.currentDriver();
            Driver d;
            if (current != null) {
                // PoolTrack.runAs/callAs named the driver of this unit of work (a test, a request)
                d = current;
                if (!ref.name.equals(current.name())) {
                    ref = ref(current.name());
                }
            } else {
                d = ref.resolve(observer, loader);
            }
            StackTable.CapturedStack stack = null;
            if (stacks != null && sampled(ts)) {
                stack = StackTable.capture();
            }
            int tagIndex = tag == PATH_TAGS[tagSlot] ? tagIndexOf(tagSlot) : -1; // a rule's tag: looked up
            observer.allocated(d, poolType, address, size, tag, tagIndex, site);
            if (stack != null) {
                stacks.allocated(address, tag, size, ref.name, stack);
            }
            if (d.isVerified()) {
                log.allocated(address, size, tag, poolType, ref.id, site, stack);
            }
            if (jfr) {
                JfrEvents.allocated(tag, size, ref.name, poolType, address, site, siteNames);
            }
        } catch (DriverVerifierError e) {
            throw e;
        } catch (Throwable t) {
            internalError(t);
        } finally {
            ts.busy = false;
        }
    }

    /* The lean path: per-tag counters and the record that lets the free find size and tag. What
     * the engine does here allocates no native memory, so the busy flag need not be set. JFR events
     * cost a check that the JIT folds away while no recording has them enabled; a free reads its
     * record back only when one does. The tag is the JDK path's, whose index in the pool's tag table
     * is known. */
    private void counted(int poolType, long address, long size, int tagSlot) {
        int tag = PATH_TAGS[tagSlot];
        try {
            observer.allocated(
                    unattributed.resolve(observer, null), poolType, address, size, tag, tagIndexOf(tagSlot), 0);
            if (jfr) {
                JfrEvents.allocated(tag, size, UNATTRIBUTED, poolType, address, 0, siteNames);
            }
        } catch (DriverVerifierError e) {
            throw e;
        } catch (Throwable t) {
            internalError(t);
        }
    }

    /* The lean free. Only a JFR recording of free events needs the freed block's record back;
     * without one the engine counts the free with a record array of its own, and the agent's
     * thread state (known, or null if the caller has not looked it up) is not needed. */
    private void uncounted(ThreadState known, long address) {
        try {
            if (!jfr || !JfrEvents.freeRecorded()) {
                observer.freed(address);
                return;
            }
            long[] r = (known != null ? known : state()).record;
            if (observer.freed(address, r)) {
                JfrEvents.freed(
                        (int) r[AllocationObserver.TAG],
                        r[AllocationObserver.SIZE],
                        observer.driverAt((int) r[AllocationObserver.DRIVER]).name(),
                        (int) r[AllocationObserver.POOL_TYPE],
                        address);
            }
        } catch (DriverVerifierError e) {
            throw e;
        } catch (Throwable t) {
            internalError(t);
        }
    }

    private void freedSlow(ThreadState ts, long address, long[] r) {
        Driver d = observer.driverAt((int) r[AllocationObserver.DRIVER]);
        int tag = (int) r[AllocationObserver.TAG];
        int poolType = (int) r[AllocationObserver.POOL_TYPE];
        if (log.enabled() && d.isVerified()) {
            StackTable.CapturedStack stack =
                    stacks != null && options.freeStacks() && sampled(ts) ? StackTable.capture() : null;
            log.freed(
                    address,
                    r[AllocationObserver.SIZE],
                    tag,
                    poolType,
                    (int) r[AllocationObserver.DRIVER],
                    (int) r[AllocationObserver.SITE],
                    stack);
        }
        if (jfr) {
            JfrEvents.freed(tag, r[AllocationObserver.SIZE], d.name(), poolType, address);
        }
    }

    private boolean sampled(ThreadState ts) {
        if (options.stacks() == AgentOptions.StackMode.ALL) {
            return true;
        }
        if (--ts.countdown <= 0) {
            ts.countdown = options.stackSampleEvery();
            return true;
        }
        return false;
    }

    /* Small enough to be inlined into every hook: the mode is recomputed out of line, once per
     * change of settings. */
    private Mode mode() {
        VerifierSettings s = pool.settings();
        Mode m = mode;
        return m != null && m.settings() == s ? m : newMode(s);
    }

    private Mode newMode(VerifierSettings s) {
        boolean verifiesSome =
                s.poolTracking() && (s.allDrivers() || !s.drivers().isEmpty());
        boolean walk =
                verifiesSome || !options.rules().isEmpty() || !s.uniqueTags().isEmpty();
        boolean lean = !walk && stacks == null;
        Mode m = new Mode(s, walk, s.callSites() || !s.uniqueTags().isEmpty(), lean);
        mode = m;
        return m;
    }

    // ---------------------------------------------------------------- drivers, sites, unload

    /** The driver reference for a name, created on first use. */
    DriverRef ref(String name) {
        DriverRef r = refs.get(name);
        if (r != null) {
            return r;
        }
        synchronized (refsById) {
            return refs.computeIfAbsent(name, n -> {
                DriverRef created = new DriverRef(n, refsById.size());
                refsById.add(created);
                return created;
            });
        }
    }

    String driverName(int id) {
        synchronized (refsById) {
            return id >= 0 && id < refsById.size() ? refsById.get(id).name : "?";
        }
    }

    /** The pool's id of a call site, registered once. */
    int siteId(CallSite site) {
        Integer id = siteIds.get(site);
        if (id != null) {
            return id;
        }
        int created = observer.callSite(site);
        coreSites.putIfAbsent(created, site);
        siteIds.putIfAbsent(site, created);
        return created;
    }

    CallSite callSiteOf(int id) {
        return id == 0 ? CallSite.UNKNOWN : coreSites.getOrDefault(id, CallSite.UNKNOWN);
    }

    /** Registers a call site injected into a class that is loading; its injected id. */
    int inject(String driver, LoaderWatch.LoaderState loader, int ruleTag, CallSite site, boolean downcallOnly) {
        return sites.register(new InjectedSites.Site(ref(driver), loader, ruleTag, site, siteId(site), downcallOnly));
    }

    private void unload(String driverName, String why) {
        Driver d = null;
        for (Driver candidate : pool.drivers()) {
            if (candidate.name().equals(driverName)) {
                d = candidate;
            }
        }
        if (d == null || d.status() != DriverStatus.LOADED) {
            return;
        }
        if (!options.quiet()) {
            System.err.println("pooltrack-agent: driver " + driverName + " unloads: " + why);
        }
        boolean cleanerThread = Thread.currentThread().getName().equals("pooltrack-loader-watch");
        try {
            d.unload();
        } catch (DriverVerifierError e) {
            if (!cleanerThread) {
                throw e;
            }
            System.err.println("pooltrack-agent: " + e.getMessage());
        } catch (IllegalStateException raced) {
            // unloaded by another thread meanwhile
        }
    }

    /** The log entries, oldest first; {@code address} 0 for all. */
    List<AllocationLog.Entry> logEntries(long address) {
        return log.entries(address, this::driverName, i -> observer.driverAt(i).name(), this::callSiteOf);
    }

    /** Runs {@code work} on this thread with the agent's hooks ignoring what it allocates. */
    <T> T untracked(java.util.function.Supplier<T> work) {
        ThreadState ts = state();
        boolean was = ts.busy;
        ts.busy = true;
        try {
            return work.get();
        } finally {
            ts.busy = was;
        }
    }

    long internalErrors() {
        return internalErrors.get();
    }

    private void internalError(Throwable t) {
        if (internalErrors.getAndIncrement() == 0) {
            System.err.println("pooltrack-agent: internal error; the application goes on, tracking may be incomplete"
                    + " (further errors are counted, not printed):");
            t.printStackTrace();
        }
    }
}
