package dev.pooltrack.report;

import static dev.pooltrack.report.Json.object;

import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * PoolMon's table: one row per tag and pool type with allocations, frees, their difference, bytes in
 * use and bytes per allocation, and the change of each since an earlier snapshot. What {@code poolmon
 * --once} prints and the live view redraws.
 *
 * <pre>
 *  Tag  Type     Allocs            Frees            Diff   Bytes      Per Alloc
 *
 *  Wait Nonp    3971107 (   0)   3971077 (   0)       30    8456 (     0)    281
 * </pre>
 *
 * <p>A tag has a row for a pool type once anything was allocated from that pool with it. The changes
 * in parentheses are {@code now} minus {@code before}, or 0 without an earlier snapshot. Per Alloc is
 * Bytes / Diff in whole bytes, 0 when Diff is 0. Numeric sorts put the biggest value (or, with
 * {@link PoolMonOptions#sortByChange()}, the biggest increase) first; ties go by tag, then NonPaged
 * before Paged. Columns widen when a number needs it. Thread-safe (stateless); the output depends on
 * the arguments alone.
 */
public final class PoolMonReport {

    /* Column layout of PoolMon's display (reference §6.3, [PMD] sample row): tag, type left-aligned
     * in 5, Allocs in 10, "(%4d)", Frees in 10, "(%4d)", Diff in 9, Bytes in 8, "(%6d)", Per Alloc
     * in 7; "Per Alloc" ends one column before its numbers, as on Windows. The blank line under the
     * header is PoolMon's too. The memory and commit lines above PoolMon's table describe the
     * machine, not the pools, and are left to the caller. */

    private PoolMonReport() {}

    /**
     * The table for {@code now}, with changes since {@code before}.
     *
     * @param now the counters to show
     * @param before an earlier snapshot for the changes, or {@code null} (changes are 0)
     * @param opts sort, pools, filters, Mapped_Driver column and row limit
     * @throws NullPointerException if {@code now} or {@code opts} is null
     */
    public static String text(PoolSnapshot now, PoolSnapshot before, PoolMonOptions opts) {
        List<Row> rows = rows(now, before, opts);
        int allocs = 10;
        int allocsChange = 4;
        int frees = 10;
        int freesChange = 4;
        int diff = 9;
        int bytes = 8;
        int bytesChange = 6;
        int perAlloc = 7;
        for (Row r : rows) {
            allocs = Math.max(allocs, Layout.width(r.allocs) + 1);
            allocsChange = Math.max(allocsChange, Layout.width(r.allocsChange));
            frees = Math.max(frees, Layout.width(r.frees) + 1);
            freesChange = Math.max(freesChange, Layout.width(r.freesChange));
            diff = Math.max(diff, Layout.width(r.diff) + 1);
            bytes = Math.max(bytes, Layout.width(r.bytes) + 1);
            bytesChange = Math.max(bytesChange, Layout.width(r.bytesChange));
            perAlloc = Math.max(perAlloc, Layout.width(r.perAlloc) + 1);
        }

        StringBuilder out = new StringBuilder();
        out.append(" Tag  Type ")
                .append(Layout.right("Allocs", allocs))
                .append(Layout.right("Frees", allocsChange + 3 + frees))
                .append(Layout.right("Diff", freesChange + 3 + diff))
                .append(Layout.right("Bytes", bytes))
                .append(Layout.right("Per Alloc", bytesChange + 3 + perAlloc - 1));
        if (opts.mappedDriver() != null) {
            out.append("   Mapped_Driver");
        }
        out.append("\n\n");
        for (Row r : rows) {
            out.append(' ')
                    .append(r.tag.text())
                    .append(' ')
                    .append(Layout.left(r.type.poolmonName(), 5))
                    .append(Layout.right(r.allocs, allocs))
                    .append(change(r.allocsChange, allocsChange))
                    .append(Layout.right(r.frees, frees))
                    .append(change(r.freesChange, freesChange))
                    .append(Layout.right(r.diff, diff))
                    .append(Layout.right(r.bytes, bytes))
                    .append(change(r.bytesChange, bytesChange))
                    .append(Layout.right(r.perAlloc, perAlloc));
            if (opts.mappedDriver() != null) {
                out.append("  ").append(Layout.printable(opts.mappedDriver().apply(r.tag)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * The same rows as JSON: {@code timeMillis}, {@code beforeTimeMillis} (null without an earlier
     * snapshot), {@code sort}, {@code sortByChange}, {@code pools} and {@code rows}, each row with
     * {@code tag}, {@code tagValue}, {@code type}, the numbers, their changes ({@code allocsChange},
     * ...) and, with the column on, {@code mappedDriver}.
     *
     * @throws NullPointerException as {@link #text}
     */
    public static String json(PoolSnapshot now, PoolSnapshot before, PoolMonOptions opts) {
        List<Object> rows = new ArrayList<>();
        for (Row r : rows(now, before, opts)) {
            Map<String, Object> row = object(
                    "tag", r.tag.toString(),
                    "tagValue", r.tag.hex(),
                    "type", r.type.poolmonName(),
                    "allocs", r.allocs,
                    "allocsChange", r.allocsChange,
                    "frees", r.frees,
                    "freesChange", r.freesChange,
                    "diff", r.diff,
                    "diffChange", r.diffChange,
                    "bytes", r.bytes,
                    "bytesChange", r.bytesChange,
                    "perAlloc", r.perAlloc,
                    "perAllocChange", r.perAllocChange);
            if (opts.mappedDriver() != null) {
                row.put("mappedDriver", opts.mappedDriver().apply(r.tag));
            }
            rows.add(row);
        }
        List<Object> pools = new ArrayList<>();
        for (PoolType type : PoolType.values()) {
            if (opts.pools().contains(type)) {
                pools.add(type.poolmonName());
            }
        }
        return Json.write(object(
                        "timeMillis",
                        now.timeMillis(),
                        "beforeTimeMillis",
                        before == null ? null : before.timeMillis(),
                        "sort",
                        opts.sort().name(),
                        "sortByChange",
                        opts.sortByChange(),
                        "pools",
                        pools,
                        "rows",
                        rows))
                + "\n";
    }

    private static String change(long value, int width) {
        return " (" + Layout.right(value, width) + ")";
    }

    private record Row(
            Tag tag,
            PoolType type,
            long allocs,
            long allocsChange,
            long frees,
            long freesChange,
            long diff,
            long diffChange,
            long bytes,
            long bytesChange,
            long perAlloc,
            long perAllocChange) {

        static Row of(TagUsage now, TagUsage before, PoolType type) {
            long diff = now.outstanding(type);
            long perAlloc = perAlloc(now, type);
            return new Row(
                    now.tag(),
                    type,
                    now.allocs(type),
                    now.allocs(type) - before.allocs(type),
                    now.frees(type),
                    now.frees(type) - before.frees(type),
                    diff,
                    diff - before.outstanding(type),
                    now.bytes(type),
                    now.bytes(type) - before.bytes(type),
                    perAlloc,
                    perAlloc - perAlloc(before, type));
        }

        private static long perAlloc(TagUsage t, PoolType type) {
            long diff = t.outstanding(type);
            return diff == 0 ? 0 : t.bytes(type) / diff;
        }
    }

    private static List<Row> rows(PoolSnapshot now, PoolSnapshot before, PoolMonOptions opts) {
        Objects.requireNonNull(opts, "opts");
        List<Row> rows = new ArrayList<>();
        List<TagUsage> changes = before == null ? null : now.tagsMinus(before);
        for (int i = 0; i < now.tags().size(); i++) {
            TagUsage t = now.tags().get(i);
            if (!opts.shows(t.tag())) {
                continue;
            }
            TagUsage then = changes == null ? t : t.minus(changes.get(i));
            for (PoolType type : PoolType.values()) {
                if (opts.pools().contains(type) && (t.allocs(type) != 0 || t.frees(type) != 0 || t.bytes(type) != 0)) {
                    rows.add(Row.of(t, then, type));
                }
            }
        }
        Comparator<Row> byTag = Comparator.comparing(Row::tag).thenComparing(Row::type);
        Comparator<Row> order = switch (opts.sort()) {
            case TAG -> byTag;
            case ALLOCS -> descending(opts.sortByChange() ? Row::allocsChange : Row::allocs, byTag);
            case FREES -> descending(opts.sortByChange() ? Row::freesChange : Row::frees, byTag);
            case DIFF -> descending(opts.sortByChange() ? Row::diffChange : Row::diff, byTag);
            case BYTES -> descending(opts.sortByChange() ? Row::bytesChange : Row::bytes, byTag);
            case PER_ALLOC -> descending(opts.sortByChange() ? Row::perAllocChange : Row::perAlloc, byTag);
        };
        rows.sort(order);
        return opts.maxRows() > 0 && opts.maxRows() < rows.size() ? rows.subList(0, opts.maxRows()) : rows;
    }

    private static Comparator<Row> descending(ToLongFunction<Row> key, Comparator<Row> then) {
        return Comparator.comparingLong(key).reversed().thenComparing(then);
    }
}
