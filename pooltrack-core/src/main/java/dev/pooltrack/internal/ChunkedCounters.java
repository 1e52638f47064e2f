package dev.pooltrack.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A growable array of {@code long} counters whose slots never move once created, so that a writer
 * may keep adding to a slot while another thread grows the array.
 *
 * <p>Slots live in fixed-size chunks; growing copies only the array of chunk references. Reads and
 * writes are thread-safe in the mode their method names say: {@code addAtomic} is a full atomic
 * add, {@code addOwner} is a single-writer add (plain read, opaque write) for a slot only one
 * thread ever writes, {@code getOpaque} pairs with both.
 */
public final class ChunkedCounters {

    static final int CHUNK_SHIFT = 9;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private volatile long[][] chunks = new long[1][];
    /** Chunk 0, which never moves: the common slots are reached without reading {@link #chunks}. */
    private final long[] first = new long[CHUNK_SIZE];

    public ChunkedCounters() {
        chunks[0] = first;
    }

    /** Adds atomically; any number of threads may add to the same slot. */
    public void addAtomic(int slot, long delta) {
        LONGS.getAndAdd(chunkFor(slot), slot & CHUNK_MASK, delta);
    }

    /** Adds as the only writer of this slot: no atomic instruction, visible to opaque readers. */
    public void addOwner(int slot, long delta) {
        long[] c = chunkFor(slot);
        int i = slot & CHUNK_MASK;
        LONGS.setOpaque(c, i, c[i] + delta);
    }

    /** Sets {@code bits} in the slot atomically. */
    public void orAtomic(int slot, long bits) {
        LONGS.getAndBitwiseOr(chunkFor(slot), slot & CHUNK_MASK, bits);
    }

    /** Clears the bits not in {@code bits} atomically. */
    public void andAtomic(int slot, long bits) {
        LONGS.getAndBitwiseAnd(chunkFor(slot), slot & CHUNK_MASK, bits);
    }

    /** Reads a slot; 0 for a slot never written. */
    public long getOpaque(int slot) {
        long[][] cs = chunks;
        int chunk = slot >>> CHUNK_SHIFT;
        if (chunk >= cs.length || cs[chunk] == null) {
            return 0;
        }
        return (long) LONGS.getOpaque(cs[chunk], slot & CHUNK_MASK);
    }

    /** Adds every slot of this array into {@code sums} (index = slot). */
    public void sumInto(long[] sums) {
        long[][] cs = chunks;
        for (int chunk = 0; chunk < cs.length; chunk++) {
            long[] c = cs[chunk];
            if (c == null) {
                continue;
            }
            int base = chunk << CHUNK_SHIFT;
            int n = Math.min(CHUNK_SIZE, sums.length - base);
            for (int i = 0; i < n; i++) {
                sums[base + i] += (long) LONGS.getOpaque(c, i);
            }
        }
    }

    /** The number of slots that exist now. */
    public int capacity() {
        return chunks.length << CHUNK_SHIFT;
    }

    private long[] chunkFor(int slot) {
        if (slot < CHUNK_SIZE) {
            return first;
        }
        long[][] cs = chunks;
        int chunk = slot >>> CHUNK_SHIFT;
        if (chunk < cs.length) {
            long[] c = cs[chunk];
            if (c != null) {
                return c;
            }
        }
        return grow(chunk);
    }

    private synchronized long[] grow(int chunk) {
        long[][] cs = chunks;
        if (chunk >= cs.length) {
            cs = Arrays.copyOf(cs, Math.max(chunk + 1, cs.length * 2));
        }
        if (cs[chunk] == null) {
            if (cs == chunks) {
                cs = cs.clone();
            }
            cs[chunk] = new long[CHUNK_SIZE];
        }
        chunks = cs;
        return cs[chunk];
    }
}
