package dev.pooltrack.report;

import static dev.pooltrack.report.Fixtures.TIME;
import static dev.pooltrack.report.Fixtures.snapshot;
import static dev.pooltrack.report.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import dev.pooltrack.report.PoolMonOptions.Sort;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class PoolMonReportTest {

    /** Five seconds before {@link Fixtures#snapshot()}: Lea2 and Leak grew since, Cdc1 freed one. */
    static PoolSnapshot before() {
        List<TagUsage> tags = List.of(
                usage("Cc", 0, 0, 0, 8, 8, 0),
                usage("Cdc1", 0, 0, 0, 5, 3, 512),
                usage("EtwB", 94, 0, 945136, 4, 0, 163840),
                usage("Lea2", 294, 43, 257024000, 0, 0, 0),
                usage("Leak", 5, 4, 1024000, 0, 0, 0),
                usage("Wait", 3971100, 3971072, 8000, 0, 0, 0),
                usage("nVsC", 700, 36, 1531552, 0, 0, 0));
        return new PoolSnapshot(TIME - 5_000, 0x8, tags, List.of(), Fixtures.global());
    }

    private static PoolMonOptions options(Sort sort, boolean byChange) {
        return new PoolMonOptions(sort, byChange, EnumSet.allOf(PoolType.class), List.of(), List.of(), null, 0);
    }

    @Test
    void text_noEarlierSnapshot_sortsByTagWithZeroChanges() {
        String text = PoolMonReport.text(snapshot(), null, PoolMonOptions.defaults());

        Golden.assertMatches("poolmon-tag.txt", text);
    }

    @Test
    void text_windowsSampleCounters_printTheWindowsSampleRow() {
        PoolSnapshot wait = new PoolSnapshot(
                TIME, 0, List.of(usage("Wait", 3971107, 3971077, 8456, 0, 0, 0)), List.of(), Fixtures.global());

        assertThat(PoolMonReport.text(wait, wait, PoolMonOptions.defaults())).isEqualTo("""
                         Tag  Type     Allocs            Frees            Diff   Bytes      Per Alloc

                         Wait Nonp    3971107 (   0)   3971077 (   0)       30    8456 (     0)    281
                        """);
    }

    @Test
    void text_withEarlierSnapshot_showsChangesSortedByBytes() {
        Golden.assertMatches("poolmon-bytes.txt", PoolMonReport.text(snapshot(), before(), options(Sort.BYTES, false)));
    }

    @Test
    void text_sortByChangeOfBytes_putsTheGrowingTagFirstAndTheShrinkingLast() {
        String text = PoolMonReport.text(snapshot(), before(), options(Sort.BYTES, true));

        Golden.assertMatches("poolmon-bytes-change.txt", text);
        List<String> rows = rows(text);
        assertThat(rows.get(0)).startsWith(" Lea2 Nonp ");
        assertThat(rows.get(rows.size() - 1)).startsWith(" Cdc1 Paged");
    }

    @Test
    void text_eachNumericSort_ordersByThatColumnDescending() {
        assertThat(firstTags(Sort.ALLOCS)).startsWith("Wait", "netv");
        assertThat(firstTags(Sort.FREES)).startsWith("Wait", "netv");
        assertThat(firstTags(Sort.DIFF)).startsWith("netv", "nVsC", "Lea2");
        assertThat(firstTags(Sort.BYTES)).startsWith("Lea2", "nVsC", "netv");
        assertThat(firstTags(Sort.PER_ALLOC)).startsWith("Lea2", "Leak", "EtwB");
        assertThat(firstTags(Sort.TAG)).startsWith("Cc", "Cdc1", "EtwB", "EtwB", "Lea2");
    }

    @Test
    void text_tagSort_putsNonPagedBeforePagedForOneTag() {
        List<String> rows = rows(PoolMonReport.text(snapshot(), null, PoolMonOptions.defaults()));

        assertThat(rows)
                .filteredOn(r -> r.startsWith(" EtwB"))
                .extracting(r -> r.substring(6, 11))
                .containsExactly("Nonp ", "Paged");
    }

    @Test
    void text_includeAndExcludeFilters_showIncludedTagsThatAreNotExcluded() {
        Predicate<Tag> le = t -> t.toString().startsWith("Le");
        Predicate<Tag> wait = t -> t.toString().equals("Wait");
        Predicate<Tag> leak = t -> t.toString().equals("Leak");
        PoolMonOptions opts = new PoolMonOptions(
                Sort.TAG, false, EnumSet.allOf(PoolType.class), List.of(le, wait), List.of(leak), null, 0);

        assertThat(rows(PoolMonReport.text(snapshot(), null, opts)))
                .extracting(r -> r.substring(1, 5))
                .containsExactly("Lea2", "Wait");
    }

    @Test
    void text_pagedOnlyWithMappedDriverAndRowLimit_matchesGolden() {
        PoolMonOptions opts = new PoolMonOptions(
                Sort.BYTES,
                false,
                Set.of(PoolType.PAGED),
                List.of(),
                List.of(),
                t -> t.toString().equals("EtwB") ? "[nt!etw - Etw Buffer]" : "Unknown Driver",
                3);

        String text = PoolMonReport.text(snapshot(), before(), opts);

        Golden.assertMatches("poolmon-paged-mapped.txt", text);
        assertThat(rows(text)).hasSize(3).allMatch(r -> r.substring(6, 11).equals("Paged"));
    }

    @Test
    void text_hugeNumbers_widenColumnsAndKeepHeaderAligned() {
        PoolSnapshot huge = new PoolSnapshot(
                TIME,
                0,
                List.of(usage("Huge", 98_765_432_109L, 12_345, 1_234_567_890_123L, 0, 0, 0)),
                List.of(),
                Fixtures.global());
        PoolSnapshot earlier = new PoolSnapshot(TIME - 5_000, 0, List.of(), List.of(), Fixtures.global());

        String text = PoolMonReport.text(huge, earlier, PoolMonOptions.defaults());

        Golden.assertMatches("poolmon-wide.txt", text);
        List<String> lines = PoolUsedReportTest.lines(text);
        assertThat(lines.get(2).indexOf(" (")).isEqualTo(lines.get(0).indexOf("Allocs") + "Allocs".length());
    }

    @Test
    void json_withEarlierSnapshot_matchesGoldenWithChanges() {
        String json = PoolMonReport.json(snapshot(), before(), options(Sort.BYTES, true));

        Golden.assertMatches("poolmon-bytes-change.json", json);
        Map<?, ?> first = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(json)).get("rows")).get(0);
        assertThat(first.get("tag")).isEqualTo("Lea2");
        assertThat(first.get("bytesChange")).isEqualTo(6_144_000L);
        assertThat(first.get("allocsChange")).isEqualTo(6L);
    }

    @Test
    void options_noPool_refused() {
        assertThatThrownBy(() -> new PoolMonOptions(Sort.TAG, false, Set.of(), List.of(), List.of(), null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no pool to show: choose NonPaged, Paged or both");
    }

    private static List<String> firstTags(Sort sort) {
        return rows(PoolMonReport.text(snapshot(), null, options(sort, false))).stream()
                .map(r -> r.substring(1, 5).strip())
                .toList();
    }

    private static List<String> rows(String text) {
        List<String> lines = PoolUsedReportTest.lines(text);
        return lines.subList(2, lines.size() - 1);
    }
}
