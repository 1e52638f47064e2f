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
import java.util.function.Function;

/**
 * The {@code !poolused} table: per tag, the NonPaged and Paged allocations outstanding and bytes in
 * use, with the tag's description and a TOTAL line.
 *
 * <p>Text layout, for flags 0x2:
 *
 * <pre>
 *  Sorting by NonPaged Pool Consumed
 *
 *                NonPaged                  Paged
 *  Tag     Allocs         Used     Allocs         Used
 *
 *  Lea2       257    263168000          0            0  UNKNOWN pooltag 'Lea2', please update pooltag.txt
 *
 *  TOTAL      258    264192000          0            0
 * </pre>
 *
 * <p>Rows are the tags with allocations outstanding or bytes in use in either pool; ties in a sort
 * by bytes are broken by tag. TOTAL sums every tag of the snapshot, also when only the top N rows are
 * shown, as Windows does. Columns are right-aligned and widen when a number needs it. Windows glues
 * the description to the last number; PoolTrack separates them with two spaces, so the description
 * can be cut off with {@code cut} or a regular expression. Thread-safe (stateless); the output
 * depends on the arguments alone.
 */
public final class PoolUsedReport {

    /* Layout of the Windows extension (reference §6.1, and the NTDebugging Part 4 output in the
     * seeds): " %-4s %9d %12d %10d %12d" per row, " TOTAL%9d %12d %10d %12d" for the total. The
     * pool names over the columns end 5 and 6 characters before the end of their Used columns. Flag
     * 0x8 (session pool) has no counterpart on the JVM and is refused rather than ignored. */

    /** Flag 0x1: verbose. Accepted; the JVM has no per-pool-page detail to add, so it changes nothing. */
    public static final int VERBOSE = 0x1;
    /** Flag 0x2: sort by NonPaged bytes, biggest first. */
    public static final int SORT_BY_NONPAGED = 0x2;
    /** Flag 0x4: sort by Paged bytes, biggest first. */
    public static final int SORT_BY_PAGED = 0x4;

    private static final String NONPAGED = "NonPaged";
    private static final String PAGED = "Paged";

    private PoolUsedReport() {}

    /**
     * The {@code !poolused flags} table.
     *
     * @param s the counters
     * @param describe the description of a tag (from pooltag.txt, or {@code UNKNOWN pooltag 'Xyz1',
     *     please update pooltag.txt}); {@code null} or empty prints none
     * @param flags 0 sorts by tag, {@link #SORT_BY_NONPAGED} and {@link #SORT_BY_PAGED} by bytes;
     *     {@link #VERBOSE} may be added
     * @param top how many rows to show; 0 or less shows all
     * @throws IllegalArgumentException if flags has both 0x2 and 0x4, or a bit other than 0x1, 0x2
     *     and 0x4
     * @throws NullPointerException if {@code s} or {@code describe} is null
     */
    public static String text(PoolSnapshot s, Function<Tag, String> describe, int flags, int top) {
        Objects.requireNonNull(describe, "describe");
        List<TagUsage> rows = rows(s, flags, top);
        TagUsage total = total(s);

        int a = Math.max(9, Layout.width(total.nonPagedOutstanding()) + 1);
        int b = Layout.width(total.nonPagedBytes());
        int c = Layout.width(total.pagedOutstanding());
        int d = Layout.width(total.pagedBytes());
        for (TagUsage t : rows) {
            a = Math.max(a, Layout.width(t.nonPagedOutstanding()));
            b = Math.max(b, Layout.width(t.nonPagedBytes()));
            c = Math.max(c, Layout.width(t.pagedOutstanding()));
            d = Math.max(d, Layout.width(t.pagedBytes()));
        }
        b = Math.max(b, 12);
        c = Math.max(c, 10);
        d = Math.max(d, 12);

        StringBuilder out = new StringBuilder();
        out.append(' ').append(sortHeader(flags)).append("\n\n");
        int nonPagedEnd = 6 + a + 1 + b - 5;
        int pagedEnd = 6 + a + 1 + b + 1 + c + 1 + d - 6;
        out.append(Layout.right(NONPAGED, nonPagedEnd))
                .append(Layout.right(PAGED, pagedEnd - nonPagedEnd))
                .append('\n');
        out.append(' ')
                .append(Layout.left("Tag", 4))
                .append(' ')
                .append(Layout.right("Allocs", a))
                .append(' ')
                .append(Layout.right("Used", b))
                .append(' ')
                .append(Layout.right("Allocs", c))
                .append(' ')
                .append(Layout.right("Used", d))
                .append("\n\n");
        for (TagUsage t : rows) {
            out.append(' ').append(t.tag().text()).append(' ');
            numbers(out, t, a, b, c, d);
            String description = describe.apply(t.tag());
            if (description != null && !description.isEmpty()) {
                out.append("  ").append(Layout.printable(description));
            }
            out.append('\n');
        }
        out.append("\n TOTAL");
        numbers(out, total, a, b, c, d);
        out.append('\n');
        return out.toString();
    }

    /**
     * The same table as JSON: {@code sort}, {@code flags}, {@code top} (null for all), {@code
     * timeMillis}, {@code tags} (the rows shown, each with {@code tag}, {@code tagValue}, the four
     * numbers and {@code description}) and {@code total}.
     *
     * @throws IllegalArgumentException as {@link #text}
     * @throws NullPointerException as {@link #text}
     */
    public static String json(PoolSnapshot s, Function<Tag, String> describe, int flags, int top) {
        Objects.requireNonNull(describe, "describe");
        List<Object> tags = new ArrayList<>();
        for (TagUsage t : rows(s, flags, top)) {
            Map<String, Object> row =
                    object("tag", t.tag().toString(), "tagValue", t.tag().hex());
            row.putAll(numbers(t));
            row.put("description", describe.apply(t.tag()));
            tags.add(row);
        }
        return Json.write(object(
                        "sort",
                        sortKey(flags),
                        "flags",
                        flags,
                        "top",
                        top > 0 ? top : null,
                        "timeMillis",
                        s.timeMillis(),
                        "tags",
                        tags,
                        "total",
                        numbers(total(s))))
                + "\n";
    }

    private static void numbers(StringBuilder out, TagUsage t, int a, int b, int c, int d) {
        out.append(Layout.right(t.nonPagedOutstanding(), a))
                .append(' ')
                .append(Layout.right(t.nonPagedBytes(), b))
                .append(' ')
                .append(Layout.right(t.pagedOutstanding(), c))
                .append(' ')
                .append(Layout.right(t.pagedBytes(), d));
    }

    private static Map<String, Object> numbers(TagUsage t) {
        return object(
                "nonPagedAllocs", t.nonPagedOutstanding(),
                "nonPagedBytes", t.nonPagedBytes(),
                "pagedAllocs", t.pagedOutstanding(),
                "pagedBytes", t.pagedBytes());
    }

    private static List<TagUsage> rows(PoolSnapshot s, int flags, int top) {
        checkFlags(flags);
        Comparator<TagUsage> byTag = Comparator.comparing(TagUsage::tag);
        Comparator<TagUsage> order = switch (flags & (SORT_BY_NONPAGED | SORT_BY_PAGED)) {
            case SORT_BY_NONPAGED ->
                Comparator.comparingLong(TagUsage::nonPagedBytes).reversed().thenComparing(byTag);
            case SORT_BY_PAGED ->
                Comparator.comparingLong(TagUsage::pagedBytes).reversed().thenComparing(byTag);
            default -> byTag;
        };
        List<TagUsage> rows =
                s.tags().stream().filter(PoolUsedReport::inUse).sorted(order).toList();
        return top > 0 && top < rows.size() ? rows.subList(0, top) : rows;
    }

    private static boolean inUse(TagUsage t) {
        for (PoolType type : PoolType.values()) {
            if (t.outstanding(type) != 0 || t.bytes(type) != 0) {
                return true;
            }
        }
        return false;
    }

    private static TagUsage total(PoolSnapshot s) {
        long npAllocs = 0;
        long npFrees = 0;
        long npBytes = 0;
        long pAllocs = 0;
        long pFrees = 0;
        long pBytes = 0;
        for (TagUsage t : s.tags()) {
            npAllocs += t.nonPagedAllocs();
            npFrees += t.nonPagedFrees();
            npBytes += t.nonPagedBytes();
            pAllocs += t.pagedAllocs();
            pFrees += t.pagedFrees();
            pBytes += t.pagedBytes();
        }
        return new TagUsage(Tag.NONE, npAllocs, npFrees, npBytes, pAllocs, pFrees, pBytes);
    }

    private static void checkFlags(int flags) {
        if ((flags & (SORT_BY_NONPAGED | SORT_BY_PAGED)) == (SORT_BY_NONPAGED | SORT_BY_PAGED)) {
            throw new IllegalArgumentException(String.format(
                    "!poolused flags 0x%X refused: 0x2 (sort by NonPaged Pool Consumed) and"
                            + " 0x4 (sort by Paged Pool Consumed) exclude each other",
                    flags));
        }
        int unknown = flags & ~(VERBOSE | SORT_BY_NONPAGED | SORT_BY_PAGED);
        if (unknown != 0) {
            throw new IllegalArgumentException(String.format(
                    "!poolused flags 0x%X refused: 0x%X is not supported (0x1 verbose, 0x2 sort by NonPaged,"
                            + " 0x4 sort by Paged; the JVM has no session pool for 0x8)",
                    flags, unknown));
        }
    }

    private static String sortHeader(int flags) {
        return switch (flags & (SORT_BY_NONPAGED | SORT_BY_PAGED)) {
            case SORT_BY_NONPAGED -> "Sorting by NonPaged Pool Consumed";
            case SORT_BY_PAGED -> "Sorting by Paged Pool Consumed";
            default -> "Sorting by Tag";
        };
    }

    private static String sortKey(int flags) {
        return switch (flags & (SORT_BY_NONPAGED | SORT_BY_PAGED)) {
            case SORT_BY_NONPAGED -> "nonPagedBytes";
            case SORT_BY_PAGED -> "pagedBytes";
            default -> "tag";
        };
    }
}
