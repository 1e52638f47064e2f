package dev.pooltrack.report;

import static dev.pooltrack.report.Fixtures.describe;
import static dev.pooltrack.report.Fixtures.snapshot;
import static dev.pooltrack.report.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.Tag;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolUsedReportTest {

    @Test
    void text_flags0_sortsByTagAndSkipsTagsWithNothingInUse() {
        String text = PoolUsedReport.text(snapshot(), describe(), 0, 0);

        Golden.assertMatches("poolused-tag.txt", text);
        assertThat(text).doesNotContain(" Cc  ");
    }

    @Test
    void text_flags2_sortsByNonPagedBytesBiggestFirst() {
        Golden.assertMatches("poolused-nonpaged.txt", PoolUsedReport.text(snapshot(), describe(), 0x2, 0));
    }

    @Test
    void text_flags4_sortsByPagedBytesThenTag() {
        Golden.assertMatches("poolused-paged.txt", PoolUsedReport.text(snapshot(), describe(), 0x4, 0));
    }

    @Test
    void text_top2_showsTwoRowsButTotalsEveryTag() {
        String top = PoolUsedReport.text(snapshot(), describe(), 0x2, 2);
        String all = PoolUsedReport.text(snapshot(), describe(), 0x2, 0);

        Golden.assertMatches("poolused-top2-nonpaged.txt", top);
        assertThat(lines(top)).filteredOn(l -> l.contains("pooltag")).hasSize(2);
        assertThat(lastLine(top)).isEqualTo(lastLine(all)).startsWith(" TOTAL   ");
    }

    @Test
    void text_verboseFlag_changesNothing() {
        assertThat(PoolUsedReport.text(snapshot(), describe(), 0x3, 0))
                .isEqualTo(PoolUsedReport.text(snapshot(), describe(), 0x2, 0));
    }

    @Test
    void text_seedRows_matchTheWindowsColumns() {
        String text = PoolUsedReport.text(snapshot(), describe(), 0x2, 0);

        assertThat(lines(text))
                .contains(
                        "               NonPaged                  Paged",
                        " Tag     Allocs         Used     Allocs         Used",
                        " nVsC       664      1531552          0            0  UNKNOWN pooltag 'nVsC', please update pooltag.txt",
                        " netv      4369      1172224          1          144  UNKNOWN pooltag 'netv', please update pooltag.txt",
                        " EtwB        94       945136          4       163840  Etw Buffer, Binary: nt!etw");
    }

    @Test
    void text_numbersWiderThanTheColumns_widenTheColumnsAndKeepAlignment() {
        PoolSnapshot big = new PoolSnapshot(
                0,
                0,
                List.of(usage("Huge", 12_345_678_901L, 1, 9_876_543_210_123L, 3_000_000_000L, 0, 123_456_789_012_345L)),
                List.of(),
                Fixtures.global());

        String text = PoolUsedReport.text(big, t -> null, 0, 0);

        Golden.assertMatches("poolused-wide.txt", text);
        List<String> lines = lines(text);
        assertThat(lines.get(3)).hasSameSizeAs(lines.get(5)).hasSameSizeAs(lines.get(7));
    }

    @Test
    void text_flags6_refused() {
        assertThatThrownBy(() -> PoolUsedReport.text(snapshot(), describe(), 0x6, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("!poolused flags 0x6 refused: 0x2 (sort by NonPaged Pool Consumed) and"
                        + " 0x4 (sort by Paged Pool Consumed) exclude each other");
    }

    @Test
    void text_sessionPoolFlag_refused() {
        assertThatThrownBy(() -> PoolUsedReport.text(snapshot(), describe(), 0x8, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("!poolused flags 0x8 refused: 0x8 is not supported (0x1 verbose, 0x2 sort by"
                        + " NonPaged, 0x4 sort by Paged; the JVM has no session pool for 0x8)");
    }

    @Test
    void json_top2_matchesGoldenAndTotalsEveryTag() {
        String json = PoolUsedReport.json(snapshot(), describe(), 0x2, 2);

        Golden.assertMatches("poolused-top2-nonpaged.json", json);
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(json);
        long allNonPagedBytes =
                snapshot().tags().stream().mapToLong(t -> t.nonPagedBytes()).sum();
        assertThat(((Map<?, ?>) parsed.get("total")).get("nonPagedBytes")).isEqualTo(allNonPagedBytes);
        assertThat((List<?>) parsed.get("tags")).hasSize(2);
    }

    @Test
    void json_flags6_refusedLikeText() {
        assertThatThrownBy(() -> PoolUsedReport.json(snapshot(), describe(), 0x6, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void text_descriptionWithLineBreak_isEscapedSoTheTableStaysOneLinePerTag() {
        String text = PoolUsedReport.text(snapshot(), (Tag t) -> "evil\nTOTAL 0", 0, 1);

        assertThat(text).contains("  evil\\u000aTOTAL 0\n");
    }

    static List<String> lines(String text) {
        return List.of(text.split("\n", -1));
    }

    private static String lastLine(String text) {
        List<String> lines = lines(text.stripTrailing());
        return lines.get(lines.size() - 1);
    }
}
