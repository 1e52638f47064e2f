package dev.pooltrack.cli;

import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.Tag;
import dev.pooltrack.TagPattern;
import dev.pooltrack.TagUsage;
import dev.pooltrack.report.PoolMonOptions;
import dev.pooltrack.report.PoolMonReport;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code poolmon} puts on the screen, as text: the header lines, PoolMon's table from {@link
 * PoolMonReport}, the totals, the key line or the help. A pure function of a {@link Frame}, so the
 * whole view is tested without a terminal. Thread-safe (stateless).
 */
final class PoolMonScreen {

    /* PoolMon's display (reference §6.3, [PMD]): a few header lines, then the table, redrawn every
     * 5 seconds with the changes since the last refresh. PoolMon's header describes the machine
     * (Memory, Avail, Commit, ...); what the JVM's pools have instead is the line PoolMon ends its
     * header with, "Pool N: ...K P: ...K", so that line is kept and the machine lines are replaced
     * by the source, the time and the view's settings.
     *
     * The table comes from PoolMonReport, which sizes its columns to the widest number. The totals
     * (/e) must line up with those columns, so they are computed as one more row: a tag unused in
     * both snapshots gets the sums of the rows shown, PoolMonReport lays it out with the others, and
     * its lines are taken out of the table and relabelled "Total". PoolMonReport's default columns
     * take 78 characters; the Mapped_Driver column (/g) goes past 80 and is cut at the terminal's
     * width, as every line is.
     *
     * Highlighting marks a value and its change in reverse video when the change is not 0. It is
     * applied after a line is cut to the width, and only in the numeric part of a row (before the
     * Mapped_Driver text, which comes from a file and could hold anything). */

    /** Reverse video on. */
    static final String REVERSE = "\033[7m";

    /** Reverse video off. */
    static final String NORMAL = "\033[27m";

    /** The key line at the bottom of the live view. */
    static final String KEYS = " q quit  ? help  p pools  t a f d b m sort  ( change  e totals  l highlight";

    /** The smallest terminal the table is drawn on. */
    static final int MIN_WIDTH = 40;

    static final int MIN_HEIGHT = 10;

    /** Columns the Mapped_Driver text needs to say anything: {@code [binary - description]}. */
    static final int MAPPED_DRIVER_ROOM = 16;

    /** The least of the source's name the first line keeps beside the time. */
    private static final int MIN_TITLE = 24;

    private static final String TOTAL_LABEL = "Total";
    private static final Pattern CHANGED = Pattern.compile("\\d+ \\(\\s*-?\\d+\\)");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final List<String> HELP = List.of(
            " PoolMon keys",
            "",
            "   p        pools shown: NonPaged and Paged, NonPaged only, Paged only",
            "   ( )      sort by the change since the last refresh, or by the value",
            "   t        sort by tag",
            "   a        sort by allocations",
            "   f        sort by frees",
            "   d        sort by Diff (allocations - frees)",
            "   b        sort by bytes in use",
            "   m        sort by bytes per allocation (Per Alloc)",
            "   e        totals under the table, on or off",
            "   l        highlighting of changed values, on or off",
            "   space    refresh now",
            "   ? h      this help",
            "   q ESC    quit (Ctrl-C too)",
            "",
            " Numbers in ( ) are the changes since the last refresh.",
            " Press any key to go back to the table.");

    private PoolMonScreen() {}

    /**
     * Everything one screen shows.
     *
     * @param source what is read, for the first line ({@code JVM 1234 (com.example.Main)})
     * @param now the counters shown
     * @param before the counters at the last refresh, or {@code null} on the first screen
     * @param view sort, pools, totals, highlighting, help
     * @param include the {@code /i} patterns; empty shows every tag
     * @param exclude the {@code /x} patterns
     * @param mappedDriver the Mapped_Driver text of a tag, or {@code null} for no column
     * @param intervalSeconds seconds between refreshes, or 0 for a single snapshot
     * @param width the terminal's columns
     * @param height the terminal's lines
     */
    record Frame(
            String source,
            PoolSnapshot now,
            PoolSnapshot before,
            PoolMonView view,
            List<TagPattern> include,
            List<TagPattern> exclude,
            Function<Tag, String> mappedDriver,
            int intervalSeconds,
            int width,
            int height) {

        /** Copies the lists. */
        Frame {
            include = List.copyOf(include);
            exclude = List.copyOf(exclude);
        }

        /** The report options this frame's view and filters stand for. */
        PoolMonOptions options() {
            return new PoolMonOptions(
                    view.sort(),
                    view.byChange(),
                    view.pools(),
                    include.stream().<Predicate<Tag>>map(p -> p::matches).toList(),
                    exclude.stream().<Predicate<Tag>>map(p -> p::matches).toList(),
                    mappedDriver,
                    0);
        }
    }

    /**
     * The live screen: exactly {@code height} lines, none wider than {@code width} visible
     * characters, the key line last. Changed values are in reverse video when the view highlights;
     * there is no other escape sequence.
     */
    static List<String> screen(Frame f) {
        int width = Math.max(1, f.width());
        int height = Math.max(1, f.height());
        List<String> lines = new ArrayList<>();
        if (width < MIN_WIDTH || height < MIN_HEIGHT) {
            lines.add(cut(
                    " Terminal " + width + "x" + height + ": poolmon needs " + MIN_WIDTH + "x" + MIN_HEIGHT, width));
            lines.add(cut(" q quits", width));
            return pad(new ArrayList<>(lines.subList(0, Math.min(lines.size(), height))), height);
        }
        Table t = table(f);
        lines.addAll(header(f, width, f.mappedDriver() != null && width < t.numericWidth() + MAPPED_DRIVER_ROOM));
        lines.add("");
        int bodyHeight = height - lines.size() - 1;
        if (f.view().help()) {
            for (String h : HELP.subList(0, Math.min(HELP.size(), bodyHeight))) {
                lines.add(cut(h, width));
            }
        } else {
            lines.addAll(body(f, t, width, bodyHeight));
        }
        pad(lines, height - 1);
        lines.add(cut(KEYS, width));
        return lines;
    }

    /**
     * One snapshot for a script or a file ({@code --once}, {@code /n}): the header lines without the
     * refresh interval, the whole table and the totals if shown; no escape sequences, no width limit.
     */
    static String text(Frame f) {
        StringBuilder out = new StringBuilder();
        for (String line : header(f, Integer.MAX_VALUE, false)) {
            out.append(line).append('\n');
        }
        out.append('\n');
        Table t = table(f);
        out.append(t.header()).append("\n\n");
        for (String r : t.rows()) {
            out.append(r).append('\n');
        }
        if (!t.totals().isEmpty()) {
            out.append('\n');
            for (String r : t.totals()) {
                out.append(r).append('\n');
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- header

    private static List<String> header(Frame f, int width, boolean mappedDriverCut) {
        PoolSnapshot now = f.now();
        long nonPaged = 0;
        long paged = 0;
        for (TagUsage t : now.tags()) {
            nonPaged += t.nonPagedBytes();
            paged += t.pagedBytes();
        }
        String title = " PoolTrack poolmon: " + printable(f.source());
        String time = TIME.format(Instant.ofEpochMilli(now.timeMillis()));
        String first;
        if (width == Integer.MAX_VALUE) {
            first = title + "  " + time;
        } else if (width >= time.length() + MIN_TITLE) {
            String t = cut(title, width - time.length() - 2);
            first = t + " ".repeat(width - t.length() - time.length()) + time;
        } else {
            first = title;
        }

        StringBuilder second = new StringBuilder(" Pool N: ")
                .append(kilobytes(nonPaged))
                .append("K P: ")
                .append(kilobytes(paged))
                .append("K   Tags: ")
                .append(now.tags().size())
                .append(String.format("   Level: %08X", now.level()));
        if (f.intervalSeconds() > 0) {
            second.append("   Refresh: ").append(f.intervalSeconds()).append(" s");
        }

        StringBuilder third = new StringBuilder(" Sort: ")
                .append(PoolMonView.sortText(f.view().sort()))
                .append(f.view().byChange() && f.view().sort() != PoolMonOptions.Sort.TAG ? " (change)" : "")
                .append("   Pools: ")
                .append(PoolMonView.poolsText(f.view().pools()));
        if (!f.include().isEmpty() || !f.exclude().isEmpty()) {
            third.append("   Filter:");
            f.include().forEach(p -> third.append(" /i").append(p));
            f.exclude().forEach(p -> third.append(" /x").append(p));
        }
        if (mappedDriverCut) {
            third.append("   Mapped_Driver: widen the terminal");
        }
        return List.of(cut(first, width), cut(second.toString(), width), cut(third.toString(), width));
    }

    private static long kilobytes(long bytes) {
        return bytes <= 0 ? 0 : (bytes + 1023) / 1024;
    }

    // ---------------------------------------------------------------- table

    private static List<String> body(Frame f, Table t, int width, int height) {
        boolean highlight = f.view().highlight() && f.before() != null;
        int numeric = t.numericWidth();
        List<String> lines = new ArrayList<>();
        lines.add(cut(t.header(), width));
        lines.add("");
        int room = height
                - lines.size()
                - (t.totals().isEmpty() ? 0 : 1 + t.totals().size());
        int shown = t.rows().size() <= room ? t.rows().size() : Math.max(0, room - 1);
        for (int i = 0; i < shown; i++) {
            lines.add(mark(cut(t.rows().get(i), width), numeric, highlight));
        }
        if (shown < t.rows().size() && room > 0) {
            lines.add(cut(
                    " ... " + (t.rows().size() - shown) + " more rows: sort with t a f d b m, filter with /i /x",
                    width));
        }
        if (!t.totals().isEmpty()) {
            lines.add("");
            for (String r : t.totals()) {
                lines.add(mark(cut(r, width), numeric, highlight));
            }
        }
        while (lines.size() > height) {
            lines.removeLast();
        }
        return lines;
    }

    /**
     * The table's parts.
     *
     * @param header the column headings
     * @param rows one line per tag and pool type, sorted
     * @param totals the Total lines, or empty
     * @param numericWidth how many characters of a row hold numbers (the rest is Mapped_Driver)
     */
    private record Table(String header, List<String> rows, List<String> totals, int numericWidth) {}

    private static Table table(Frame f) {
        PoolMonOptions opts = f.options();
        if (!f.view().totals()) {
            return split(PoolMonReport.text(f.now(), f.before(), opts), null);
        }
        Tag total = unusedTag(f.now(), f.before());
        PoolSnapshot now = withTotal(f.now(), total, opts);
        PoolSnapshot before = f.before() == null ? null : withTotal(f.before(), total, opts);
        Function<Tag, String> mapped = opts.mappedDriver();
        PoolMonOptions withTotal = new PoolMonOptions(
                opts.sort(),
                opts.sortByChange(),
                opts.pools(),
                opts.include().isEmpty() ? List.of() : concat(opts.include(), total::equals),
                opts.exclude().stream()
                        .<Predicate<Tag>>map(p -> t -> !t.equals(total) && p.test(t))
                        .toList(),
                mapped == null ? null : t -> t.equals(total) ? "" : mapped.apply(t),
                0);
        return split(PoolMonReport.text(now, before, withTotal), total);
    }

    private static Table split(String report, Tag total) {
        List<String> lines = report.lines().toList();
        String header = lines.getFirst();
        int mappedAt = header.indexOf("Mapped_Driver");
        int numericWidth = mappedAt < 0 ? Integer.MAX_VALUE : mappedAt - 1;
        List<String> rows = new ArrayList<>();
        List<String> totals = new ArrayList<>();
        String totalPrefix = total == null ? null : " " + total.text() + " ";
        for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) {
            if (totalPrefix != null && line.startsWith(totalPrefix)) {
                totals.add((TOTAL_LABEL + line.substring(TOTAL_LABEL.length())).stripTrailing());
            } else {
                rows.add(line);
            }
        }
        totals.sort(Comparator.comparing(line -> !line.startsWith(TOTAL_LABEL + " Nonp")));
        return new Table(header, List.copyOf(rows), List.copyOf(totals), numericWidth);
    }

    /** A tag that neither snapshot has, to carry the totals through the report. */
    private static Tag unusedTag(PoolSnapshot now, PoolSnapshot before) {
        for (char c = '0'; c <= 'z'; c++) {
            Tag t = Tag.of("Tot" + c);
            if (!has(now, t) && (before == null || !has(before, t))) {
                return t;
            }
        }
        throw new IllegalStateException("no free tag for the totals among Tot0..Totz");
    }

    private static boolean has(PoolSnapshot s, Tag tag) {
        return s.tags().stream().anyMatch(t -> t.tag().equals(tag));
    }

    private static PoolSnapshot withTotal(PoolSnapshot s, Tag total, PoolMonOptions opts) {
        TagUsage sum = TagUsage.empty(total);
        for (TagUsage t : s.tags()) {
            if (opts.shows(t.tag())) {
                sum = sum.plus(new TagUsage(
                        total,
                        t.nonPagedAllocs(),
                        t.nonPagedFrees(),
                        t.nonPagedBytes(),
                        t.pagedAllocs(),
                        t.pagedFrees(),
                        t.pagedBytes()));
            }
        }
        List<TagUsage> tags = new ArrayList<>(s.tags());
        tags.add(sum);
        return new PoolSnapshot(s.timeMillis(), s.level(), tags, s.drivers(), s.global());
    }

    private static List<Predicate<Tag>> concat(List<Predicate<Tag>> list, Predicate<Tag> one) {
        List<Predicate<Tag>> all = new ArrayList<>(list);
        all.add(one);
        return all;
    }

    // ---------------------------------------------------------------- text helpers

    /** The line with each changed value and its change in reverse video, within its numeric part. */
    static String mark(String line, int numericWidth, boolean highlight) {
        if (!highlight) {
            return line;
        }
        int end = Math.min(line.length(), numericWidth);
        Matcher m = CHANGED.matcher(line).region(0, end);
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (m.find()) {
            String group = m.group();
            String change =
                    group.substring(group.indexOf('(') + 1, group.length() - 1).strip();
            if (!change.equals("0")) {
                out.append(line, at, m.start()).append(REVERSE).append(group).append(NORMAL);
                at = m.end();
            }
        }
        return at == 0 ? line : out.append(line, at, line.length()).toString();
    }

    /** The line cut to {@code width} characters. */
    static String cut(String line, int width) {
        return (line.length() <= width ? line : line.substring(0, width)).stripTrailing();
    }

    /** The text with control characters (escape sequences from a process name, say) shown as {@code ?}. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return out.toString();
    }

    private static List<String> pad(List<String> lines, int height) {
        while (lines.size() < height) {
            lines.add("");
        }
        return lines;
    }
}
