package dev.pooltrack.cli;

import dev.pooltrack.PoolType;
import dev.pooltrack.report.PoolMonOptions.Sort;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the live {@code poolmon} view shows that its keys change: sort key, sort by change, pools,
 * totals, highlighting and the help overlay. An immutable value; {@link #key} gives the view after a
 * key press.
 *
 * @param sort the sort key
 * @param byChange sort by the change since the last refresh instead of the value
 * @param pools the pools shown: both, NonPaged only or Paged only
 * @param totals show the totals under the table ({@code /e})
 * @param highlight highlight changed values ({@code /l} turns it off)
 * @param help the help overlay is shown instead of the table
 */
record PoolMonView(Sort sort, boolean byChange, Set<PoolType> pools, boolean totals, boolean highlight, boolean help) {

    /* PoolMon's run-time keys (reference §6.3, [PMR]): p cycles nonpaged, paged, both; ( and )
     * toggle sort-by-change; t a f d b m choose the sort; e totals; l highlighting; ? and h help;
     * q and ESC quit. [UPM]'s conflicting table (S for Diff, Enter for both pools) is not followed.
     * While the help is shown, a key only closes it, so a key pressed to leave the help never also
     * changes the table. */

    /** The ESC key. */
    static final int ESC = 27;

    /** Copies the pools. */
    PoolMonView {
        pools = Set.copyOf(EnumSet.copyOf(pools));
    }

    /** PoolMon's start: sorted by tag, both pools, no totals, highlighting on, no help. */
    static PoolMonView initial() {
        return new PoolMonView(Sort.TAG, false, EnumSet.allOf(PoolType.class), false, true, false);
    }

    /** Whether the key leaves {@code poolmon}: {@code q}, {@code Q} or ESC. */
    static boolean quits(int key) {
        return key == 'q' || key == 'Q' || key == ESC;
    }

    /** The view after {@code key}; the same view for a key that does nothing. */
    PoolMonView key(int key) {
        if (help) {
            return with(sort, byChange, pools, totals, highlight, false);
        }
        return switch (key) {
            case 'p', 'P' -> with(sort, byChange, nextPools(pools), totals, highlight, false);
            case '(', ')' -> with(sort, !byChange, pools, totals, highlight, false);
            case 't', 'T' -> with(Sort.TAG, byChange, pools, totals, highlight, false);
            case 'a', 'A' -> with(Sort.ALLOCS, byChange, pools, totals, highlight, false);
            case 'f', 'F' -> with(Sort.FREES, byChange, pools, totals, highlight, false);
            case 'd', 'D' -> with(Sort.DIFF, byChange, pools, totals, highlight, false);
            case 'b', 'B' -> with(Sort.BYTES, byChange, pools, totals, highlight, false);
            case 'm', 'M' -> with(Sort.PER_ALLOC, byChange, pools, totals, highlight, false);
            case 'e', 'E' -> with(sort, byChange, pools, !totals, highlight, false);
            case 'l', 'L' -> with(sort, byChange, pools, totals, !highlight, false);
            case '?', 'h', 'H' -> with(sort, byChange, pools, totals, highlight, true);
            default -> this;
        };
    }

    /** Both pools → NonPaged only → Paged only → both, as PoolMon's {@code p}. */
    static Set<PoolType> nextPools(Set<PoolType> pools) {
        if (pools.size() == 2) {
            return EnumSet.of(PoolType.NON_PAGED);
        }
        if (pools.contains(PoolType.NON_PAGED)) {
            return EnumSet.of(PoolType.PAGED);
        }
        return EnumSet.allOf(PoolType.class);
    }

    /** The pools in words: {@code NonPaged and Paged}, {@code NonPaged only}, {@code Paged only}. */
    static String poolsText(Set<PoolType> pools) {
        if (pools.size() == 2) {
            return "NonPaged and Paged";
        }
        return pools.contains(PoolType.NON_PAGED) ? "NonPaged only" : "Paged only";
    }

    /** The sort key as its column is headed: {@code Tag}, {@code Allocs}, ..., {@code Per Alloc}. */
    static String sortText(Sort sort) {
        return switch (sort) {
            case TAG -> "Tag";
            case ALLOCS -> "Allocs";
            case FREES -> "Frees";
            case DIFF -> "Diff";
            case BYTES -> "Bytes";
            case PER_ALLOC -> "Per Alloc";
        };
    }

    private PoolMonView with(
            Sort newSort,
            boolean newByChange,
            Set<PoolType> newPools,
            boolean newTotals,
            boolean newHighlight,
            boolean newHelp) {
        return new PoolMonView(newSort, newByChange, newPools, newTotals, newHighlight, newHelp);
    }
}
