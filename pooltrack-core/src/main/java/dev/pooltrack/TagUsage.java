package dev.pooltrack;

/**
 * The counters of one pool tag: PoolMon's and {@code !poolused}'s data, an immutable value.
 *
 * <p>Counting rules: a successful allocation adds one to {@code allocs} and its requested length to
 * {@code bytes} of its pool type; a free adds one to {@code frees} and subtracts the length.
 * Allocations and frees count from the start of the JVM (or of the {@link PoolTrack} instance), so
 * {@code allocs - frees} is the number outstanding. Failed allocations count nowhere here. Per-tag
 * counters are kept for every driver, verified or not, as Windows always keeps pool tagging on.
 *
 * <p>{@link #plus} and {@link #minus} give sums and PoolMon's deltas ({@code now.minus(before)}).
 *
 * @param tag the tag
 * @param nonPagedAllocs allocations from nonpaged pool
 * @param nonPagedFrees frees to nonpaged pool
 * @param nonPagedBytes nonpaged bytes in use
 * @param pagedAllocs allocations from paged pool
 * @param pagedFrees frees to paged pool
 * @param pagedBytes paged bytes in use
 */
public record TagUsage(
        Tag tag,
        long nonPagedAllocs,
        long nonPagedFrees,
        long nonPagedBytes,
        long pagedAllocs,
        long pagedFrees,
        long pagedBytes) {

    /** A tag with nothing counted. */
    public static TagUsage empty(Tag tag) {
        return new TagUsage(tag, 0, 0, 0, 0, 0, 0);
    }

    /** Nonpaged allocations outstanding: {@code !poolused}'s NonPaged Allocs, PoolMon's Diff. */
    public long nonPagedOutstanding() {
        return nonPagedAllocs - nonPagedFrees;
    }

    /** Paged allocations outstanding. */
    public long pagedOutstanding() {
        return pagedAllocs - pagedFrees;
    }

    /** Allocations of the given pool type. */
    public long allocs(PoolType type) {
        return type == PoolType.NON_PAGED ? nonPagedAllocs : pagedAllocs;
    }

    /** Frees of the given pool type. */
    public long frees(PoolType type) {
        return type == PoolType.NON_PAGED ? nonPagedFrees : pagedFrees;
    }

    /** Bytes in use in the given pool type. */
    public long bytes(PoolType type) {
        return type == PoolType.NON_PAGED ? nonPagedBytes : pagedBytes;
    }

    /** Outstanding allocations of the given pool type. */
    public long outstanding(PoolType type) {
        return allocs(type) - frees(type);
    }

    /**
     * The field-by-field sum.
     *
     * @throws IllegalArgumentException if the tags differ
     */
    public TagUsage plus(TagUsage other) {
        requireSameTag(other);
        return new TagUsage(
                tag,
                nonPagedAllocs + other.nonPagedAllocs,
                nonPagedFrees + other.nonPagedFrees,
                nonPagedBytes + other.nonPagedBytes,
                pagedAllocs + other.pagedAllocs,
                pagedFrees + other.pagedFrees,
                pagedBytes + other.pagedBytes);
    }

    /**
     * The field-by-field difference, {@code this - other}: the change since an earlier snapshot.
     *
     * @throws IllegalArgumentException if the tags differ
     */
    public TagUsage minus(TagUsage other) {
        requireSameTag(other);
        return new TagUsage(
                tag,
                nonPagedAllocs - other.nonPagedAllocs,
                nonPagedFrees - other.nonPagedFrees,
                nonPagedBytes - other.nonPagedBytes,
                pagedAllocs - other.pagedAllocs,
                pagedFrees - other.pagedFrees,
                pagedBytes - other.pagedBytes);
    }

    private void requireSameTag(TagUsage other) {
        if (!tag.equals(other.tag)) {
            throw new IllegalArgumentException("tags differ: " + tag + " and " + other.tag);
        }
    }
}
