package dev.pooltrack.report;

import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What PoolMon shows and in which order: the counterpart of {@code poolmon}'s startup switches and
 * run-time keys. An immutable value; thread-safe when the functions in it are.
 *
 * @param sort the sort key ({@code /t /a /f /d /b /m}); numeric keys sort biggest first
 * @param sortByChange sort by the change of the key since the previous snapshot ({@code /(}) instead
 *     of its value; has no effect with {@link Sort#TAG}
 * @param pools the pools shown ({@code /p} nonpaged only, {@code /p /p} paged only)
 * @param include tags shown ({@code /iTag}): a tag is shown if any matches; empty shows every tag
 * @param exclude tags hidden ({@code /xTag}): a tag is hidden if any matches, even if included
 * @param mappedDriver the Mapped_Driver text of a tag ({@code /g}), or {@code null} for no column
 * @param maxRows how many rows to show; 0 or less shows all
 */
public record PoolMonOptions(
        Sort sort,
        boolean sortByChange,
        Set<PoolType> pools,
        List<Predicate<Tag>> include,
        List<Predicate<Tag>> exclude,
        Function<Tag, String> mappedDriver,
        int maxRows) {

    /** PoolMon's sort keys, with the key that selects each. */
    public enum Sort {
        /** {@code t}: by tag, then pool type (the default). */
        TAG,
        /** {@code a}: by allocations. */
        ALLOCS,
        /** {@code f}: by frees. */
        FREES,
        /** {@code d}: by Diff, allocations minus frees. */
        DIFF,
        /** {@code b}: by bytes in use. */
        BYTES,
        /** {@code m}: by bytes per allocation outstanding. */
        PER_ALLOC
    }

    /**
     * Copies the collections.
     *
     * @throws IllegalArgumentException if {@code pools} is empty
     * @throws NullPointerException if {@code sort}, a collection or an element is null
     */
    public PoolMonOptions {
        if (sort == null) {
            throw new NullPointerException("sort");
        }
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("no pool to show: choose NonPaged, Paged or both");
        }
        pools = Set.copyOf(EnumSet.copyOf(pools));
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    /** PoolMon's defaults: sorted by tag, both pools, every tag, no Mapped_Driver column, all rows. */
    public static PoolMonOptions defaults() {
        return new PoolMonOptions(Sort.TAG, false, EnumSet.allOf(PoolType.class), List.of(), List.of(), null, 0);
    }

    /** Whether a tag passes the include and exclude filters. */
    public boolean shows(Tag tag) {
        if (!include.isEmpty() && include.stream().noneMatch(p -> p.test(tag))) {
            return false;
        }
        return exclude.stream().noneMatch(p -> p.test(tag));
    }
}
