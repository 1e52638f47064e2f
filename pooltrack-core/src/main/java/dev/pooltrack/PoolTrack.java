package dev.pooltrack;

import dev.pooltrack.internal.CallSites;
import dev.pooltrack.internal.CoarseClock;
import dev.pooltrack.internal.NativeMemory;
import dev.pooltrack.internal.ObservedTable;
import dev.pooltrack.internal.PoolCounters;
import dev.pooltrack.internal.SpecialPool;
import dev.pooltrack.internal.StripedTracker;
import dev.pooltrack.internal.TagTable;
import dev.pooltrack.internal.Tracker;
import dev.pooltrack.spi.AllocationObserver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A pool: the drivers that allocate from it, its per-tag counters, Driver Verifier's settings and
 * records, and the violations raised. The JVM's counterpart of the kernel's pool plus Driver
 * Verifier.
 *
 * <p>Most programs use one pool, {@link #system()}; tests and hosts may create their own with
 * {@link #create}. Thread-safe.
 *
 * <p>Allocation goes: front end ({@link Driver#allocate}) → C allocator ({@code malloc}, with a
 * 16-byte pool header in front of the block) → per-tag counters (always) → for verified drivers the
 * record of the allocation and the driver's counters → rules → snapshots and reports.
 */
public final class PoolTrack {

    /* The pool header, in front of every block like Windows' 16-byte x64 _POOL_HEADER
     * (reference §8.4), lets a free find its tag, size and pool type without any lookup:
     *   +0 int  tag value
     *   +4 short the tag's counter index + 1 (0: look the tag up, for the 65,535th tag and later)
     *   +6 byte  pool type | TRACKED_BIT (a record exists for the block) | QUOTA_BIT (charged to a tenant)
     *   +7 byte  LIVE_MAGIC while allocated, 0 once freed
     *   +8 long  requested size
     * A freed block's first 16 bytes are the C allocator's again (glibc keeps its free-list links
     * there), so a stale header does not look live; verified drivers do not rely on that, their
     * records decide. The first eight bytes are written and read as one word.
     *
     * A block with a record (TRACKED_BIT) also has a TAIL-byte zone after its last byte, filled with
     * TAIL_PATTERN and checked at free and at unload: Pool Tracking's overrun check (0xC4/0x51, and
     * 0xC4/0x53 when the header itself was overwritten). Special pool blocks have no header: their
     * addresses are in the special pool's region, which free tests first. */

    static final int HEADER = 16;
    private static final long BIG_BLOCK = 64 * 1024;
    private static final byte LIVE_MAGIC = (byte) 0xA7;
    private static final int TRACKED_BIT = 0x2;
    static final int TAIL = 16;
    private static final long TAIL_PATTERN = 0xC3A5_5A3C_F00D_E11AL;
    private static final int QUOTA_BIT = 0x10;

    /* The whole address space, through which pool headers are read and written. In a holder, so that
     * the restricted reinterpret runs when PoolTrack first allocates, not when the class loads: the
     * agent reports memory PoolTrack did not allocate and never needs it, so a program run with the
     * agent and without --enable-native-access gets no native-access warning. */
    private static final class Memory {
        @SuppressWarnings("restricted")
        static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    }

    private static final int MAX_DRIVERS = 0x7FFF;
    private static final int VIOLATIONS_KEPT = 1000;

    private static volatile PoolTrack system;

    private static final ScopedValue<Driver> CURRENT_DRIVER = ScopedValue.newInstance();

    static {
        AllocationObserver.Bridge.install(new AllocationObserver.Bridge() {
            @Override
            public Driver ensureLoaded(PoolTrack pool, String name) {
                return pool.ensureLoaded(name);
            }

            @Override
            public Driver driverAt(PoolTrack pool, int index) {
                return pool.drivers.get(index);
            }

            @Override
            public void allocated(
                    PoolTrack pool, Driver d, int poolType, long address, long size, int tag, int tagIndex, int site) {
                pool.observeAllocation(d, poolType, address, size, tag, tagIndex, site);
            }

            @Override
            public int tagIndex(PoolTrack pool, int tag) {
                return pool.tagIndexOf(tag);
            }

            @Override
            public boolean freed(PoolTrack pool, long address, long[] record) {
                return pool.observeFree(address, record);
            }

            @Override
            public Driver currentDriver(PoolTrack pool) {
                if (!CURRENT_DRIVER.isBound()) {
                    return null;
                }
                Driver d = CURRENT_DRIVER.get();
                return d.pool == pool ? d : null;
            }

            @Override
            public boolean isSystem(PoolTrack pool) {
                return pool == system;
            }
        });
    }

    private final TagTable tags = new TagTable();
    private final PoolCounters counters = new PoolCounters();
    private final Tracker tracker;
    private final CallSites sites = new CallSites();
    private final Map<String, Driver> driversByName = new ConcurrentHashMap<>();
    private final List<Driver> drivers = new CopyOnWriteArrayList<>();
    private final Set<String> volatileAdded = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Violation> violations = new ArrayDeque<>();
    private final List<Consumer<Violation>> violationListeners = new CopyOnWriteArrayList<>();
    private final Map<Long, Tag> uniqueTagBySite = new HashMap<>();
    private final Map<Tag, Integer> uniqueTagCounts = new HashMap<>();
    private final Map<Integer, Integer> uniqueTagOrigins = new ConcurrentHashMap<>();

    private volatile VerifierSettings settings;
    /** Whether any driver has ever been tracked: frees must then consult the records. */
    private volatile boolean recordsExist;

    private volatile boolean callSites;
    /** Whether special pool may serve anything: allocations then take the slow path. */
    private volatile boolean specialPoolOn;
    /** Special pool's pages, made when settings first turn it on and kept while the pool lives. */
    private volatile SpecialPool specialPool;
    /** Whether this pool has allocated a tracked block itself: only those carry a tail zone. */
    private volatile boolean tailZonesExist;

    private final Set<Long> systematicStacks = FaultInjector.newStackSet();
    private volatile FaultInjector faults;
    private final QuotaCharges quota = new QuotaCharges();
    final LockedPages lockedPages = new LockedPages();
    private volatile Management management;
    private volatile Set<Integer> uniqueTagValues = Set.of();
    /** Special pool or unique tags are on: every allocation takes allocateSlow (one read on the fast path). */
    private volatile boolean everyAllocationSlow;

    private PoolTrack(VerifierSettings settings, Tracker tracker) {
        this.tracker = tracker;
        this.settings = settings;
        applySettings(settings);
        for (String name : settings.drivers()) {
            driverState(name);
        }
    }

    /**
     * A new pool with the given settings, as after a boot with them.
     *
     * @throws IllegalArgumentException if the settings name more drivers than a pool holds
     */
    public static PoolTrack create(VerifierSettings settings) {
        return new PoolTrack(settings, new StripedTracker());
    }

    /** A new pool keeping its records in the given tracker (for the contract tests). */
    static PoolTrack create(VerifierSettings settings, Tracker tracker) {
        return new PoolTrack(settings, tracker);
    }

    /**
     * The JVM's pool, created on first use with the settings in the {@linkplain SettingsFile settings
     * file} and registered with the platform MBean server, where the {@code pooltrack} command,
     * JConsole and VisualVM find it.
     *
     * <p>A settings file that cannot be read or parsed is reported through {@link System.Logger} at
     * ERROR, naming the file and line, and the pool starts with no verification: a bad file never
     * stops the application.
     */
    public static PoolTrack system() {
        PoolTrack p = system;
        if (p == null) {
            synchronized (PoolTrack.class) {
                p = system;
                if (p == null) {
                    VerifierSettings s;
                    try {
                        s = SettingsFile.read(SettingsFile.location());
                    } catch (IllegalArgumentException e) {
                        System.getLogger("dev.pooltrack")
                                .log(
                                        System.Logger.Level.ERROR,
                                        "PoolTrack: " + e.getMessage() + "; running without verification");
                        s = VerifierSettings.none();
                    }
                    p = create(s);
                    p.management = Management.register(p);
                    if (p.management != null) {
                        for (Driver d : p.drivers) {
                            p.management.registerDriver(d);
                        }
                    }
                    system = p;
                }
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- drivers

    /**
     * Loads a driver: creates it on first load, counts the load, and starts Pool Tracking for it if
     * the settings verify it.
     *
     * @throws IllegalArgumentException if the name is blank
     * @throws IllegalStateException if the driver is loaded already
     */
    public Driver load(String name) {
        Driver d = driverState(name);
        synchronized (d) {
            if (d.status == DriverStatus.LOADED || d.status == DriverStatus.UNLOADING) {
                throw new IllegalStateException("driver " + name + " is loaded already");
            }
            d.loads++;
            d.loadedAtNanos = System.nanoTime();
            d.status = DriverStatus.LOADED;
            updateTracking(d);
        }
        return d;
    }

    /** The named driver, loaded now if it is not loaded (agent mode: a jar seen allocating). */
    Driver ensureLoaded(String name) {
        Driver d = driversByName.get(name);
        if (d != null && d.status == DriverStatus.LOADED) {
            return d;
        }
        d = driverState(name);
        synchronized (d) {
            if (d.status != DriverStatus.LOADED) {
                d.loads++;
                d.loadedAtNanos = System.nanoTime();
                d.status = DriverStatus.LOADED;
                updateTracking(d);
            }
        }
        return d;
    }

    /**
     * The driver with the given name.
     *
     * @throws IllegalArgumentException if no driver has that name
     */
    public Driver driver(String name) {
        Driver d = driversByName.get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown driver '" + name + "': known drivers are "
                    + drivers.stream().map(Driver::name).toList());
        }
        return d;
    }

    /** Every driver known to the pool: loaded, unloaded, or named in the settings. */
    public List<Driver> drivers() {
        return List.copyOf(drivers);
    }

    private Driver driverState(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a driver needs a name");
        }
        Driver d = driversByName.get(name);
        if (d != null) {
            return d;
        }
        synchronized (drivers) {
            d = driversByName.get(name);
            if (d == null) {
                if (drivers.size() >= MAX_DRIVERS) {
                    throw new IllegalStateException("a pool holds at most " + MAX_DRIVERS + " drivers");
                }
                d = new Driver(this, drivers.size(), name);
                drivers.add(d);
                driversByName.put(name, d);
                updateTracking(d);
                Management m = management;
                if (m != null) {
                    m.registerDriver(d);
                }
            }
            return d;
        }
    }

    /* The driver reads Unloaded only once its unload check has been reported: a program that waits
     * for the status and then exits (a host, a test) must not lose the 0xC4/0x62 report that a LOG
     * response is still writing. While the violations are raised the driver is Unloading, so an
     * allocation it makes meanwhile is 0xC4/0x61, as on Windows. */
    void unload(Driver d) {
        Violation leak = null;
        Violation overrun = null;
        List<Violation> lockedLeft;
        synchronized (d) {
            if (d.status != DriverStatus.LOADED) {
                throw new IllegalStateException("driver " + d.name + " is not loaded (" + d.status.displayName() + ")");
            }
            d.status = DriverStatus.UNLOADING;
            try {
                if (d.tracked) {
                    overrun = tailZonesExist ? overrunAtUnload(d) : null;
                    long[] c = new long[Tracker.DRIVER_COUNTERS];
                    tracker.driverCounters(d.index, c);
                    long outstanding = c[Tracker.CURRENT_NONPAGED_ALLOCS] + c[Tracker.CURRENT_PAGED_ALLOCS];
                    if (outstanding > 0) {
                        leak = Violations.leakAtUnload(d.name, outstanding, outstanding(d.name));
                    }
                }
            } finally {
                lockedLeft = lockedPages.unlockLeftAtUnload(d);
            }
        }
        try {
            if (overrun != null) {
                raise(overrun);
            }
            if (leak != null) {
                raise(leak);
            }
            for (Violation v : lockedLeft) {
                raise(v);
            }
        } finally {
            synchronized (d) {
                d.unloads++;
                d.status = DriverStatus.UNLOADED;
            }
        }
    }

    /* At unload the tail zones of the driver's outstanding blocks are checked, as a free would. Only
     * blocks PoolTrack allocated have one: those with a live, recorded header of the record's size;
     * a pool that never allocated a tracked block itself (the agent's, which only observes) reads no
     * memory here at all. Records the agent observed are skipped without reading when their bytes
     * before the address may be unmapped: paged ones (file mappings), and blocks of BIG_BLOCK or more,
     * which the C allocator may have mapped on their own and, if freed unseen, unmapped. Special pool
     * blocks are checked when freed. */
    private Violation overrunAtUnload(Driver d) {
        SpecialPool sp = specialPool;
        long[] found = new long[3];
        tracker.forEach(d.index, (address, size, tag, poolType, driver, site, threadId, timeMillis) -> {
            if (found[0] != 0
                    || poolType != 0
                    || size >= BIG_BLOCK
                    || (sp != null && sp.contains(address))
                    || (address & 0xF) != 0) {
                return;
            }
            long word = Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, address - HEADER);
            if (((word >>> 48) & ~QUOTA_BIT) == (((LIVE_MAGIC & 0xFFL) << 8) | TRACKED_BIT)
                    && Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, address - HEADER + 8) == size) {
                long damaged = tailDamage(address, size);
                if (damaged != 0) {
                    found[0] = address;
                    found[1] = damaged;
                    found[2] = size;
                }
            }
        });
        return found[0] == 0 ? null : Violations.overrunAtFree(d.name, found[0], found[1], found[2], CallSite.UNKNOWN);
    }

    // ---------------------------------------------------------------- the current driver

    /* Windows charges pool to the driver whose code called the allocator; the agent does the same
     * by the allocating class's jar. A test, a request or a plugin callback run by a host is a unit
     * of work whose code lives in someone else's jar: runAs and callAs name the driver to charge
     * instead, for as long as the work runs on this thread. A ScopedValue and not a ThreadLocal:
     * the binding cannot outlive the call, costs nothing to drop, and StructuredTaskScope forks
     * inherit it. */

    /**
     * Runs {@code work} with {@code driver} as this thread's current driver: native memory that
     * PoolTrack's agent sees allocated on this thread while {@code work} runs (direct buffers,
     * {@code Unsafe}, FFM arenas) is charged to {@code driver} instead of the jar of the allocating
     * code. Calls nest; the innermost driver is current. Threads that {@code work} starts or hands
     * work to are not in the scope. Allocations through a {@link Driver} handle are charged to that
     * handle's driver, whatever is current.
     *
     * @throws NullPointerException if {@code driver} or {@code work} is null
     */
    public static void runAs(Driver driver, Runnable work) {
        ScopedValue.where(CURRENT_DRIVER, Objects.requireNonNull(driver, "driver"))
                .run(work);
    }

    /**
     * Calls {@code work} with {@code driver} as this thread's current driver, as {@link #runAs},
     * and returns its result; whatever {@code work} throws is thrown on.
     *
     * @throws NullPointerException if {@code driver} or {@code work} is null
     */
    public static <R, X extends Throwable> R callAs(Driver driver, ScopedValue.CallableOp<? extends R, X> work)
            throws X {
        return ScopedValue.where(CURRENT_DRIVER, Objects.requireNonNull(driver, "driver"))
                .call(work);
    }

    /** The driver of the innermost {@link #runAs} or {@link #callAs} running on this thread, if any. */
    public static Optional<Driver> currentDriver() {
        return CURRENT_DRIVER.isBound() ? Optional.of(CURRENT_DRIVER.get()) : Optional.empty();
    }

    // ---------------------------------------------------------------- settings

    /** The settings in force. */
    public VerifierSettings settings() {
        return settings;
    }

    /**
     * Replaces the settings now ({@code verifier /volatile}): drivers verified under the new
     * settings start tracking their new allocations at once, including loaded ones.
     *
     * <p>As on Windows, a loaded driver that is verified now stays verified until it unloads, even
     * if the new settings leave it out.
     */
    public synchronized void applyVolatile(VerifierSettings newSettings) {
        Set<String> keep = new LinkedHashSet<>(newSettings.drivers());
        for (Driver d : drivers) {
            if (d.tracked && d.status == DriverStatus.LOADED) {
                keep.add(d.name);
            }
        }
        VerifierSettings s = newSettings.withDrivers(keep);
        settings = s;
        applySettings(s);
        for (String name : s.drivers()) {
            driverState(name);
        }
        for (Driver d : drivers) {
            synchronized (d) {
                updateTracking(d);
            }
        }
    }

    /**
     * Starts verifying a driver now ({@code verifier /volatile /adddriver}): if it is loaded, its
     * new allocations are tracked from this call on.
     */
    public synchronized void addDriver(String name) {
        Set<String> names = new LinkedHashSet<>(settings.drivers());
        names.add(name);
        volatileAdded.add(name);
        applyVolatile(settings.withDrivers(names));
    }

    /**
     * Stops verifying a driver ({@code verifier /volatile /removedriver}).
     *
     * @throws IllegalStateException if the driver is loaded: as on Windows, a loaded driver stays
     *     verified until it unloads
     * @throws IllegalArgumentException if the driver is not verified
     */
    public synchronized void removeDriver(String name) {
        if (!settings.drivers().contains(name)) {
            throw new IllegalArgumentException("driver " + name + " is not in the verified driver list");
        }
        Driver d = driversByName.get(name);
        if (d != null && d.status == DriverStatus.LOADED) {
            throw new IllegalStateException("driver " + name
                    + " is loaded: it stays verified until it unloads (Windows /volatile /removedriver does the same)");
        }
        Set<String> names = new LinkedHashSet<>(settings.drivers());
        names.remove(name);
        VerifierSettings s = settings.withDrivers(names);
        settings = s;
        applySettings(s);
        if (d != null) {
            synchronized (d) {
                updateTracking(d);
            }
        }
    }

    private void applySettings(VerifierSettings s) {
        callSites = s.callSites();
        if (s.specialPoolOn() && specialPool == null) {
            try {
                specialPool =
                        new SpecialPool(s.specialPool().slots(), s.specialPool().verifyStart(), s.reportDirectory());
            } catch (IllegalStateException e) {
                System.getLogger("dev.pooltrack")
                        .log(
                                System.Logger.Level.ERROR,
                                "PoolTrack: " + e.getMessage() + "; running without special pool");
            }
        }
        specialPoolOn = s.specialPoolOn() && specialPool != null;
        Set<Integer> values = new HashSet<>();
        for (Tag t : s.uniqueTags()) {
            values.add(t.value());
        }
        uniqueTagValues = Set.copyOf(values);
        everyAllocationSlow = specialPoolOn || !values.isEmpty();
        faults = new FaultInjector(s.flags(), s.lowResources(), systematicStacks);
    }

    private void updateTracking(Driver d) {
        boolean track = settings.tracks(d.name);
        if (track && !d.tracked) {
            recordsExist = true;
            CoarseClock.start();
        }
        d.tracked = track;
        d.injectFaults = settings.injectsFaults(d.name);
    }

    // ---------------------------------------------------------------- allocate and free

    @SuppressWarnings("restricted") // the block malloc returned, of the size requested
    static MemorySegment segment(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    long allocate(Driver d, PoolType type, long bytes, Tag tag, int site, boolean untagged) {
        if (type == null || tag == null) {
            throw new IllegalArgumentException("pool type and tag are required (use Tag.NONE for untagged pool)");
        }
        return allocateFast(d, type, bytes, tag, site, untagged, false);
    }

    /* The allocation path, routed to allocateSlow for anything unusual unless slowPathDone. It is
     * one method on purpose, larger than C2's FreqInlineSize (325 bytecodes; PoolTrackTest checks
     * it): C2 then compiles it once on its own and never inlines it into Driver.allocate, which
     * stays small enough to be inlined into its caller, where the MemorySegment it returns is
     * scalar-replaced (0 bytes on the heap per allocation). Inlined, the whole path made
     * Driver.allocate's compiled code exceed InlineSmallCode, the segment escaped and cost 40 bytes
     * per allocation. The out-of-line call costs about a nanosecond. */
    private long allocateFast(
            Driver d, PoolType type, long bytes, Tag tagged, int site, boolean untagged, boolean slowPathDone) {
        if (!slowPathDone
                && (bytes <= 0
                        || d.status != DriverStatus.LOADED
                        || everyAllocationSlow
                        || untagged
                        || d.injectFaults)) {
            return allocateSlow(d, type, bytes, tagged, site, untagged);
        }
        int poolType = type.code();
        int tag = tagged.value();
        TagTable.Cached cached = tagged.indexCache;
        int tagIndex = cached != null && cached.table() == tags ? cached.index() : tagIndexMissed(tagged);
        boolean tracked = d.tracked;
        PoolCounters.Cell cell = counters.cell();
        long base = NativeMemory.malloc(bytes + HEADER + (tracked ? TAIL : 0));
        if (base == 0) {
            if (tracked) {
                counters.add(cell, PoolCounters.ALLOCATIONS_FAILED, 1);
            }
            return 0;
        }
        long address = base + HEADER;
        counters.onAllocate(cell, tagIndex, poolType, bytes);
        int typeByte = poolType;
        if (tracked) {
            counters.add(cell, PoolCounters.ALLOCATIONS_SUCCEEDED, 1);
            if (site == 0 && callSites) {
                site = sites.captureLazily(address);
            }
            record(d, address, bytes, tag, poolType, site);
            typeByte |= TRACKED_BIT;
            Memory.EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, address + bytes, TAIL_PATTERN);
            Memory.EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, address + bytes + 8, TAIL_PATTERN);
            if (!tailZonesExist) {
                tailZonesExist = true;
            }
        } else if (bytes >= BIG_BLOCK && recordsExist) {
            tracker.forget(address);
        }
        long slot = tagIndex < 0xFFFF ? tagIndex + 1 : 0;
        Memory.EVERYTHING.set(
                ValueLayout.JAVA_LONG_UNALIGNED,
                base,
                (tag & 0xFFFF_FFFFL) | (slot << 32) | ((long) typeByte << 48) | ((long) (LIVE_MAGIC & 0xFF) << 56));
        Memory.EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, base + 8, bytes);
        return address;
    }

    /** The counter index of {@code tag}, registered if new, kept in the tag for the next allocation. */
    private int tagIndexMissed(Tag tag) {
        int index = tagIndexOf(tag.value());
        tag.indexCache = new TagTable.Cached(tags, index);
        return index;
    }

    private long allocateSlow(Driver d, PoolType type, long bytes, Tag tag, int site, boolean untagged) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bad allocation size " + bytes + ": the size must not be negative");
        }
        if (d.tracked) {
            if (untagged) {
                counters.add(counters.cell(), PoolCounters.ALLOCATIONS_WITH_NO_TAG, 1);
            }
            if (unloading(d)) {
                raiseAllocationDuringUnload(d, CallSites.callerOutsidePoolTrack());
            }
            if (bytes == 0) {
                raise(Violations.zeroByteAllocation(d.name, type, CallSites.callerOutsidePoolTrack()));
            }
        }
        if (d.status == DriverStatus.NEVER_LOADED) {
            throw new IllegalStateException("driver " + d.name + " was never loaded");
        }
        if (d.injectFaults && failsDeliberately(d, tag)) {
            return 0;
        }
        Tag effective = tag;
        if (uniqueTagValues.contains(tag.value())) {
            if (site == 0) {
                site = sites.capture();
            }
            effective = uniqueTagFor(tag, site);
        }
        if (specialPoolOn) {
            VerifierSettings s = settings;
            if (s.specialPoolFor(d.name) || s.specialPool().selected(effective.value(), bytes)) {
                long address = allocateSpecial(d, type.code(), bytes, effective.value(), site);
                if (address != 0) {
                    return address;
                }
                if (!d.tracked) {
                    // a fallback still counts against the special pool ones, as Windows' health check wants
                    counters.add(counters.cell(), PoolCounters.ALLOCATIONS_SUCCEEDED, 1);
                }
            }
        }
        return allocateFast(d, type, bytes, effective, site, untagged, true);
    }

    /* Special pool: a page of its own, no header; its slot table keeps size, tag and pool type (and
     * driver and call site, for the analysis of a crash). The call site is always recorded, whatever
     * callSites says: the whole point of the slot table is to name the code that overran. 0 when
     * special pool has no slot or the size is a page or more: the caller falls back to normal pool. */
    private long allocateSpecial(Driver d, int poolType, long bytes, int tag, int site) {
        if (site == 0) {
            site = sites.capture();
        }
        long address = specialPool.allocate(
                bytes, tag, poolType, d.name, sites.site(site).toString());
        if (address == 0) {
            return 0;
        }
        int tagIndex = tagIndexOf(tag);
        PoolCounters.Cell cell = counters.cell();
        counters.onAllocate(cell, tagIndex, poolType, bytes);
        counters.add(cell, PoolCounters.ALLOCATIONS_SUCCEEDED, 1);
        counters.add(cell, PoolCounters.ALLOCATIONS_SUCCEEDED_SPECIAL_POOL, 1);
        if (d.tracked) {
            record(d, address, bytes, tag, poolType, site);
        }
        return address;
    }

    /** Records a verified driver's block for the free and for {@code !verifier 3}. */
    private void record(Driver d, long address, long bytes, int tag, int poolType, int site) {
        tracker.track(
                address,
                bytes,
                tag,
                poolType,
                d.index,
                site,
                Thread.currentThread().threadId(),
                CoarseClock.millis());
    }

    /**
     * Whether Low Resources Simulation fails this request of {@code d} (an allocation under {@code
     * tag}, or with a null tag a page lock); counts it in AllocationsFailedDeliberately if so.
     */
    boolean failsDeliberately(Driver d, Tag tag) {
        if (!faults.fails(d, tag)) {
            return false;
        }
        counters.add(counters.cell(), PoolCounters.ALLOCATIONS_FAILED_DELIBERATELY, 1);
        return true;
    }

    /* A free takes this short path when nothing can be wrong with it that the header does not show:
     * no records and no special pool in the pool, an aligned address whose header is live, neither
     * recorded nor charged to a tenant, and the tag the caller expects. It is small so that the JIT
     * inlines it into the caller (the checked path is not). Every other free, including every one
     * that raises a violation, takes freeChecked, which tests the same header again. */
    void free(Driver caller, long address, int expectedTag) {
        if (!recordsExist && specialPool == null && address != 0 && (address & 0xF) == 0) {
            long base = address - HEADER;
            long word = Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, base);
            if ((word >>> 49) == (LIVE_MAGIC & 0xFFL) << 7 && (expectedTag == 0 || expectedTag == (int) word)) {
                release(
                        base,
                        word,
                        (int) (word >>> 48) & 1,
                        Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 8));
                return;
            }
        }
        freeChecked(caller, address, expectedTag);
    }

    private void freeChecked(Driver caller, long address, int expectedTag) {
        SpecialPool sp = specialPool;
        if (sp != null && sp.contains(address)) {
            freeSpecial(caller, sp, address, expectedTag);
            return;
        }
        if (address == 0 || (address & 0xF) != 0) {
            raise(Violations.badFree(caller.name, caller.tracked, address, CallSites.callerOutsidePoolTrack()));
            return;
        }
        long base = address - HEADER;
        if (recordsExist) {
            long info = tracker.untrack(address);
            if (info != Tracker.NOT_TRACKED) {
                sites.forget(address);
                long word = Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, base);
                int poolType = Tracker.infoPoolType(info);
                long bytes = Tracker.infoSize(info);
                if (((word >>> 48) & ~QUOTA_BIT) != (((LIVE_MAGIC & 0xFFL) << 8) | TRACKED_BIT | poolType)
                        || Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 8) != bytes) {
                    freeDamagedHeader(caller, base, word, poolType, bytes);
                    return;
                }
                long damaged = tailDamage(address, bytes);
                int tag = (int) word;
                release(base, word, poolType, bytes);
                if (damaged != 0) {
                    raise(Violations.overrunAtFree(
                            caller.name, address, damaged, bytes, CallSites.callerOutsidePoolTrack()));
                }
                if (expectedTag != 0 && expectedTag != tag) {
                    wrongTag(caller, address, tag, expectedTag);
                }
                return;
            }
            long freed = tracker.recentlyUntracked(address);
            if (freed != Tracker.NOT_TRACKED && !untrackedBlockReusing(base, freed)) {
                raise(Violations.doubleFree(caller.name, caller.tracked, address, CallSites.callerOutsidePoolTrack()));
                return;
            }
        }
        long word = Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, base);
        byte magic = (byte) (word >>> 56);
        int typeByte = (int) (word >>> 48) & 0xFF;
        if (magic != LIVE_MAGIC || (typeByte & ~(TRACKED_BIT | QUOTA_BIT | 1)) != 0) {
            raise(Violations.badFree(caller.name, caller.tracked, address, CallSites.callerOutsidePoolTrack()));
            return;
        }
        if ((typeByte & TRACKED_BIT) != 0) {
            // The block was recorded, yet its record is gone: freed before, long enough ago that the
            // record's tombstone was dropped.
            raise(Violations.doubleFree(caller.name, caller.tracked, address, CallSites.callerOutsidePoolTrack()));
            return;
        }
        int tag = (int) word;
        release(base, word, typeByte & 1, Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 8));
        if (expectedTag != 0 && expectedTag != tag) {
            wrongTag(caller, address, tag, expectedTag);
        }
    }

    /** The first byte of the tail zone after {@code bytes} at {@code address} that is not the pattern, or 0. */
    private static long tailDamage(long address, long bytes) {
        long end = address + bytes;
        for (int i = 0; i < TAIL; i += 8) {
            long v = Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, end + i);
            if (v != TAIL_PATTERN) {
                return end + i + Long.numberOfTrailingZeros(v ^ TAIL_PATTERN) / 8; // little-endian: low byte first
            }
        }
        return 0;
    }

    /* The header of a recorded block was overwritten: its tag cannot be trusted, so the per-tag
     * counters are uncounted only when the tag still names a known tag; the record (already dropped)
     * kept the driver's counters right. The block is freed before the violation is raised. */
    private void freeDamagedHeader(Driver caller, long base, long word, int poolType, long bytes) {
        int tagIndex = tags.indexOf((int) word);
        if (tagIndex >= 0) {
            counters.onFree(counters.cell(), tagIndex, poolType, bytes);
        }
        NativeMemory.free(base);
        raise(Violations.headerDamagedAtFree(caller.name, base + HEADER, word, CallSites.callerOutsidePoolTrack()));
    }

    private void freeSpecial(Driver caller, SpecialPool sp, long address, int expectedTag) {
        SpecialPool.Freed f = sp.free(address);
        if (!f.released()) {
            raise(Violations.specialPoolCorruption(
                    caller.name,
                    f.subcode(),
                    address,
                    f.size(),
                    f.calculatedSize(),
                    CallSites.callerOutsidePoolTrack()));
            return;
        }
        if (recordsExist) {
            tracker.untrack(address);
        }
        int tagIndex = tags.indexOf(f.tag());
        counters.onFree(counters.cell(), tagIndex, f.poolType(), f.size());
        quota.returnCharge(address);
        if (f.subcode() != 0) {
            raise(Violations.specialPoolCorruption(
                    caller.name, f.subcode(), address, f.corruptAddress(), 0, CallSites.callerOutsidePoolTrack()));
        }
        if (expectedTag != 0 && expectedTag != f.tag()) {
            wrongTag(caller, address, f.tag(), expectedTag);
        }
    }

    // ---------------------------------------------------------------- quota

    /* ExAllocatePoolWithQuotaTag (reference §8.2): the current tenant is charged before the memory is
     * allocated and the charge given back if the allocation fails; the block's header gets QUOTA_BIT
     * so that its free returns the charge. Pool Tracking checks the context first, as Windows 7 and
     * later do (§1.4): a deferred callback (0x10B) or no tenant at all (0x10A, Windows' Idle process)
     * is a violation; after a logged violation the allocation goes on uncharged, as on Windows the
     * memory is charged to whatever process happens to be current. */

    long allocateWithQuota(Driver d, PoolType type, long bytes, Tag tag, boolean failInsteadOfRaise) {
        Tenant tenant = Tenant.current().orElse(null);
        if (d.tracked) {
            if (DpcQueue.isCallbackThread()) {
                raise(Violations.quotaFromDpc(d.name, CallSites.callerOutsidePoolTrack()));
            } else if (tenant == null) {
                raise(Violations.quotaWithoutTenant(d.name, CallSites.callerOutsidePoolTrack()));
            }
        }
        if (tenant != null && bytes > 0 && !tenant.tryCharge(bytes)) {
            if (failInsteadOfRaise) {
                return 0;
            }
            throw new QuotaExceededException(
                    QuotaExceededException.STATUS_QUOTA_EXCEEDED,
                    tenant.name(),
                    String.format(
                            "STATUS_QUOTA_EXCEEDED (0xC0000044): %d bytes of pool quota for tenant %s, which holds %d"
                                    + " of its %d bytes; driver %s, tag %s",
                            bytes, tenant.name(), tenant.quotaUsage(), tenant.quotaBytes(), d.name, tag));
        }
        long address;
        try {
            address = allocate(d, type, bytes, tag, 0, false);
        } catch (RuntimeException | Error e) {
            if (tenant != null && bytes > 0) {
                tenant.returnCharge(bytes);
            }
            throw e;
        }
        if (address == 0) {
            if (tenant != null && bytes > 0) {
                tenant.returnCharge(bytes);
            }
            if (failInsteadOfRaise) {
                return 0;
            }
            throw new QuotaExceededException(
                    QuotaExceededException.STATUS_INSUFFICIENT_RESOURCES,
                    tenant == null ? null : tenant.name(),
                    String.format(
                            "STATUS_INSUFFICIENT_RESOURCES (0xC000009A): no memory for %d bytes of %s pool; driver %s,"
                                    + " tag %s",
                            bytes, type, d.name, tag));
        }
        if (tenant != null && bytes > 0) {
            quota.record(address, tenant, bytes);
            SpecialPool sp = specialPool;
            if (sp != null && sp.contains(address)) {
                return address; // no header: freeSpecial returns the charge by address
            }
            long typeAt = address - HEADER + 6;
            byte typeByte = Memory.EVERYTHING.get(ValueLayout.JAVA_BYTE, typeAt);
            Memory.EVERYTHING.set(ValueLayout.JAVA_BYTE, typeAt, (byte) (typeByte | QUOTA_BIT));
        }
        return address;
    }

    /* An address freed by a verified driver may since have been handed by malloc to a block that is
     * not tracked (a driver not verified, or one verified after it allocated). Such a block has a live
     * header without the TRACKED bit. Reading the header of a truly freed small block is safe: glibc
     * keeps blocks below its mmap threshold (128 KiB at least) in mapped heap memory. A freed block of
     * BIG_BLOCK or more may have been unmapped, so it is not read: an untracked allocation of that
     * size forgets the address's tombstone instead (allocateFast). */
    private boolean untrackedBlockReusing(long base, long freedInfo) {
        if (Tracker.infoSize(freedInfo) >= BIG_BLOCK) {
            return false;
        }
        long word = Memory.EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, base);
        return (byte) (word >>> 56) == LIVE_MAGIC && (((int) (word >>> 48)) & TRACKED_BIT) == 0;
    }

    /* ExFreePoolWithTag with the wrong tag: the block is freed first, then the violation raised, so
     * that a THROW or LOG response leaves no half-freed block behind. */
    private void wrongTag(Driver caller, long address, int tag, int expectedTag) {
        Integer shared = uniqueTagOrigins.get(tag);
        if (shared != null && shared == expectedTag) {
            return; // the site's own tag was made from the tag the free passes: the driver's code is right
        }
        raise(Violations.wrongTag(caller.name, address, tag, expectedTag, CallSites.callerOutsidePoolTrack()));
    }

    /** Frees a block whose header's first word is {@code word}. */
    private void release(long base, long word, int poolType, long bytes) {
        Memory.EVERYTHING.set(ValueLayout.JAVA_BYTE, base + 7, (byte) 0);
        int slot = (int) (word >>> 32) & 0xFFFF;
        int tagIndex = slot != 0 ? slot - 1 : tags.indexOf((int) word);
        counters.onFree(counters.cell(), tagIndex, poolType, bytes);
        if ((((int) (word >>> 48)) & QUOTA_BIT) != 0) {
            quota.returnCharge(base + HEADER);
        }
        NativeMemory.free(base);
    }

    // ---------------------------------------------------------------- memory allocated by others

    /* Allocations PoolTrack did not make (direct buffers, Unsafe, FFM arenas, seen by the agent)
     * have no pool header, so their tag, size and pool type must be remembered to count the free:
     * verified drivers' allocations go into the records like any other, the others into a second
     * tracker used only as that memory. Its per-driver counters are not reported: a driver that is
     * not verified has none, as on Windows. */

    private final ObservedTable observed = new ObservedTable();

    /* The agent passes the index of its JDK paths' fixed tags (Jdbb, Jusf, ...), which it looked up
     * once: a tag's index never changes, so the hash probe per allocation is spared. A tag split per
     * call site is another tag, whose index is looked up here. */
    void observeAllocation(Driver d, int poolType, long address, long size, int tag, int tagIndex, int site) {
        if (address == 0) {
            return;
        }
        if (!uniqueTagValues.isEmpty() && uniqueTagValues.contains(tag)) {
            // the agent's tag (a rule's, or a JDK path's) split per call site, as Driver.allocate does
            if (site == 0) {
                site = sites.capture();
            }
            tag = uniqueTagFor(Tag.ofValue(tag), site).value();
            tagIndex = -1;
        }
        if (tagIndex < 0) {
            tagIndex = tagIndexOf(tag);
        }
        PoolCounters.Cell cell = counters.cell();
        counters.onAllocate(cell, tagIndex, poolType, size);
        if (d.tracked) {
            observeTracked(cell, d, poolType, address, size, tag, site);
        } else {
            ObservedTable.Local local = observed.local(cell);
            if (!observed.insert(local, address, size, tag, tagIndex, poolType, d.index)) {
                observeFree(address, null);
                observed.insert(local, address, size, tag, tagIndex, poolType, d.index);
            }
        }
    }

    /** The index of {@code tag} in this pool's tag table, registered first if it is new. */
    int tagIndexOf(int tag) {
        int tagIndex = tags.indexOf(tag);
        return tagIndex >= 0 ? tagIndex : tags.register(tag);
    }

    /* 0xC4/0x61 is checked on every allocation of a verified driver and almost never raised, so the
     * check reads the status only; the caller (a stack walk, a site lookup under a lock) is found
     * once it is raised. */

    /** Whether a verified driver allocating now raises 0xC4/0x61: it unloads or has unloaded. */
    private static boolean unloading(Driver d) {
        DriverStatus s = d.status;
        return s == DriverStatus.UNLOADING || s == DriverStatus.UNLOADED;
    }

    /** 0xC4/0x61: a verified driver allocates while it unloads or after it unloaded. */
    private void raiseAllocationDuringUnload(Driver d, CallSite site) {
        long[] c = new long[Tracker.DRIVER_COUNTERS];
        tracker.driverCounters(d.index, c);
        raise(Violations.allocationDuringUnload(
                d.name,
                c[Tracker.CURRENT_PAGED_BYTES],
                c[Tracker.CURRENT_NONPAGED_BYTES],
                c[Tracker.CURRENT_NONPAGED_ALLOCS] + c[Tracker.CURRENT_PAGED_ALLOCS],
                site));
    }

    /* Out of line, so that the path of memory whose driver is not verified stays small enough to be
     * inlined into the agent's hooks. */
    private void observeTracked(
            PoolCounters.Cell cell, Driver d, int poolType, long address, long size, int tag, int site) {
        counters.add(cell, PoolCounters.ALLOCATIONS_SUCCEEDED, 1);
        if (site == 0 && callSites) {
            site = sites.capture();
        }
        if (unloading(d)) {
            raiseAllocationDuringUnload(d, sites.site(site));
        }
        trackObserved(d, poolType, address, size, tag, site);
    }

    /* An address that is still recorded when the allocator hands it out again was freed through a
     * path nobody reported (a C free(), a race between a realloc and its report): the old record is
     * dropped, counted as freed, and the new allocation recorded. Observed memory of drivers that are
     * not verified keeps no call site: nothing reads it (the allocation log and the per-site reports
     * cover verified drivers only), so its record's site is 0 and its slot holds the tag's index,
     * which spares the free a tag-table lookup. */
    private void trackObserved(Driver d, int poolType, long address, long size, int tag, int site) {
        long thread = Thread.currentThread().threadId();
        long now = CoarseClock.millis();
        try {
            tracker.track(address, size, tag, poolType, d.index, site, thread, now);
        } catch (IllegalStateException trackedAlready) {
            observeFree(address, null);
            tracker.track(address, size, tag, poolType, d.index, site, thread, now);
        }
    }

    /**
     * Forgets an observed allocation and fills {@code record} with it ({@code [0]} info, {@code [1]}
     * tag and site) unless {@code record} is null; false if the address is unknown.
     */
    boolean observeFree(long address, long[] record) {
        PoolCounters.Cell cell = counters.cell();
        ObservedTable.Local local = observed.local(cell);
        if (record == null) {
            // the caller wants no record back (a free with no JFR recording): the engine still
            // needs one to count the free, and the thread's own is the cheapest to reach
            record = local != null ? local.freedRecord() : new long[2];
        }
        if (recordsExist) {
            long info = tracker.untrack(address, record);
            if (info != Tracker.NOT_TRACKED) {
                int tag = (int) (record[1] >>> 32);
                counters.onFree(cell, tags.indexOf(tag), Tracker.infoPoolType(info), Tracker.infoSize(info));
                return true;
            }
        }
        if (!observed.remove(local, address, record)) {
            return false; // allocated before PoolTrack watched, or never seen
        }
        counters.onFree(
                cell, ObservedTable.tagIndex(record), ObservedTable.poolType(record), ObservedTable.size(record));
        record[1] &= 0xFFFF_FFFF_0000_0000L; // tag, site 0
        return true;
    }

    // ---------------------------------------------------------------- call sites and unique tags

    /** Registers a call site once, for {@link Driver#allocate(PoolType, long, Tag, Driver.CallSiteId)}. */
    public Driver.CallSiteId callSite(CallSite site) {
        return new Driver.CallSiteId(sites.idOf(site));
    }

    /** Registers the calling code as a call site. */
    public Driver.CallSiteId callSiteHere() {
        return new Driver.CallSiteId(sites.idOf(CallSites.callerOutsidePoolTrack()));
    }

    /**
     * The tags given to call sites under {@code uniquetags}, each with its site: the map that
     * PoolTrack prints after splitting a shared tag.
     */
    public synchronized Map<Tag, CallSite> uniqueTagMap() {
        Map<Tag, CallSite> map = new java.util.TreeMap<>();
        uniqueTagBySite.forEach((key, tag) -> map.put(tag, sites.site((int) (long) key)));
        return map;
    }

    /* Part 4 of "Troubleshooting Pool Leaks": each site that uses a shared tag gets the tag's first
     * three characters plus 1..9, A..Z, a..z (Lea1, Lea2, ...), in the order the sites first
     * allocate. A 62nd site keeps the shared tag. */
    private synchronized Tag uniqueTagFor(Tag tag, int site) {
        long key = ((long) tag.value() << 32) | (site & 0xFFFF_FFFFL);
        if (site == 0) {
            return tag;
        }
        Tag existing = uniqueTagBySite.get(key);
        if (existing != null) {
            return existing;
        }
        int n = uniqueTagCounts.merge(tag, 1, Integer::sum);
        String suffixes = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        if (n > suffixes.length()) {
            return tag;
        }
        Tag unique = Tag.of(tag.text().substring(0, 3) + suffixes.charAt(n - 1));
        uniqueTagBySite.put(key, unique);
        uniqueTagOrigins.put(unique.value(), tag.value());
        return unique;
    }

    // ---------------------------------------------------------------- violations

    /** Adds a listener called with each violation before the response is carried out. */
    public void onViolation(Consumer<Violation> listener) {
        violationListeners.add(listener);
    }

    /** The violations raised so far, oldest first (the last 1000). */
    public List<Violation> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    void raise(Violation v) {
        counters.add(counters.cell(), PoolCounters.VIOLATIONS, 1);
        synchronized (violations) {
            violations.addLast(v);
            if (violations.size() > VIOLATIONS_KEPT) {
                violations.removeFirst();
            }
        }
        for (Consumer<Violation> l : violationListeners) {
            l.accept(v);
        }
        switch (settings.response()) {
            case LOG -> System.getLogger("dev.pooltrack").log(System.Logger.Level.WARNING, v.summary());
            case THROW -> throw new DriverVerifierError(v);
            case CRASH -> Crash.report(this, v);
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** The counters now: per tag, per driver and global. */
    public PoolSnapshot snapshot() {
        int ntags = tags.size();
        long[] sums = counters.sum(PoolCounters.slotsFor(ntags));
        List<TagUsage> usage = new ArrayList<>(ntags);
        for (int i = 0; i < ntags; i++) {
            int np = PoolCounters.tagSlot(i, 0);
            int p = PoolCounters.tagSlot(i, 1);
            usage.add(new TagUsage(
                    Tag.ofValue(tags.tagAt(i)),
                    sums[np + PoolCounters.ALLOCS],
                    sums[np + PoolCounters.FREES],
                    sums[np + PoolCounters.BYTES],
                    sums[p + PoolCounters.ALLOCS],
                    sums[p + PoolCounters.FREES],
                    sums[p + PoolCounters.BYTES]));
        }
        usage.sort(Comparator.comparing(TagUsage::tag));
        List<DriverCounters> driverCounters = new ArrayList<>();
        long[] g = new long[Tracker.DRIVER_COUNTERS];
        long[] c = new long[Tracker.DRIVER_COUNTERS];
        for (Driver d : drivers) {
            driverCounters.add(driverCounters(d, c));
            for (int i = 0; i < g.length; i++) {
                g[i] += c[i];
            }
        }
        GlobalCounters global = new GlobalCounters(
                // every attempt ends as exactly one of these, so attempts cost no count of their own
                sums[PoolCounters.ALLOCATIONS_SUCCEEDED]
                        + sums[PoolCounters.ALLOCATIONS_FAILED]
                        + sums[PoolCounters.ALLOCATIONS_FAILED_DELIBERATELY],
                sums[PoolCounters.ALLOCATIONS_SUCCEEDED],
                sums[PoolCounters.ALLOCATIONS_SUCCEEDED_SPECIAL_POOL],
                sums[PoolCounters.ALLOCATIONS_WITH_NO_TAG],
                sums[PoolCounters.ALLOCATIONS_FAILED],
                sums[PoolCounters.ALLOCATIONS_FAILED_DELIBERATELY],
                sums[PoolCounters.UNTRACKED_POOL],
                g[Tracker.CURRENT_PAGED_ALLOCS],
                g[Tracker.CURRENT_NONPAGED_ALLOCS],
                g[Tracker.PEAK_PAGED_ALLOCS],
                g[Tracker.PEAK_NONPAGED_ALLOCS],
                g[Tracker.CURRENT_PAGED_BYTES],
                g[Tracker.CURRENT_NONPAGED_BYTES],
                g[Tracker.PEAK_PAGED_BYTES],
                g[Tracker.PEAK_NONPAGED_BYTES]);
        return new PoolSnapshot(System.currentTimeMillis(), settings.flags(), usage, driverCounters, global);
    }

    /** One driver's counters now. */
    DriverCounters driverCounters(Driver d) {
        return driverCounters(d, new long[Tracker.DRIVER_COUNTERS]);
    }

    private DriverCounters driverCounters(Driver d, long[] c) {
        tracker.driverCounters(d.index, c);
        long loads;
        long unloads;
        synchronized (d) {
            loads = d.loads;
            unloads = d.unloads;
        }
        long[] locked = lockedPages.counters(d);
        return new DriverCounters(
                d.name,
                d.status,
                d.tracked,
                loads,
                unloads,
                c[Tracker.CURRENT_PAGED_ALLOCS],
                c[Tracker.CURRENT_NONPAGED_ALLOCS],
                c[Tracker.PEAK_PAGED_ALLOCS],
                c[Tracker.PEAK_NONPAGED_ALLOCS],
                c[Tracker.CURRENT_PAGED_BYTES],
                c[Tracker.CURRENT_NONPAGED_BYTES],
                c[Tracker.PEAK_PAGED_BYTES],
                c[Tracker.PEAK_NONPAGED_BYTES],
                locked[0],
                locked[1],
                locked[2]);
    }

    /** Violations raised since the pool started, including those no longer kept. */
    long violationCount() {
        return counters.sum(PoolCounters.GLOBAL_SLOTS)[PoolCounters.VIOLATIONS];
    }

    /**
     * The outstanding allocations of verified drivers, sorted by address: {@code !verifier 3}'s rows.
     *
     * @param driverName one driver's allocations, or all when {@code null}
     * @throws IllegalArgumentException if no driver has that name
     */
    public List<OutstandingAllocation> outstanding(String driverName) {
        int filter = driverName == null ? -1 : driver(driverName).index;
        List<OutstandingAllocation> out = new ArrayList<>();
        tracker.forEach(
                filter,
                (address, size, tag, poolType, driver, site, threadId, timeMillis) -> out.add(new OutstandingAllocation(
                        address,
                        size,
                        Tag.ofValue(tag),
                        PoolType.ofCode(poolType),
                        drivers.get(driver).name,
                        sites.site(site, address),
                        threadId,
                        timeMillis)));
        out.sort(Comparator.comparingLong(OutstandingAllocation::address));
        return out;
    }

    /**
     * The {@code limit} biggest outstanding allocations, sorted by address; all of them when {@code
     * limit} is 0 or less. Among allocations of the same length the lower addresses are kept.
     *
     * <p>Only the allocations kept become objects: asking for the 1000 biggest of a million
     * outstanding walks the records once and keeps a heap of 1000, so a tool that reads a busy JVM
     * with a limit does not make it allocate a million objects.
     *
     * @throws IllegalArgumentException if no driver has that name
     */
    public List<OutstandingAllocation> outstanding(String driverName, int limit) {
        if (limit <= 0) {
            return outstanding(driverName);
        }
        int filter = driverName == null ? -1 : driver(driverName).index;
        // the worst kept on top: the shortest, and of those the highest address
        Comparator<OutstandingAllocation> worstFirst = Comparator.comparingLong(OutstandingAllocation::length)
                .thenComparing(
                        Comparator.comparingLong(OutstandingAllocation::address).reversed());
        PriorityQueue<OutstandingAllocation> kept = new PriorityQueue<>(Math.min(limit, 1 << 16), worstFirst);
        tracker.forEach(filter, (address, size, tag, poolType, driver, site, threadId, timeMillis) -> {
            if (kept.size() == limit) {
                OutstandingAllocation worst = kept.peek();
                if (size < worst.length() || (size == worst.length() && address > worst.address())) {
                    return;
                }
                kept.poll();
            }
            kept.add(new OutstandingAllocation(
                    address,
                    size,
                    Tag.ofValue(tag),
                    PoolType.ofCode(poolType),
                    drivers.get(driver).name,
                    sites.site(site, address),
                    threadId,
                    timeMillis));
        });
        List<OutstandingAllocation> out = new ArrayList<>(kept);
        out.sort(Comparator.comparingLong(OutstandingAllocation::address));
        return out;
    }

    /** The number of records whose call site is kept by address: a captured stack, or the site found in it. */
    int callSiteStacksKept() {
        return sites.pendingCount();
    }

    /** The number of outstanding records of verified drivers, and the bytes the records take. */
    long[] recordFootprint() {
        return new long[] {tracker.size(), tracker.footprintBytes()};
    }
}
