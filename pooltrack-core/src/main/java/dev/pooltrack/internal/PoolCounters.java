package dev.pooltrack.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The always-on counters: per tag and pool type (allocs, frees, bytes) and Driver Verifier's
 * global counters, kept per thread so that counting costs no atomic instruction.
 *
 * <p>Thread-safe. Each platform thread adds to a cell only it writes ({@link ChunkedCounters#addOwner});
 * virtual threads share one cell with atomic adds. {@link #sum} adds up every cell; counts of
 * threads that have ended are folded into a retired cell first. A sum taken while other threads
 * count is not a single instant across threads, but every count lands exactly once: totals are
 * exact once the counting threads are quiet.
 */
public final class PoolCounters {

    /* Layout of a cell: slots [0, GLOBAL_SLOTS) are the global counters, then 8 slots per tag index:
     * nonpaged allocs, frees, bytes, paged allocs, frees, bytes, and two unused (a tag's counters sit
     * in one 64-byte line). This is PoolMon's SYSTEM_POOLTAG record per tag (reference §6.3). */

    public static final int GLOBAL_SLOTS = 16;
    public static final int SLOTS_PER_TAG = 8;

    /** Allocations attempted are derived: succeeded + failed + failed deliberately. */
    public static final int ALLOCATIONS_SUCCEEDED = 1;

    public static final int ALLOCATIONS_SUCCEEDED_SPECIAL_POOL = 2;
    public static final int ALLOCATIONS_WITH_NO_TAG = 3;
    public static final int ALLOCATIONS_FAILED = 4;
    public static final int ALLOCATIONS_FAILED_DELIBERATELY = 5;
    public static final int UNTRACKED_POOL = 6;
    public static final int VIOLATIONS = 7;

    /** Offsets within a tag's slots. */
    public static final int ALLOCS = 0, FREES = 1, BYTES = 2;

    /** A thread's cell. */
    public static final class Cell {
        final ChunkedCounters counters = new ChunkedCounters();
        final Thread owner;

        /** The owner's records of observed memory ({@link ObservedTable#local}); written by the owner only. */
        ObservedTable.Local observed;

        Cell(Thread owner) {
            this.owner = owner;
        }
    }

    /* Finding the calling thread's cell was a ThreadLocal lookup on every allocate and again on every
     * free: the map probe, the weak key's check and the virtual-thread test. A small table indexed by
     * the low bits of the thread id holds the cells found so far: a hit is one array load and one
     * compare with Thread.currentThread(). Entries are written racily with a plain store, which is
     * safe because a Cell's fields are final; two live threads whose ids share the low bits overwrite
     * each other's entry and each falls back to the ThreadLocal, still counting in its own cell.
     * Virtual threads are never cached (they share one cell). Entries of ended threads are cleared
     * when their cells are folded, so the table keeps no Thread alive for long. */
    private static final int CACHED_THREADS = 256;

    private final Cell[] cellsByThread = new Cell[CACHED_THREADS];
    private final ThreadLocal<Cell> local = ThreadLocal.withInitial(this::register);
    private final Cell shared = new Cell(null);
    private final ChunkedCounters retired = new ChunkedCounters();
    private final List<Cell> cells = new ArrayList<>();
    private int registrationsSinceFold;

    /** The calling thread's cell. */
    public Cell cell() {
        Thread t = Thread.currentThread();
        Cell c = cellsByThread[(int) t.threadId() & (CACHED_THREADS - 1)];
        if (c != null && c.owner == t) {
            return c;
        }
        return cellMissed(t);
    }

    private Cell cellMissed(Thread t) {
        if (t.isVirtual()) {
            return shared;
        }
        Cell c = local.get();
        cellsByThread[(int) t.threadId() & (CACHED_THREADS - 1)] = c;
        return c;
    }

    /** The first slot of a tag's counters for a pool type (0 nonpaged, 1 paged). */
    public static int tagSlot(int tagIndex, int poolType) {
        return GLOBAL_SLOTS + tagIndex * SLOTS_PER_TAG + poolType * 3;
    }

    /** Adds {@code delta} to {@code slot} in the calling thread's cell. */
    public void add(Cell cell, int slot, long delta) {
        if (cell.owner == null) {
            cell.counters.addAtomic(slot, delta);
        } else {
            cell.counters.addOwner(slot, delta);
        }
    }

    /** Counts an allocation of {@code bytes} under a tag. */
    public void onAllocate(Cell cell, int tagIndex, int poolType, long bytes) {
        int slot = tagSlot(tagIndex, poolType);
        if (cell.owner == null) {
            cell.counters.addAtomic(slot + ALLOCS, 1);
            cell.counters.addAtomic(slot + BYTES, bytes);
        } else {
            cell.counters.addOwner(slot + ALLOCS, 1);
            cell.counters.addOwner(slot + BYTES, bytes);
        }
    }

    /** Counts a free of {@code bytes} under a tag. */
    public void onFree(Cell cell, int tagIndex, int poolType, long bytes) {
        int slot = tagSlot(tagIndex, poolType);
        if (cell.owner == null) {
            cell.counters.addAtomic(slot + FREES, 1);
            cell.counters.addAtomic(slot + BYTES, -bytes);
        } else {
            cell.counters.addOwner(slot + FREES, 1);
            cell.counters.addOwner(slot + BYTES, -bytes);
        }
    }

    /** The sum over all threads of the first {@code slots} slots. */
    public long[] sum(int slots) {
        long[] sums = new long[slots];
        synchronized (cells) {
            foldEndedThreads();
            retired.sumInto(sums);
            for (Cell c : cells) {
                c.counters.sumInto(sums);
            }
        }
        shared.counters.sumInto(sums);
        return sums;
    }

    /** The number of slots needed for {@code tags} tags. */
    public static int slotsFor(int tags) {
        return GLOBAL_SLOTS + tags * SLOTS_PER_TAG;
    }

    private Cell register() {
        Cell c = new Cell(Thread.currentThread());
        synchronized (cells) {
            cells.add(c);
            if (++registrationsSinceFold >= 64) {
                foldEndedThreads();
            }
        }
        return c;
    }

    /* A thread that has ended wrote its last count before isAlive() turned false (JLS 17.4.5:
     * the final action of a thread happens-before another thread sees it terminated), so its cell
     * can be folded into the retired sums exactly. */
    private void foldEndedThreads() {
        registrationsSinceFold = 0;
        for (var it = cells.iterator(); it.hasNext(); ) {
            Cell c = it.next();
            if (!c.owner.isAlive()) {
                long[] values = new long[c.counters.capacity()];
                c.counters.sumInto(values);
                for (int i = 0; i < values.length; i++) {
                    if (values[i] != 0) {
                        retired.addAtomic(i, values[i]);
                    }
                }
                it.remove();
            }
        }
        for (int i = 0; i < CACHED_THREADS; i++) {
            Cell c = cellsByThread[i];
            if (c != null && !c.owner.isAlive()) {
                cellsByThread[i] = null;
            }
        }
    }
}
