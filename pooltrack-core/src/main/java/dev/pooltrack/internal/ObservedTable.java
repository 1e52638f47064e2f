package dev.pooltrack.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The records of native memory that PoolTrack observes but does not verify (direct buffers, {@code
 * Unsafe}, FFM arenas, C allocator downcalls whose driver is not verified): for each address still
 * allocated, its size, pool type, driver, tag and tag index, so that a free that names only the
 * address ({@code Unsafe.freeMemory}, C {@code free}) is counted under the right tag with the right
 * size.
 *
 * <p>Thread-safe: any thread may insert and remove, and a block may be removed by a thread other
 * than the one that inserted it. A platform thread passes its {@link Local} (from {@link #local}):
 * its inserts, and its removals of blocks it inserted, then take no atomic instruction at all. A
 * removal of another thread's block, and every operation without a {@code Local}, takes one
 * segment's spin lock (one compare-and-set, released with one release store). Nothing is allocated
 * on the Java heap except when a table grows.
 */
public final class ObservedTable {

    /* Why not StripedTracker: observed memory needs no per-driver counters, no allocating thread or
     * time (nothing reports them for memory that is not verified), and no tombstones (a double free
     * of memory that is not verified is not a violation Driver Verifier raises): a slot is three
     * longs instead of four, and a removal leaves nothing behind to be rehashed away later.
     *
     * Layout: 64 segments chosen by the top six bits of the address's multiplicative hash; each is an
     * open-addressing table with linear probing and a power-of-two capacity; a slot is
     *   w0 = address (0 = empty slot; a block's address is never 0)
     *   w1 = Tracker.info(size, driver, pool type)
     *   w2 = tag << 32 | tag index
     * A removal shifts the rest of its probe run back into the hole (Knuth, TAOCP vol. 3, 6.4,
     * Algorithm R), so the table holds only live records and a probe stops at the first empty slot.
     * A segment doubles at a load of 3/4. The lock is a plain int taken with compare-and-set; a thread
     * that fails to take it spins briefly, then yields, since on a machine with few cores the holder
     * may have been preempted.
     *
     * Thread-owned records. Through the shared segments an insert and a remove of one block cost
     * about 16 ns (two lock compare-and-sets and the probing; ObservedTableBenchmark.sharedAlone),
     * against 8 to 9 ns for the malloc+free pair they record. So a platform thread keeps the blocks
     * it inserts in a Local that only it writes, with plain stores: its four newest records in a
     * small stack, oldest first (most blocks are freed soon, by the thread that allocated them, and
     * often newest first: an arena frees its segments in reverse), and older ones in slots of the
     * same layout as a segment's. Pushing a record and popping the newest change only the stack's
     * count, which is stored (release) after the record it counts.
     *
     * Other threads only read a Local, through a sequence lock: before any other change (a record
     * moved to the slots, a removal below the top, the slots growing) the owner makes its version
     * odd, and even again after (release stores, no fence on x86); a reader that saw the same even
     * version before and after its probe read a consistent Local. A push or pop racing a reader
     * changes only the top of the stack, which a reader looking for a live block of its own does
     * not need (a reader that finds the owner's newest block there while the owner frees it is
     * racing a double free).
     *
     * A thread that frees a block it did not insert, and that is not in the shared segments, looks
     * for it in every Local; when it finds it there it takes the record (counting the free) and
     * adds the address to that Local's pending set, under the Local's monitor. The owner removes
     * pending addresses before its next insert or removal: a plain read of the pending count tells it
     * whether any are queued (a stale 0 only delays that, and an insert that finds its address
     * still recorded drains under the monitor before calling it a duplicate). A pending address is
     * no longer recorded: readers skip it. When a Local's owner has ended (JLS 17.4.5: its last
     * write happens-before isAlive() returns false), another thread moves its live records into the
     * shared segments and drops it: at the first free that finds a record there, every 64th new
     * Local, and in size().
     *
     * Not checked across Locals: an address still recorded in one thread's Local when the allocator
     * hands it to another thread (its free was not reported) is then recorded twice, and one of the
     * two stays counted after the block's free, as any block whose free was not reported stays
     * counted while its address is not handed out again. */

    private static final int SEGMENT_BITS = 6;
    private static final int SEGMENTS = 1 << SEGMENT_BITS;
    private static final int WORDS = 3;
    private static final int INITIAL_CAPACITY = 16;
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private static final int SWEEP_EVERY = 64;
    private static final int RECENT = 4;

    private static final VarHandle LOCK;
    private static final VarHandle VERSION;
    private static final VarHandle PENDING;
    private static final VarHandle RECENT_COUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOCK = l.findVarHandle(Segment.class, "lock", int.class);
            VERSION = l.findVarHandle(Local.class, "version", int.class);
            PENDING = l.findVarHandle(Local.class, "pendingCount", int.class);
            RECENT_COUNT = l.findVarHandle(Local.class, "recentCount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // padding keeps two segments' locks off one cache line
    static final class Segment {
        long p0, p1, p2, p3, p4, p5, p6;
        volatile int lock;
        int live;
        int mask;
        long[] slots;
        long q0, q1, q2, q3, q4, q5, q6;

        Segment() {
            mask = INITIAL_CAPACITY - 1;
            slots = new long[INITIAL_CAPACITY * WORDS];
        }
    }

    /**
     * One platform thread's records ({@link #local}). Only its owner passes it to {@link #insert} and
     * {@link #remove}.
     */
    public static final class Local {
        final Thread owner;
        /** The newest records, oldest first, before they move to the slots (see the class notes). */
        final long[] recent = new long[RECENT * WORDS];

        int recentCount;
        long[] slots = new long[INITIAL_CAPACITY * WORDS];
        int mask = INITIAL_CAPACITY - 1;
        int live;
        /** Odd while the owner changes the slots (the sequence lock). */
        int version;
        /** Addresses freed by other threads, to drop from the slots; guarded by this Local's monitor. */
        long[] pending = new long[4];
        /** The number of pending addresses; written under the monitor, read by the owner without it. */
        int pendingCount;
        /** Set, under the monitor, once the owner ended and its records moved to the segments. */
        boolean retired;
        /** The lowest and highest address the owner ever inserted (a filter for other threads' frees). */
        long low = Long.MAX_VALUE;

        long high = Long.MIN_VALUE;
        /** The Local this thread last took a record from; written and read by the owner only. */
        Local lastOwner;
        /** The owner's scratch record for another thread's block, read before it is taken. */
        final long[] seen = new long[2];
        /** The owner's record of a block it frees when its caller wants none back ({@link #freedRecord}). */
        private final long[] freed = new long[2];

        Local(Thread owner) {
            this.owner = owner;
        }

        /** A record array that only the owner uses, for a removal whose caller wants no record back. */
        public long[] freedRecord() {
            return freed;
        }
    }

    private final Segment[] segments = new Segment[SEGMENTS];
    private final Object registry = new Object();
    private volatile Local[] locals = new Local[0];
    /* Set before the first record enters a segment (a virtual thread's, or an ended thread's moved
     * there): until then a free that misses its own Local skips the segments' lock. A thread handed a
     * block sees the flag its allocating thread set. */
    private volatile boolean sharedUsed;
    private int registrationsSinceSweep;

    public ObservedTable() {
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment();
        }
    }

    /**
     * The calling thread's {@code Local}, created on first use; {@code null} for the cell that
     * virtual threads share, which uses the shared segments.
     *
     * @param cell the calling thread's counter cell ({@link PoolCounters#cell()}) in the pool that
     *     owns this table
     */
    public Local local(PoolCounters.Cell cell) {
        Local l = cell.observed;
        return l != null || cell.owner == null ? l : register(cell);
    }

    private Local register(PoolCounters.Cell cell) {
        Local l = new Local(cell.owner);
        synchronized (registry) {
            Local[] now = locals;
            Local[] next = Arrays.copyOf(now, now.length + 1);
            next[now.length] = l;
            locals = next;
            if (++registrationsSinceSweep >= SWEEP_EVERY) {
                sweepEnded();
            }
        }
        cell.observed = l;
        return l;
    }

    /**
     * Records a block in the shared segments unless its address is recorded there already.
     *
     * @param address the block's address, not 0
     * @param size its bytes, below 2^48
     * @param tag its tag value
     * @param tagIndex the tag's index in the pool's tag table
     * @param poolType 0 nonpaged, 1 paged
     * @param driver the index of the driver charged, below 2^15
     * @return {@code false}, with nothing changed, if {@code address} is recorded already
     * @throws IllegalArgumentException if {@code address} is 0
     */
    public boolean insert(long address, long size, int tag, int tagIndex, int poolType, int driver) {
        return insert(null, address, size, tag, tagIndex, poolType, driver);
    }

    /**
     * Records a block unless its address is recorded already: in {@code local}, the calling thread's
     * own (which finds a duplicate there only), or in the shared segments when {@code local} is
     * {@code null}.
     *
     * @see #insert(long, long, int, int, int, int)
     */
    public boolean insert(Local local, long address, long size, int tag, int tagIndex, int poolType, int driver) {
        if (address == 0) {
            throw new IllegalArgumentException("address 0 is never a block");
        }
        long info = Tracker.info(size, driver, poolType);
        long tags = ((long) tag << 32) | (tagIndex & 0xFFFF_FFFFL);
        if (local == null) {
            return insertShared(address, info, tags);
        }
        if (local.pendingCount != 0) { // plain: see the class notes
            drainPending(local);
        }
        if (holds(local, address)) {
            drainPending(local); // a free by another thread may be queued and not seen yet
            if (holds(local, address)) {
                return false;
            }
        }
        int n = local.recentCount;
        if (n == RECENT) {
            int odd = beginWrite(local);
            spillOldest(local);
            endWrite(local, odd);
            n = RECENT - 1;
        }
        if (address < local.low) {
            local.low = address;
        }
        if (address > local.high) {
            local.high = address;
        }
        long[] recent = local.recent;
        int w = n * WORDS;
        recent[w] = address;
        recent[w + 1] = info;
        recent[w + 2] = tags;
        RECENT_COUNT.setRelease(local, n + 1); // after the entry: a reader that counts it sees it whole
        return true;
    }

    /** Whether the owner's Local records {@code address}. */
    private static boolean holds(Local l, long address) {
        return recentIndex(l, address) >= 0 || (l.live != 0 && probe(l.slots, l.mask, address) >= 0);
    }

    /** The index in {@code recent} of {@code address}, newest first, or -1. */
    private static int recentIndex(Local l, long address) {
        long[] recent = l.recent;
        for (int k = l.recentCount - 1; k >= 0; k--) {
            if (recent[k * WORDS] == address) {
                return k;
            }
        }
        return -1;
    }

    /** Moves the oldest recent record to the slots; within a write. */
    private static void spillOldest(Local l) {
        long[] recent = l.recent;
        if (growsAt(l.live, l.mask)) {
            l.mask = (l.mask << 1) | 1;
            l.slots = grown(l.slots, l.mask);
        }
        int i = probe(l.slots, l.mask, recent[0]);
        if (i < 0) { // always: an address is never both recent and in the slots
            put(l.slots, -i - 1, recent[0], recent[1], recent[2]);
            l.live++;
        }
        System.arraycopy(recent, WORDS, recent, 0, (RECENT - 1) * WORDS);
        l.recentCount--;
    }

    /** Drops the record of {@code address} from the owner's Local, if there; within a write. */
    private static void drop(Local l, long address) {
        int k = recentIndex(l, address);
        if (k >= 0) {
            dropRecent(l, k, null);
        } else if (l.live != 0) {
            int i = probe(l.slots, l.mask, address);
            if (i >= 0) {
                dropSlot(l, i, null);
            }
        }
    }

    /** Drops the recent record at {@code k}, into {@code record} if not null; within a write. */
    private static void dropRecent(Local l, int k, long[] record) {
        long[] recent = l.recent;
        int w = k * WORDS;
        if (record != null) {
            record[0] = recent[w + 1];
            record[1] = recent[w + 2];
        }
        int last = l.recentCount - 1;
        if (k < last) {
            System.arraycopy(recent, w + WORDS, recent, w, (last - k) * WORDS);
        }
        l.recentCount = last;
    }

    /** Drops the record in slot {@code i}, into {@code record} if not null; within a write. */
    private static void dropSlot(Local l, int i, long[] record) {
        if (record != null) {
            record[0] = l.slots[i * WORDS + 1];
            record[1] = l.slots[i * WORDS + 2];
        }
        closeHole(l.slots, l.mask, i);
        l.live--;
    }

    private boolean insertShared(long address, long info, long tags) {
        if (!sharedUsed) {
            sharedUsed = true;
        }
        long h = address * GOLDEN;
        Segment s = segments[(int) (h >>> (64 - SEGMENT_BITS))];
        lock(s);
        try {
            int i = probe(s.slots, s.mask, address);
            if (i >= 0) {
                return false;
            }
            if (growsAt(s.live, s.mask)) {
                s.mask = (s.mask << 1) | 1;
                s.slots = grown(s.slots, s.mask);
                i = probe(s.slots, s.mask, address);
            }
            put(s.slots, -i - 1, address, info, tags);
            s.live++;
            return true;
        } finally {
            unlock(s);
        }
    }

    /**
     * Removes the record of {@code address}, from a thread with no {@code Local}.
     *
     * @see #remove(Local, long, long[])
     */
    public boolean remove(long address, long[] record) {
        return remove(null, address, record);
    }

    /**
     * Removes the record of {@code address}, wherever it was inserted: the calling thread's {@code
     * local} first (may be {@code null}), then the shared segments, then other threads' Locals.
     *
     * @param record receives {@code [0]} the {@linkplain Tracker#info packed info} and {@code [1]}
     *     {@code tag << 32 | tag index}; unchanged if the address is not recorded
     * @return whether the address was recorded
     */
    public boolean remove(Local local, long address, long[] record) {
        if (address == 0) {
            return false;
        }
        if (local != null) {
            if (local.pendingCount != 0) { // plain: see the class notes
                drainPending(local);
            }
            int k = recentIndex(local, address);
            int last = local.recentCount - 1;
            if (k == last && k >= 0) { // the newest: only the count changes, no record moves
                int w = k * WORDS;
                record[0] = local.recent[w + 1];
                record[1] = local.recent[w + 2];
                RECENT_COUNT.setRelease(local, last);
                return true;
            }
            int i = k >= 0 || local.live == 0 ? -1 : probe(local.slots, local.mask, address);
            if (k >= 0 || i >= 0) {
                int odd = beginWrite(local);
                if (k >= 0) {
                    dropRecent(local, k, record);
                } else {
                    dropSlot(local, i, record);
                }
                endWrite(local, odd);
                return true;
            }
        }
        return (sharedUsed && removeShared(address, record)) || removeFromOthers(local, address, record);
    }

    private boolean removeShared(long address, long[] record) {
        long h = address * GOLDEN;
        Segment s = segments[(int) (h >>> (64 - SEGMENT_BITS))];
        lock(s);
        try {
            int i = probe(s.slots, s.mask, address);
            if (i < 0) {
                return false;
            }
            int w = i * WORDS;
            record[0] = s.slots[w + 1];
            record[1] = s.slots[w + 2];
            closeHole(s.slots, s.mask, i);
            s.live--;
            return true;
        } finally {
            unlock(s);
        }
    }

    /* A block another thread inserted in its Local: found by a sequence-locked read, then taken under
     * that Local's monitor unless it is pending already (a double free racing this one). The Local
     * that held the last block this thread took from another is tried first (a consumer freeing a
     * producer's buffers), then every Local whose address range holds the address (glibc gives each
     * thread its own arena, so ranges rarely overlap), then, for an address found nowhere, the rest. */
    private boolean removeFromOthers(Local self, long address, long[] record) {
        long[] seen = self == null ? new long[2] : self.seen;
        Local hint = self == null ? null : self.lastOwner;
        if (hint != null && hint.retired) { // a racy read: a stale hint costs one probe
            self.lastOwner = hint = null;
        }
        if (hint != null && take(hint, address, seen, record)) {
            return true;
        }
        Local[] all = locals;
        for (Local other : all) {
            if (other != self && other != hint && inRange(other, address) && take(other, address, seen, record)) {
                if (self != null) {
                    self.lastOwner = other;
                }
                return true;
            }
        }
        for (Local other : all) {
            if (other != self && other != hint && !inRange(other, address) && take(other, address, seen, record)) {
                return true;
            }
        }
        return false;
    }

    /* Written by the owner before the record it widens the range for is published (the stack's count,
     * a release store), so a thread that was handed the block sees a range that holds it. */
    private static boolean inRange(Local l, long address) {
        return address >= l.low && address <= l.high;
    }

    /** Takes the record of {@code address} from another thread's Local; whether it was there. */
    private boolean take(Local other, long address, long[] seen, long[] record) {
        if (!peek(other, address, seen)) {
            return false;
        }
        synchronized (other) {
            if (!other.retired && pendingContains(other, address)) {
                return false;
            }
            if (!other.retired && other.owner.isAlive()) {
                pendingAdd(other, address);
                record[0] = seen[0];
                record[1] = seen[1];
                return true;
            }
            adopt(other);
        }
        unregister(other);
        return removeShared(address, record);
    }

    /** The number of blocks recorded; exact when no thread inserts or removes meanwhile. */
    public long size() {
        sweepEndedNow();
        long n = 0;
        for (Segment s : segments) {
            lock(s);
            try {
                n += s.live;
            } finally {
                unlock(s);
            }
        }
        for (Local l : locals) {
            synchronized (l) {
                if (!l.retired) {
                    VERSION.getAcquire(l); // the owner's last change happens-before this read
                    n += l.live + l.recentCount - l.pendingCount;
                }
            }
        }
        return n;
    }

    /** The bytes the slots take now, empty slots included. */
    public long footprintBytes() {
        long n = 0;
        for (Segment s : segments) {
            lock(s);
            try {
                n += (long) s.slots.length * Long.BYTES;
            } finally {
                unlock(s);
            }
        }
        for (Local l : locals) {
            synchronized (l) {
                VERSION.getAcquire(l);
                n += (long) (l.slots.length + l.pending.length + l.recent.length) * Long.BYTES;
            }
        }
        return n;
    }

    /** The size in a removed record. */
    public static long size(long[] record) {
        return Tracker.infoSize(record[0]);
    }

    /** The pool type in a removed record. */
    public static int poolType(long[] record) {
        return Tracker.infoPoolType(record[0]);
    }

    /** The tag value in a removed record. */
    public static int tag(long[] record) {
        return (int) (record[1] >>> 32);
    }

    /** The tag index in a removed record. */
    public static int tagIndex(long[] record) {
        return (int) record[1];
    }

    private static int home(long h, int mask) {
        return (int) (h >>> 26) & mask; // bits below the segment's six
    }

    /** Whether a table of {@code mask + 1} slots holding {@code live} records doubles before one more. */
    private static boolean growsAt(int live, int mask) {
        return (live + 1) * 4L > (mask + 1) * 3L; // a load of 3/4
    }

    /** The slot of {@code address}, or {@code -(the empty slot that ends its probe run) - 1}. */
    private static int probe(long[] slots, int mask, long address) {
        int i = home(address * GOLDEN, mask);
        while (true) {
            long a = slots[i * WORDS];
            if (a == address) {
                return i;
            }
            if (a == 0) {
                return -i - 1;
            }
            i = (i + 1) & mask;
        }
    }

    private static void put(long[] slots, int i, long address, long info, long tags) {
        int w = i * WORDS;
        slots[w] = address;
        slots[w + 1] = info;
        slots[w + 2] = tags;
    }

    /* Algorithm R: walks the probe run after the hole; an entry whose home slot is not cyclically in
     * (hole, its slot] can move back into the hole, which then moves to where the entry was. */
    private static void closeHole(long[] slots, int mask, int hole) {
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            int w = j * WORDS;
            long a = slots[w];
            if (a == 0) {
                break;
            }
            int k = home(a * GOLDEN, mask);
            boolean stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
            if (!stays) {
                int h = hole * WORDS;
                slots[h] = a;
                slots[h + 1] = slots[w + 1];
                slots[h + 2] = slots[w + 2];
                hole = j;
            }
        }
        int h = hole * WORDS;
        slots[h] = 0;
        slots[h + 1] = 0;
        slots[h + 2] = 0;
    }

    /** The records of {@code old} in a new array of {@code mask + 1} slots. */
    private static long[] grown(long[] old, int mask) {
        long[] slots = new long[(mask + 1) * WORDS];
        for (int w = 0; w < old.length; w += WORDS) {
            long a = old[w];
            if (a != 0) {
                put(slots, -probe(slots, mask, a) - 1, a, old[w + 1], old[w + 2]);
            }
        }
        return slots;
    }

    // ---------------------------------------------------------------- Locals: sequence lock, pending frees

    /* Written by the owner only (and, once it ended, under the monitor by the thread adopting its
     * records): the odd version is stored before the slots change, the even one after. */
    private static int beginWrite(Local l) {
        int v = l.version + 1;
        VERSION.setOpaque(l, v);
        VarHandle.storeStoreFence();
        return v;
    }

    private static void endWrite(Local l, int odd) {
        VERSION.setRelease(l, odd + 1);
    }

    /** Reads {@code address}'s record in another thread's Local into {@code seen}; whether it is there. */
    private static boolean peek(Local l, long address, long[] seen) {
        for (int spins = 0; ; spins++) {
            int v = (int) VERSION.getAcquire(l);
            if ((v & 1) == 0) {
                long[] recent = l.recent;
                int newest = Math.min(Math.max((int) RECENT_COUNT.getAcquire(l), 0), RECENT);
                boolean inRecent = false;
                long recentInfo = 0;
                long recentTags = 0;
                for (int k = 0; k < newest; k++) {
                    if (recent[k * WORDS] == address) {
                        recentInfo = recent[k * WORDS + 1];
                        recentTags = recent[k * WORDS + 2];
                        inRecent = true;
                    }
                }
                long[] slots = l.slots;
                int capacity = slots.length / WORDS; // a power of two, read with the array it belongs to
                int mask = capacity - 1;
                int i = home(address * GOLDEN, mask);
                boolean found = false;
                long info = 0;
                long tags = 0;
                for (int n = 0; n < capacity; n++) { // bounded: a torn read may show a table with no hole
                    int w = i * WORDS;
                    long a = slots[w];
                    if (a == 0) {
                        break;
                    }
                    if (a == address) {
                        info = slots[w + 1];
                        tags = slots[w + 2];
                        found = true;
                        break;
                    }
                    i = (i + 1) & mask;
                }
                VarHandle.acquireFence();
                if ((int) VERSION.getOpaque(l) == v) {
                    seen[0] = inRecent ? recentInfo : info;
                    seen[1] = inRecent ? recentTags : tags;
                    return inRecent || found;
                }
            }
            backOff(spins);
        }
    }

    /** The owner drops the addresses other threads freed from its slots. */
    private static void drainPending(Local l) {
        synchronized (l) {
            if (l.pendingCount == 0) {
                return;
            }
            long[] pending = l.pending;
            int odd = beginWrite(l);
            for (long a : pending) {
                if (a != 0) {
                    drop(l, a);
                }
            }
            endWrite(l, odd);
            if (pending.length > 64) {
                l.pending = new long[4];
            } else {
                Arrays.fill(pending, 0);
            }
            PENDING.setRelease(l, 0);
        }
    }

    /* The pending addresses: an open-addressing set of longs (0 = empty), at most half full, cleared
     * whole when the owner drains it. Under the Local's monitor. */
    private static boolean pendingContains(Local l, long address) {
        long[] p = l.pending;
        int mask = p.length - 1;
        int i = (int) ((address * GOLDEN) >>> 40) & mask;
        while (p[i] != 0) {
            if (p[i] == address) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    private static void pendingAdd(Local l, long address) {
        if ((l.pendingCount + 1) * 2 > l.pending.length) {
            long[] old = l.pending;
            l.pending = new long[old.length * 2];
            for (long a : old) {
                if (a != 0) {
                    pendingPut(l.pending, a);
                }
            }
        }
        pendingPut(l.pending, address);
        PENDING.setRelease(l, l.pendingCount + 1);
    }

    private static void pendingPut(long[] p, long address) {
        int mask = p.length - 1;
        int i = (int) ((address * GOLDEN) >>> 40) & mask;
        while (p[i] != 0) {
            i = (i + 1) & mask;
        }
        p[i] = address;
    }

    /** Moves the live records of a Local whose owner ended into the shared segments; under its monitor. */
    private void adopt(Local l) {
        if (l.retired) {
            return;
        }
        long[] slots = l.slots;
        for (int w = 0; w < slots.length; w += WORDS) {
            long a = slots[w];
            if (a != 0 && !pendingContains(l, a)) {
                insertShared(a, slots[w + 1], slots[w + 2]);
            }
        }
        long[] recent = l.recent;
        for (int w = 0; w < l.recentCount * WORDS; w += WORDS) {
            if (!pendingContains(l, recent[w])) {
                insertShared(recent[w], recent[w + 1], recent[w + 2]);
            }
        }
        int odd = beginWrite(l);
        l.recentCount = 0;
        l.slots = new long[INITIAL_CAPACITY * WORDS];
        l.mask = INITIAL_CAPACITY - 1;
        l.live = 0;
        endWrite(l, odd);
        l.pending = new long[4];
        PENDING.setRelease(l, 0);
        l.retired = true;
    }

    private void unregister(Local l) {
        synchronized (registry) {
            Local[] now = locals;
            int at = Arrays.asList(now).indexOf(l);
            if (at >= 0) {
                Local[] next = new Local[now.length - 1];
                System.arraycopy(now, 0, next, 0, at);
                System.arraycopy(now, at + 1, next, at, now.length - at - 1);
                locals = next;
            }
        }
    }

    private void sweepEndedNow() {
        synchronized (registry) {
            sweepEnded();
        }
    }

    /** Adopts the records of every Local whose owner ended; under the registry's monitor. */
    private void sweepEnded() {
        registrationsSinceSweep = 0;
        for (Local l : locals) {
            if (!l.owner.isAlive()) {
                synchronized (l) {
                    adopt(l);
                }
                unregister(l);
            }
        }
    }

    private static void backOff(int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    private static void lock(Segment s) {
        int spins = 0;
        while (!LOCK.weakCompareAndSetAcquire(s, 0, 1)) {
            backOff(spins++);
            if (spins > SPINS_BEFORE_YIELD) {
                spins = 0;
            }
        }
    }

    private static void unlock(Segment s) {
        LOCK.setRelease(s, 0);
    }
}
