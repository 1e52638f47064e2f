package dev.pooltrack.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.Violation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalyzeReportTest {

    @Test
    void text_leakAtUnload_matchesGoldenWithTheLeakedAllocations() {
        String text = AnalyzeReport.text(Fixtures.leakAtUnload());

        Golden.assertMatches("analyze-c4-62.txt", text);
        assertThat(text)
                .containsSubsequence(
                        "DRIVER_VERIFIER_DETECTED_VIOLATION (c4)\n",
                        "Arg1: 0000000000000062, A driver has forgotten to free its pool allocations prior to unloading.\n",
                        "Arg2: storage-plugin, name of the driver having the issue.\n",
                        "\tType !verifier 3 storage-plugin for info on the allocations that were leaked that caused"
                                + " the bugcheck.\n",
                        "BUGCHECK_CODE:  c4\n",
                        "BUGCHECK_P1: 62\n",
                        "BUGCHECK_STR:  0xc4_62\n",
                        "      TOTAL 3 allocations, 0x00001058 bytes\n");
    }

    @Test
    void text_leakAtUnload_reusesTheVerifierRowsOfTheDriver() {
        String analyze = AnalyzeReport.text(Fixtures.leakAtUnload());
        String verifier = VerifierReport.text(Fixtures.snapshot(), "storage-plugin", Fixtures.outstanding());

        String rows = verifier.substring(verifier.indexOf("    Pool Allocations:"));
        assertThat(analyze).endsWith(rows);
    }

    @Test
    void text_freeOfBadAddress_matchesGoldenWithoutTheVerifierHint() {
        String text = AnalyzeReport.text(Fixtures.freeOfBadAddress());

        Golden.assertMatches("analyze-c4-10.txt", text);
        assertThat(text).doesNotContain("!verifier 3", "LEAKED_ALLOCATIONS");
        assertThat(text).contains("BUGCHECK_STR:  0xc4_10\n", "CALL_SITE: dev.pooltrack.examples.CodecDriver.release");
    }

    @Test
    void text_freeWithWrongTag_matchesGolden() {
        String text = AnalyzeReport.text(Fixtures.freeWithWrongTag());

        Golden.assertMatches("analyze-c2-0a.txt", text);
        assertThat(text)
                .contains(
                        "BAD_POOL_CALLER (c2)\nThe current thread is making a bad pool request.",
                        "Arg3: 000000006b61654c, Tag of the allocation ('Leak').\n",
                        "BUGCHECK_P4: 3261654c\n",
                        "BUGCHECK_STR:  0xc2_a\n");
    }

    @Test
    void text_threadNameWithLineBreaks_isEscaped() {
        Violation v = Fixtures.freeOfBadAddress();
        Violation odd = new Violation(
                v.code(),
                v.name(),
                v.parameters(),
                v.driver(),
                v.callSite(),
                v.leaked(),
                "evil\n-----END ANALYZE-----",
                v.timeMillis());

        assertThat(AnalyzeReport.text(odd)).contains("FAULTING_THREAD: evil\\u000a-----END ANALYZE-----\n");
    }

    @Test
    void json_leakAtUnload_matchesGoldenWithAllocationsAndTotals() {
        String json = AnalyzeReport.json(Fixtures.leakAtUnload());

        Golden.assertMatches("analyze-c4-62.json", json);
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(json);
        assertThat(parsed.get("bucket")).isEqualTo("0xc4_62");
        assertThat((List<?>) parsed.get("arguments")).hasSize(4);
        assertThat(parsed.get("outstandingAllocations")).isEqualTo(3L);
    }
}
