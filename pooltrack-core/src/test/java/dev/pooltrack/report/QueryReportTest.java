package dev.pooltrack.report;

import static dev.pooltrack.report.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.PoolSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryReportTest {

    @Test
    void text_snapshot_matchesGolden() {
        String text = QueryReport.text(snapshot());

        Golden.assertMatches("query.txt", text);
        assertThat(text).startsWith("2025-06-01 12:00:00\nLevel: 00000008\n");
    }

    @Test
    void text_winFspLeakTest_findsTheOutstandingAllocationsInBothForms() {
        PoolSnapshot onlyStorage =
                new PoolSnapshot(Fixtures.TIME, 8, List.of(), List.of(Fixtures.storagePlugin()), Fixtures.global());

        assertThat(winFspLeakCount(QueryReport.text(onlyStorage))).isEqualTo(3);
    }

    @Test
    void text_noVerifiedDriver_saysSoAndWinFspSeesNoLeak() {
        PoolSnapshot none = new PoolSnapshot(Fixtures.TIME, 0, List.of(), List.of(Fixtures.app()), Fixtures.global());

        String text = QueryReport.text(none);

        assertThat(text).endsWith("\nVerified drivers:\n\nNo drivers are currently verified.\n");
        assertThat(winFspLeakCount(text)).isZero();
    }

    @Test
    void json_snapshot_matchesGolden() {
        Golden.assertMatches("query.json", QueryReport.json(snapshot()));
    }

    /**
     * WinFsp's run-tests.bat {@code :leak-test}: findstr the three forms, split each line at the first
     * ':', strip spaces and parentheses, split the combined form at '/', and add paged and nonpaged
     * (the last driver's values win, as in the batch file).
     */
    private static long winFspLeakCount(String queryOutput) {
        long paged = 0;
        long nonPaged = 0;
        for (String line : queryOutput.split("\n")) {
            if (!line.contains("Current Pool Allocations:")
                    && !line.contains("CurrentPagedPoolAllocations:")
                    && !line.contains("CurrentNonPagedPoolAllocations:")) {
                continue;
            }
            String[] tokens = line.split(":", 3);
            String name = tokens[0].replace(" ", "");
            String value = tokens[1].replace(" ", "").replace("(", "").replace(")", "");
            switch (name) {
                case "CurrentPoolAllocations" -> {
                    String[] parts = value.split("/");
                    nonPaged = Long.parseLong(parts[0]);
                    paged = Long.parseLong(parts[1]);
                }
                case "CurrentPagedPoolAllocations" -> paged = Long.parseLong(value);
                case "CurrentNonPagedPoolAllocations" -> nonPaged = Long.parseLong(value);
                default -> throw new AssertionError(line);
            }
        }
        return paged + nonPaged;
    }
}
