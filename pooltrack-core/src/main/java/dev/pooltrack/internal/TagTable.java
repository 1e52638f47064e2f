package dev.pooltrack.internal;

import java.util.Arrays;

/**
 * The tags seen so far, each with a dense index that the counters are laid out by.
 *
 * <p>Thread-safe. {@link #indexOf} is lock-free (it reads an immutable table published through a
 * volatile field); {@link #register} takes a lock and copies, as new tags are rare.
 */
public final class TagTable {

    private static final class Table {
        final long[] entries; // (tag << 32) | index; 0 = empty (tag 0 is never registered)
        final int[] tagsByIndex;

        Table(long[] entries, int[] tagsByIndex) {
            this.entries = entries;
            this.tagsByIndex = tagsByIndex;
        }
    }

    private volatile Table table = new Table(new long[64], new int[0]);

    /**
     * A tag's index in one table, which the tag object keeps so that the next allocation under it
     * finds its index with one compare instead of a hash probe. Immutable, so it may be published
     * through a plain field.
     */
    public record Cached(TagTable table, int index) {}

    /** The index of {@code tag}, or -1 if it was never registered. */
    public int indexOf(int tag) {
        long[] e = table.entries;
        int mask = e.length - 1;
        int i = mix(tag) & mask;
        while (true) {
            long entry = e[i];
            if (entry == 0) {
                return -1;
            }
            if ((int) (entry >>> 32) == tag) {
                return (int) entry;
            }
            i = (i + 1) & mask;
        }
    }

    /** The index of {@code tag}, registering it first if it is new. */
    public synchronized int register(int tag) {
        int existing = indexOf(tag);
        if (existing >= 0) {
            return existing;
        }
        Table t = table;
        int index = t.tagsByIndex.length;
        long[] entries = t.entries;
        if ((index + 1) * 2 > entries.length) {
            entries = new long[entries.length * 2];
            for (long entry : t.entries) {
                if (entry != 0) {
                    insert(entries, entry);
                }
            }
        } else {
            entries = entries.clone();
        }
        insert(entries, ((long) tag << 32) | index);
        int[] tags = Arrays.copyOf(t.tagsByIndex, index + 1);
        tags[index] = tag;
        table = new Table(entries, tags);
        return index;
    }

    /** The number of tags registered. */
    public int size() {
        return table.tagsByIndex.length;
    }

    /** The tag value with the given index. */
    public int tagAt(int index) {
        return table.tagsByIndex[index];
    }

    private static void insert(long[] entries, long entry) {
        int mask = entries.length - 1;
        int i = mix((int) (entry >>> 32)) & mask;
        while (entries[i] != 0) {
            i = (i + 1) & mask;
        }
        entries[i] = entry;
    }

    private static int mix(int tag) {
        int h = tag * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
