package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.GlobalCounters;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolTagFile;
import dev.pooltrack.Tag;
import dev.pooltrack.TagPattern;
import dev.pooltrack.TagUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolMonScreenTest {

    /** 2025-06-01 12:00:05 UTC. */
    static final long TIME = 1_748_779_205_000L;

    static final String SOURCE = "JVM 4242 (dev.pooltrack.test.Main)";

    private static final GlobalCounters GLOBAL = new GlobalCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    static TagUsage usage(
            String tag, long npAllocs, long npFrees, long npBytes, long pAllocs, long pFrees, long pBytes) {
        return new TagUsage(Tag.of(tag), npAllocs, npFrees, npBytes, pAllocs, pFrees, pBytes);
    }

    /** The refresh before {@link #now()}. */
    static PoolSnapshot before() {
        return new PoolSnapshot(
                TIME - 5_000,
                0x8,
                List.of(
                        usage("Lea1", 2, 0, 80, 0, 0, 0),
                        usage("Leak", 3, 0, 300, 0, 0, 0),
                        usage("Mmap", 0, 0, 0, 1, 0, 8192),
                        usage("Netw", 5, 4, 64, 0, 0, 0)),
                List.of(),
                GLOBAL);
    }

    /** Five seconds on: Leak allocated 2 more of 100 bytes, Netw 4 more and freed them, Big1 is new. */
    static PoolSnapshot now() {
        return new PoolSnapshot(
                TIME,
                0x8,
                List.of(
                        usage("Big1", 2, 0, 2000, 0, 0, 0),
                        usage("Lea1", 2, 0, 80, 0, 0, 0),
                        usage("Leak", 5, 0, 500, 0, 0, 0),
                        usage("Mmap", 0, 0, 0, 1, 0, 8192),
                        usage("Netw", 9, 8, 64, 0, 0, 0)),
                List.of(),
                GLOBAL);
    }

    static PoolMonScreen.Frame frame(PoolMonView view, int width, int height) {
        return new PoolMonScreen.Frame(SOURCE, now(), before(), view, List.of(), List.of(), null, 5, width, height);
    }

    static PoolMonScreen.Frame frame(PoolMonView view) {
        return frame(view, 80, 24);
    }

    static PoolMonView keys(String keys) {
        PoolMonView v = PoolMonView.initial();
        for (char c : keys.toCharArray()) {
            v = v.key(c);
        }
        return v;
    }

    /** The table rows of a screen: the lines after the column heading and its blank line, up to a blank one. */
    static List<String> rows(List<String> screen) {
        int header = -1;
        for (int i = 0; i < screen.size(); i++) {
            if (screen.get(i).startsWith(" Tag  Type")) {
                header = i;
                break;
            }
        }
        assertThat(header).as("a table heading in %s", screen).isNotNegative();
        List<String> rows = new ArrayList<>();
        for (int i = header + 2; i < screen.size() && !screen.get(i).isEmpty(); i++) {
            rows.add(screen.get(i));
        }
        return rows;
    }

    static String plain(String line) {
        return line.replace(PoolMonScreen.REVERSE, "").replace(PoolMonScreen.NORMAL, "");
    }

    @Test
    void screen_80x24_showsHeaderTableWithChangesAndKeyLine() {
        List<String> screen = PoolMonScreen.screen(frame(keys("l")));

        assertThat(screen).hasSize(24);
        assertThat(String.join("\n", screen.subList(0, 11)) + "\n").isEqualTo("""
                 PoolTrack poolmon: JVM 4242 (dev.pooltrack.test.Main)   2025-06-01 12:00:05 UTC
                 Pool N: 3K P: 8K   Tags: 5   Level: 00000008   Refresh: 5 s
                 Sort: Tag   Pools: NonPaged and Paged

                 Tag  Type     Allocs            Frees            Diff   Bytes      Per Alloc

                 Big1 Nonp          2 (   2)         0 (   0)        2    2000 (  2000)   1000
                 Lea1 Nonp          2 (   0)         0 (   0)        2      80 (     0)     40
                 Leak Nonp          5 (   2)         0 (   0)        5     500 (   200)    100
                 Mmap Paged         1 (   0)         0 (   0)        1    8192 (     0)   8192
                 Netw Nonp          9 (   4)         8 (   4)        1      64 (     0)     64
                """);
        assertThat(screen.subList(11, 23)).allMatch(String::isEmpty);
        assertThat(screen.get(23)).isEqualTo(PoolMonScreen.KEYS);
    }

    @Test
    void screen_changedValues_areInReverseVideoAndUnchangedOnesAreNot() {
        List<String> rows = rows(PoolMonScreen.screen(frame(PoolMonView.initial())));

        String leak =
                rows.stream().filter(r -> r.startsWith(" Leak")).findFirst().orElseThrow();
        assertThat(leak)
                .contains(PoolMonScreen.REVERSE + "5 (   2)" + PoolMonScreen.NORMAL)
                .contains(PoolMonScreen.REVERSE + "500 (   200)" + PoolMonScreen.NORMAL)
                .contains("         0 (   0)        5");
        String lea1 =
                rows.stream().filter(r -> r.startsWith(" Lea1")).findFirst().orElseThrow();
        assertThat(lea1).doesNotContain("\033");
        assertThat(rows).map(PoolMonScreenTest::plain).isEqualTo(rows(PoolMonScreen.screen(frame(keys("l")))));
    }

    @Test
    void screen_firstFrameOrHighlightingOff_hasNoEscapeSequence() {
        PoolMonScreen.Frame first = new PoolMonScreen.Frame(
                SOURCE, now(), null, PoolMonView.initial(), List.of(), List.of(), null, 5, 80, 24);

        assertThat(String.join("\n", PoolMonScreen.screen(first))).doesNotContain("\033");
        assertThat(String.join("\n", PoolMonScreen.screen(frame(keys("l"))))).doesNotContain("\033");
        assertThat(String.join("\n", PoolMonScreen.screen(frame(keys("ll"))))).contains("\033");
    }

    @ParameterizedTest(name = "keys {0}: {1} first")
    @CsvSource({
        "t, Big1 Nonp, Sort: Tag",
        "a, Netw Nonp, Sort: Allocs",
        "f, Netw Nonp, Sort: Frees",
        "d, Leak Nonp, Sort: Diff",
        "b, Mmap Paged, Sort: Bytes",
        "m, Mmap Paged, Sort: Per Alloc",
        "b(, Big1 Nonp, Sort: Bytes (change)",
        "a(, Netw Nonp, Sort: Allocs (change)",
        "f), Netw Nonp, Sort: Frees (change)",
        "b((, Mmap Paged, Sort: Bytes   Pools"
    })
    void screen_sortKeys_putTheBiggestValueOrChangeFirst(String keys, String first, String header) {
        List<String> screen = PoolMonScreen.screen(frame(keys("l" + keys)));

        assertThat(rows(screen).getFirst()).startsWith(" " + first);
        assertThat(screen.get(2)).contains(header);
    }

    @Test
    void screen_poolsKey_cyclesNonPagedOnlyPagedOnlyAndBoth() {
        assertThat(rows(PoolMonScreen.screen(frame(keys("p")))))
                .hasSize(4)
                .allMatch(r -> r.substring(6, 11).equals("Nonp "));
        assertThat(PoolMonScreen.screen(frame(keys("p"))).get(2)).contains("Pools: NonPaged only");
        assertThat(rows(PoolMonScreen.screen(frame(keys("pp")))))
                .singleElement()
                .satisfies(r -> assertThat(r).startsWith(" Mmap Paged"));
        assertThat(PoolMonScreen.screen(frame(keys("pp"))).get(2)).contains("Pools: Paged only");
        assertThat(rows(PoolMonScreen.screen(frame(keys("ppp"))))).hasSize(5);
    }

    @Test
    void screen_includeAndExcludePatterns_filterTheRowsAndShowInTheHeader() {
        PoolMonScreen.Frame f = new PoolMonScreen.Frame(
                SOURCE,
                now(),
                before(),
                keys("l"),
                List.of(TagPattern.parse("Le*"), TagPattern.parse("N?tw")),
                List.of(TagPattern.parse("Lea1")),
                null,
                5,
                80,
                24);

        List<String> screen = PoolMonScreen.screen(f);

        assertThat(rows(screen)).extracting(r -> r.substring(1, 5)).containsExactly("Leak", "Netw");
        assertThat(screen.get(2)).endsWith("Filter: /iLe* /iN?tw /xLea1");
        assertThat(screen.get(1)).as("the pool totals count every tag").contains("Pool N: 3K P: 8K   Tags: 5");
    }

    @Test
    void screen_totals_sumTheRowsShownInTheirColumns() {
        List<String> screen = PoolMonScreen.screen(frame(keys("le")));
        int heading = screen.indexOf(rows(screen).getLast()) + 1;

        assertThat(screen.get(heading)).isEmpty();
        assertThat(screen.subList(heading + 1, heading + 3))
                .containsExactly(
                        "Total Nonp         18 (   8)         8 (   4)       10    2644 (  2200)    264",
                        "Total Paged         1 (   0)         0 (   0)        1    8192 (     0)   8192");
        String row = rows(screen).getFirst();
        String total = screen.get(heading + 1);
        assertThat(total.indexOf('(')).isEqualTo(row.indexOf('('));
        assertThat(total.lastIndexOf(')')).isEqualTo(row.lastIndexOf(')'));
        assertThat(total).hasSameSizeAs(row);
    }

    @Test
    void screen_totalsWithAFilter_sumOnlyTheTagsShown() {
        PoolMonScreen.Frame f = new PoolMonScreen.Frame(
                SOURCE, now(), before(), keys("le"), List.of(TagPattern.parse("Lea?")), List.of(), null, 5, 80, 24);

        assertThat(PoolMonScreen.screen(f))
                .contains("Total Nonp          7 (   2)         0 (   0)        7     580 (   200)     82")
                .noneMatch(l -> l.startsWith("Total Paged"));
    }

    @Test
    void screen_help_replacesTheTableUntilTheNextKey() {
        List<String> help = PoolMonScreen.screen(frame(keys("?")));

        assertThat(help).hasSize(24).contains(" PoolMon keys").noneMatch(l -> l.startsWith(" Tag  Type"));
        assertThat(String.join("\n", help))
                .contains("   p        pools shown", "   ( )      sort by the change", "   m        sort by bytes per")
                .contains("   e        totals", "   l        highlighting", "   q ESC    quit");
        assertThat(keys("h").help()).isTrue();
        assertThat(rows(PoolMonScreen.screen(frame(keys("?b")))))
                .first()
                .satisfies(r -> assertThat(r).startsWith(" Big1"));
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"80, 24", "81, 25", "120, 40", "40, 10", "39, 24", "80, 9", "1, 1"})
    void screen_anySize_hasExactlyItsLinesNoneWiderThanIt(int width, int height) {
        for (String keys : List.of("", "e", "?", "eb(")) {
            List<String> screen = PoolMonScreen.screen(frame(keys(keys), width, height));

            assertThat(screen).hasSize(height);
            assertThat(screen).allSatisfy(l -> assertThat(plain(l).length()).isLessThanOrEqualTo(width));
        }
    }

    @Test
    void screen_tooSmall_saysWhatItNeeds() {
        assertThat(PoolMonScreen.screen(frame(PoolMonView.initial(), 39, 24)).getFirst())
                .isEqualTo(" Terminal 39x24: poolmon needs 40x10");
    }

    @Test
    void screen_moreRowsThanLines_showsWhatFitsAndCountsTheRest() {
        List<TagUsage> tags = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tags.add(usage(String.format("T%03d", i), i + 1, 0, 16L * (i + 1), 0, 0, 0));
        }
        PoolSnapshot many = new PoolSnapshot(TIME, 0, tags, List.of(), GLOBAL);
        PoolMonScreen.Frame f =
                new PoolMonScreen.Frame(SOURCE, many, null, keys("b"), List.of(), List.of(), null, 5, 80, 24);

        List<String> screen = PoolMonScreen.screen(f);

        assertThat(screen).hasSize(24);
        assertThat(screen.get(6)).startsWith(" T039 Nonp");
        assertThat(screen.get(22)).isEqualTo(" ... 24 more rows: sort with t a f d b m, filter with /i /x");
        assertThat(screen.get(23)).isEqualTo(PoolMonScreen.KEYS);
    }

    @Test
    void screen_mappedDriver_showsOnAWideTerminalAndSaysToWidenAnArrowOne() {
        PoolSnapshot jdk = new PoolSnapshot(
                TIME,
                0,
                List.of(usage("Jdbb", 4, 1, 3 * 4096, 0, 0, 0), usage("Leak", 1, 0, 8, 0, 0, 0)),
                List.of(),
                GLOBAL);
        PoolTagFile pooltag = PoolTagFile.bundled();
        Function<Tag, String> mapped = t ->
                pooltag.lookup(t) == null ? "Unknown Driver" : pooltag.lookup(t).poolmonText();

        List<String> wide = PoolMonScreen.screen(
                new PoolMonScreen.Frame(SOURCE, jdk, null, keys(""), List.of(), List.of(), mapped, 5, 140, 24));
        List<String> narrow = PoolMonScreen.screen(
                new PoolMonScreen.Frame(SOURCE, jdk, null, keys(""), List.of(), List.of(), mapped, 5, 80, 24));

        assertThat(wide.get(4)).endsWith("Per Alloc   Mapped_Driver");
        assertThat(rows(wide).getFirst())
                .startsWith(" Jdbb Nonp")
                .endsWith("  " + pooltag.lookup(Tag.of("Jdbb")).poolmonText());
        assertThat(rows(wide).getLast()).endsWith("  Unknown Driver");
        assertThat(wide.get(2)).doesNotContain("widen");
        assertThat(narrow.get(2)).endsWith("Mapped_Driver: widen the terminal");
        assertThat(narrow).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
    }

    @Test
    void screen_controlCharactersInTheSourceName_cannotReachTheTerminal() {
        PoolMonScreen.Frame f = new PoolMonScreen.Frame(
                "JVM 1 (evil\033]0;owned\007)", now(), null, keys(""), List.of(), List.of(), null, 5, 80, 24);

        assertThat(PoolMonScreen.screen(f).getFirst()).startsWith(" PoolTrack poolmon: JVM 1 (evil?]0;owned?)");
    }

    @Test
    void screen_longSourceName_isCutToKeepTheTime() {
        PoolMonScreen.Frame f = new PoolMonScreen.Frame(
                "JVM 4242 (org.example.a.very.long.application.main.ClassName)",
                now(),
                null,
                keys(""),
                List.of(),
                List.of(),
                null,
                5,
                80,
                24);

        assertThat(PoolMonScreen.screen(f).getFirst())
                .isEqualTo(" PoolTrack poolmon: JVM 4242 (org.example.a.very.long.a  2025-06-01 12:00:05 UTC")
                .hasSize(80);
    }

    @Test
    void text_singleSnapshot_hasHeaderTableAndTotalsWithoutEscapesOrKeys() {
        PoolMonScreen.Frame f =
                new PoolMonScreen.Frame(SOURCE, now(), null, keys("be"), List.of(), List.of(), null, 0, 0, 0);

        assertThat(PoolMonScreen.text(f)).isEqualTo("""
                 PoolTrack poolmon: JVM 4242 (dev.pooltrack.test.Main)  2025-06-01 12:00:05 UTC
                 Pool N: 3K P: 8K   Tags: 5   Level: 00000008
                 Sort: Bytes   Pools: NonPaged and Paged

                 Tag  Type     Allocs            Frees            Diff   Bytes      Per Alloc

                 Mmap Paged         1 (   0)         0 (   0)        1    8192 (     0)   8192
                 Big1 Nonp          2 (   0)         0 (   0)        2    2000 (     0)   1000
                 Leak Nonp          5 (   0)         0 (   0)        5     500 (     0)    100
                 Lea1 Nonp          2 (   0)         0 (   0)        2      80 (     0)     40
                 Netw Nonp          9 (   0)         8 (   0)        1      64 (     0)     64

                Total Nonp         18 (   0)         8 (   0)       10    2644 (     0)    264
                Total Paged         1 (   0)         0 (   0)        1    8192 (     0)   8192
                """);
    }
}
