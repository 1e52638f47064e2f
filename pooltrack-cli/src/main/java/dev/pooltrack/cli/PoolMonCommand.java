package dev.pooltrack.cli;

import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolTagFile;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.TagPattern;
import dev.pooltrack.cli.source.PoolSource;
import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.report.AtomicWrite;
import dev.pooltrack.report.PoolMonOptions.Sort;
import dev.pooltrack.report.PoolMonReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pooltrack poolmon [pid]}: PoolMon for a JVM's pools, a live full-screen table or one
 * snapshot for a script ({@code --once}) or a file ({@code /n}).
 */
@Command(
        name = "poolmon",
        mixinStandardHelpOptions = true,
        header = "PoolMon: the pool tags of a running JVM, redrawn every few seconds with the changes.",
        synopsisHeading = "%nUsage: ",
        customSynopsis = {
            "pooltrack poolmon [pid] [/iTag]... [/xTag]... [/g [FILE]] [/p | /p /p]",
            "         [/e] [/( | /)] [/t | /a | /f | /d | /b | /m] [/l] [/n [FILE]] [/?]",
            "       pooltrack poolmon [pid] [--include TAG]... [--exclude TAG]...",
            "         [--pool POOLS] [--sort KEY] [--by-change] [--totals]",
            "         [--mapped-driver | --pooltag FILE] [--no-highlight] [--interval N]",
            "         [--once [--json]] [--snapshot FILE]"
        },
        description = {
            "",
            "PoolMon's table: Tag, Type (Nonp or Paged), Allocs, Frees, Diff (Allocs - Frees), Bytes in"
                    + " use and Per Alloc (Bytes / Diff); the numbers in ( ) are the changes since the last"
                    + " refresh. The live view needs a terminal of 80x24 or more (SSH will do) and only"
                    + " reads the JVM; --once and /n are for scripts.",
            "",
            "Windows switches (PoolMon's; tags are case-sensitive):",
            "  /iTag       show only tags matching Tag (wildcards * and ?); repeatable",
            "  /xTag       hide tags matching Tag; repeatable",
            "  /p          NonPaged pool only; /p /p Paged pool only",
            "  /e          totals under the table",
            "  /( or /)    sort by the change since the last refresh, not the value",
            "  /t /a /f    sort by tag (the default), allocations, frees",
            "  /d /b /m    sort by Diff, bytes, bytes per allocation (biggest first)",
            "  /g [FILE]   Mapped_Driver column from pooltag.txt FILE, then PoolTrack's own",
            "  /l          do not highlight changed values",
            "  /n [FILE]   write one snapshot to FILE (default poolsnap.log) and exit",
            "",
            "Keys in the live view: p pools; ( ) sort by change; t a f d b m sort; e totals;",
            "l highlighting; space refresh now; ? h help; q ESC quit.",
            ""
        },
        parameterListHeading = "Arguments:%n",
        optionListHeading = "GNU options (the same, spelled out):%n",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the view was closed with q, or the snapshot printed or written",
            ExitStatus.ERROR + ":error: a bad switch or value, no terminal for the live view, or the JVM"
                    + " could not be read"
        })
final class PoolMonCommand implements Callable<Integer> {

    /* PoolMon's startup switches and run-time keys (reference §6.3). Windows spellings are picocli
     * positional words, since /iTag carries its value glued on and /g and /n take an optional one;
     * they are read after the GNU options. A word after /g or /n is its FILE unless it begins with
     * '/' or is all digits (a pid), so a file named 1234 is written ./1234; an absolute path such as
     * /tmp/pooltag.txt is a FILE too, told from a switch by its second '/'. PoolMon refuses a tag
     * pattern that begins with '*'; so does this command. PoolMon's refresh is fixed at 5 s; here it
     * is the default of --interval. Session pools (/s) have no counterpart in a JVM.
     *
     * PoolMon /n omits the change columns; here a snapshot file has the same layout as --once, with
     * the changes 0, so one parser reads both. */

    static final String DEFAULT_SNAPSHOT_FILE = "poolsnap.log";

    static final int MAX_INTERVAL = 3600;

    private final PoolSources sources;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--include",
            paramLabel = "TAG",
            description = "Show only tags matching TAG (/iTag); repeat for more.")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "TAG", description = "Hide tags matching TAG (/xTag); repeat for more.")
    List<String> exclude = new ArrayList<>();

    @Option(
            names = "--pool",
            paramLabel = "POOLS",
            description = "nonpaged, paged or both (the default); /p is nonpaged, /p /p paged.")
    String pool;

    @Option(
            names = "--sort",
            paramLabel = "KEY",
            description = "tag (the default), allocs, frees, diff, bytes or per-alloc (/t /a /f /d /b /m).")
    String sort;

    @Option(names = "--by-change", description = "Sort by the change instead of the value (/().")
    boolean byChange;

    @Option(names = "--totals", description = "Totals under the table (/e).")
    boolean totals;

    @Option(names = "--mapped-driver", description = "Mapped_Driver column from PoolTrack's own pooltag.txt (/g).")
    boolean mappedDriver;

    @Option(
            names = "--pooltag",
            paramLabel = "FILE",
            description = "Mapped_Driver column from pooltag.txt FILE, then PoolTrack's own (/g FILE).")
    Path pooltag;

    @Option(names = "--no-highlight", description = "Do not highlight changed values (/l).")
    boolean noHighlight;

    @Option(
            names = "--interval",
            paramLabel = "N",
            defaultValue = "5",
            description = "Seconds between refreshes, 1 to " + MAX_INTERVAL + " (default ${DEFAULT-VALUE}).")
    int interval;

    @Option(names = "--once", description = "Print one snapshot (no escape sequences) and exit, for scripts.")
    boolean once;

    @Option(names = "--json", description = "With --once or /n: PoolMon's table as JSON.")
    boolean json;

    @Option(
            names = "--snapshot",
            paramLabel = "FILE",
            description = "Write one snapshot to FILE, replacing it atomically, and exit (/n FILE).")
    Path snapshot;

    @Parameters(
            paramLabel = "pid | /switch",
            arity = "0..*",
            description = "The JVM's process id, and PoolMon's switches in their Windows spelling.")
    List<String> words = new ArrayList<>();

    /** The command, reading JVMs through {@code sources}. */
    PoolMonCommand(PoolSources sources) {
        this.sources = sources;
    }

    /**
     * Everything the switches decided.
     *
     * @param pid the pid as typed, or {@code null}
     * @param include the /i patterns
     * @param exclude the /x patterns
     * @param view the view to start with
     * @param pooltag the Mapped_Driver lookup, or {@code null} for no column
     * @param snapshotFile where /n writes, or {@code null}
     */
    record Setup(
            String pid,
            List<TagPattern> include,
            List<TagPattern> exclude,
            PoolMonView view,
            PoolTagFile pooltag,
            Path snapshotFile) {}

    @Override
    public Integer call() throws IOException {
        if (words.stream().anyMatch(w -> w.equals("/?") || w.equalsIgnoreCase("/h"))) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return ExitStatus.SUCCESS;
        }
        Setup setup = setup();
        PrintWriter out = spec.commandLine().getOut();
        if (!once && setup.snapshotFile() == null && !Terminal.available()) {
            throw bad("the live view needs a terminal on standard input and output;"
                    + " for a script use --once (one table on standard output) or /n FILE");
        }
        try (PoolSource source = sources.open(setup.pid())) {
            if (once || setup.snapshotFile() != null) {
                PoolSnapshot now = source.snapshot();
                String text = json
                        ? PoolMonReport.json(
                                now,
                                null,
                                frame(setup, source, now, null, 0, 0, setup.view())
                                        .options())
                        : PoolMonScreen.text(frame(setup, source, now, null, 0, 0, setup.view()));
                if (once) {
                    out.print(text);
                }
                if (setup.snapshotFile() != null) {
                    writeAtomically(setup.snapshotFile(), text);
                    spec.commandLine()
                            .getErr()
                            .printf("pooltrack poolmon: snapshot written to %s%n", setup.snapshotFile());
                    spec.commandLine().getErr().flush();
                }
                out.flush();
                return ExitStatus.SUCCESS;
            }
            return live(setup, source, out);
        }
    }

    private int live(Setup setup, PoolSource source, PrintWriter out) throws IOException {
        PoolMonView view = setup.view();
        PoolSnapshot now = source.snapshot();
        PoolSnapshot before = null;
        long interval = TimeUnit.SECONDS.toNanos(this.interval);
        try (Terminal terminal = Terminal.open(out)) {
            long next = System.nanoTime() + interval;
            while (true) {
                int[] size = terminal.size();
                terminal.draw(PoolMonScreen.screen(frame(setup, source, now, before, size[1], size[0], view)));
                int key = terminal.readKey(next);
                if (key == -1 || (key == ' ' && !view.help())) {
                    before = now;
                    now = source.snapshot();
                    next = System.nanoTime() + interval;
                } else if (PoolMonView.quits(key) && !(key == PoolMonView.ESC && view.help())) {
                    return ExitStatus.SUCCESS;
                } else {
                    view = view.key(key);
                }
            }
        }
    }

    private PoolMonScreen.Frame frame(
            Setup setup,
            PoolSource source,
            PoolSnapshot now,
            PoolSnapshot before,
            int width,
            int height,
            PoolMonView view) {
        PoolTagFile file = setup.pooltag();
        Function<Tag, String> mapped = file == null
                ? null
                : tag -> {
                    PoolTagFile.Entry e = file.lookup(tag);
                    return e == null ? "Unknown Driver" : e.poolmonText();
                };
        boolean single = once || setup.snapshotFile() != null;
        return new PoolMonScreen.Frame(
                source.describe(),
                now,
                before,
                view,
                setup.include(),
                setup.exclude(),
                mapped,
                single ? 0 : interval,
                width,
                height);
    }

    /** Reads the GNU options, then the Windows words, into one setup; throws on a bad one. */
    Setup setup() {
        if (interval < 1 || interval > MAX_INTERVAL) {
            throw bad("bad value " + interval + " for --interval: give seconds from 1 to " + MAX_INTERVAL);
        }
        List<TagPattern> inc = new ArrayList<>();
        List<TagPattern> exc = new ArrayList<>();
        include.forEach(t -> inc.add(pattern(t, "--include")));
        exclude.forEach(t -> exc.add(pattern(t, "--exclude")));
        Map<Sort, String> sorts = new LinkedHashMap<>();
        Sort sortKey = Sort.TAG;
        if (sort != null) {
            sortKey = gnuSort(sort);
            sorts.put(sortKey, "--sort " + sort);
        }
        Set<PoolType> pools = pool == null ? EnumSet.allOf(PoolType.class) : gnuPools(pool);
        boolean change = byChange;
        boolean sum = totals;
        boolean highlight = !noHighlight;
        PoolTagFile mapped = null;
        boolean bundledColumn = mappedDriver;
        Path pooltagFile = pooltag;
        Path snapshotFile = snapshot;
        String pid = null;
        int pSwitches = 0;

        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (!w.startsWith("/")) {
                if (!w.chars().allMatch(Character::isDigit) || w.isEmpty()) {
                    throw bad("unexpected argument '" + w + "': give a pid (a number) and switches such as /b or"
                            + " --sort bytes");
                }
                if (pid != null) {
                    throw bad("two pids, " + pid + " and " + w + ": poolmon reads one JVM");
                }
                pid = w;
                continue;
            }
            if (w.length() < 2) {
                throw bad("'/' alone is not a switch; see pooltrack poolmon /?");
            }
            char s = w.charAt(1);
            String rest = w.substring(2);
            switch (s) {
                case 'i', 'I' -> inc.add(pattern(rest, "/i"));
                case 'x', 'X' -> exc.add(pattern(rest, "/x"));
                case 'g', 'G' -> {
                    noValue(w, rest);
                    if (hasFileAfter(i)) {
                        pooltagFile = Path.of(words.get(++i));
                    } else {
                        bundledColumn = true;
                    }
                }
                case 'n', 'N' -> {
                    noValue(w, rest);
                    snapshotFile = hasFileAfter(i) ? Path.of(words.get(++i)) : Path.of(DEFAULT_SNAPSHOT_FILE);
                }
                case 'p', 'P' -> {
                    noValue(w, rest);
                    pSwitches++;
                }
                case 'e', 'E' -> {
                    noValue(w, rest);
                    sum = true;
                }
                case '(', ')' -> {
                    noValue(w, rest);
                    change = true;
                }
                case 'l', 'L' -> {
                    noValue(w, rest);
                    highlight = false;
                }
                case 't', 'T', 'a', 'A', 'f', 'F', 'd', 'D', 'b', 'B', 'm', 'M' -> {
                    noValue(w, rest);
                    sortKey = windowsSort(Character.toLowerCase(s));
                    sorts.putIfAbsent(sortKey, w);
                }
                case 's', 'S' ->
                    throw bad("switch " + w + ": session pools have no counterpart in a JVM; poolmon shows the"
                            + " JVM's pools");
                case 'c', 'C' ->
                    throw bad("switch " + w + ": the legacy localtag.txt column is not supported; use /g [FILE]");
                default -> throw bad("unknown switch " + w + "; see pooltrack poolmon /?");
            }
        }
        if (sorts.size() > 1) {
            throw bad("more than one sort key: " + String.join(", ", sorts.values()) + "; give one");
        }
        if (pSwitches > 0) {
            if (pool != null) {
                throw bad("the pools are given twice, /p and --pool " + pool + "; give one");
            }
            if (pSwitches > 2) {
                throw bad("/p given " + pSwitches + " times: /p shows NonPaged pool only, /p /p Paged pool only");
            }
            pools = pSwitches == 1 ? EnumSet.of(PoolType.NON_PAGED) : EnumSet.of(PoolType.PAGED);
        }
        if (pooltagFile != null) {
            mapped = PoolTagFile.merge(readPoolTag(pooltagFile), PoolTagFile.bundled());
        } else if (bundledColumn) {
            mapped = PoolTagFile.bundled();
        }
        if (json && !once && snapshotFile == null) {
            throw bad("--json goes with --once or /n FILE: the live view is text");
        }
        PoolMonView view = new PoolMonView(sortKey, change, pools, sum, highlight, false);
        return new Setup(pid, List.copyOf(inc), List.copyOf(exc), view, mapped, snapshotFile);
    }

    private boolean hasFileAfter(int i) {
        if (i + 1 >= words.size()) {
            return false;
        }
        String next = words.get(i + 1);
        if (next.startsWith("/")) {
            return next.indexOf('/', 1) > 0;
        }
        return !next.chars().allMatch(Character::isDigit);
    }

    private void noValue(String word, String rest) {
        if (!rest.isEmpty()) {
            throw bad("unknown switch " + word + "; see pooltrack poolmon /?");
        }
    }

    private TagPattern pattern(String text, String option) {
        if (text.isEmpty()) {
            throw bad(option + " needs a tag, for example "
                    + (option.startsWith("/") ? option + "Leak" : option + " Leak"));
        }
        if (text.startsWith("*")) {
            throw bad("bad tag pattern '" + text + "' for " + option
                    + ": a pattern may not begin with '*' (PoolMon's rule); write the start, as in Le*");
        }
        try {
            return TagPattern.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage() + " (" + option + ")");
        }
    }

    private PoolTagFile readPoolTag(Path file) {
        try {
            return PoolTagFile.parse(file);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private Sort gnuSort(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "tag" -> Sort.TAG;
            case "allocs" -> Sort.ALLOCS;
            case "frees" -> Sort.FREES;
            case "diff" -> Sort.DIFF;
            case "bytes" -> Sort.BYTES;
            case "per-alloc" -> Sort.PER_ALLOC;
            default ->
                throw bad("bad value '" + text + "' for --sort: use tag, allocs, frees, diff, bytes or per-alloc");
        };
    }

    private static Sort windowsSort(char s) {
        return switch (s) {
            case 'a' -> Sort.ALLOCS;
            case 'f' -> Sort.FREES;
            case 'd' -> Sort.DIFF;
            case 'b' -> Sort.BYTES;
            case 'm' -> Sort.PER_ALLOC;
            default -> Sort.TAG;
        };
    }

    private Set<PoolType> gnuPools(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "nonpaged" -> EnumSet.of(PoolType.NON_PAGED);
            case "paged" -> EnumSet.of(PoolType.PAGED);
            case "both" -> EnumSet.allOf(PoolType.class);
            default -> throw bad("bad value '" + text + "' for --pool: use nonpaged, paged or both");
        };
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * Writes the text to a temporary file beside {@code file}, then renames it over {@code file}, so
     * a reader (or another poolmon writing the same file from cron) never sees half a snapshot.
     */
    static void writeAtomically(Path file, String text) throws IOException {
        AtomicWrite.replace(file, text);
    }
}
