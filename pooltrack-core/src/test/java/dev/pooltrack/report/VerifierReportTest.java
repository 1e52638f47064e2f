package dev.pooltrack.report;

import static dev.pooltrack.report.Fixtures.outstanding;
import static dev.pooltrack.report.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.VerifierFlags;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierReportTest {

    @Test
    void text_oneDriver_listsOnlyItsAllocationsByAddressAndGroupsThemByCallSite() {
        String text = VerifierReport.text(snapshot(), "storage-plugin", outstanding());

        Golden.assertMatches("verifier3-storage-plugin.txt", text);
        assertThat(text).doesNotContain("codec-plugin", "Cdc1");
        assertThat(text)
                .containsSubsequence(
                        "0x00007f3a1233f000  0x00001008  Lea2",
                        "0x00007f3a12345670  0x00000020  Leak",
                        "0x00007f3a12345a90  0x00000030  Leak");
        assertThat(text).contains("      TOTAL 3 allocations, 0x00001058 bytes\n");
    }

    @Test
    void text_allDrivers_listsVerifiedDriversInLoadOrderAndSkipsUnverifiedOnes() {
        String text = VerifierReport.text(snapshot(), null, outstanding());

        Golden.assertMatches("verifier3-all.txt", text);
        assertThat(text).containsSubsequence("MODULE: storage-plugin (Unloaded)", "MODULE: codec-plugin (Loaded)");
        assertThat(text).doesNotContain("MODULE: app");
    }

    @Test
    void text_flags_markTheLevelsBitsAndListEveryWindowsFlag() {
        PoolSnapshot s = snapshot();
        PoolSnapshot standard =
                new PoolSnapshot(s.timeMillis(), VerifierFlags.WINDOWS_STANDARD, s.tags(), s.drivers(), s.global());

        List<String> lines = PoolUsedReportTest.lines(VerifierReport.text(standard, "app", List.of()));

        assertThat(lines.get(0)).isEqualTo("Verify Flags Level 0x000209bb");
        assertThat(lines)
                .contains(
                        "    [X] (0x00000000) Automatic Checks",
                        "    [X] (0x00000001) Special pool",
                        "    [X] (0x00000008) Pool tracking",
                        "    [X] (0x00020000) DDI compliance checking",
                        "    [ ] (0x00000004) Randomized low resources simulation",
                        "    [ ] (0x02000000) Code integrity checks");
        assertThat(lines)
                .filteredOn(l -> l.matches(" {4}\\[[X ]] \\(0x[0-9a-f]{8}\\) .*"))
                .hasSize(VerifierFlags.all().size() + 1);
    }

    @Test
    void text_driverWithoutAllocations_saysNoneOutstanding() {
        String text = VerifierReport.text(snapshot(), "app", outstanding());

        assertThat(text).endsWith("""

                  MODULE: app (Loaded)

                    Pool Allocation Statistics: ( NonPagedPool / PagedPool )

                      Current Pool Allocations: ( 0x00000000 / 0x00000000 )
                      Current Pool Bytes:       ( 0x00000000 / 0x00000000 )
                      Peak Pool Allocations:    ( 0x00000000 / 0x00000000 )
                      Peak Pool Bytes:          ( 0x00000000 / 0x00000000 )

                    Pool Allocations: none outstanding
                """);
    }

    @Test
    void text_noVerifiedDriver_saysSo() {
        PoolSnapshot s = snapshot();
        PoolSnapshot none = new PoolSnapshot(s.timeMillis(), 0, s.tags(), List.of(Fixtures.app()), s.global());

        assertThat(VerifierReport.text(none, null, List.of()))
                .endsWith("Driver Verification List\n\n  No drivers are currently verified.\n");
    }

    @Test
    void text_allocationsOfADriverMissingFromTheSnapshot_areStillListed() {
        PoolSnapshot s = snapshot();
        PoolSnapshot withoutStorage =
                new PoolSnapshot(s.timeMillis(), s.level(), s.tags(), List.of(Fixtures.app()), s.global());

        assertThat(VerifierReport.text(withoutStorage, null, Fixtures.storageLeaks()))
                .contains("  MODULE: storage-plugin (not in the snapshot)\n\n    Pool Allocations:\n");
    }

    @Test
    void json_allDrivers_matchesGoldenWithHexAddressesAndNumericCounters() {
        String json = VerifierReport.json(snapshot(), null, outstanding());

        Golden.assertMatches("verifier3-all.json", json);
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(json);
        Map<?, ?> storage = (Map<?, ?>) ((List<?>) parsed.get("modules")).get(0);
        assertThat(storage.get("name")).isEqualTo("storage-plugin");
        assertThat(storage.get("outstandingBytes")).isEqualTo(0x1058L);
        Map<?, ?> first = (Map<?, ?>) ((List<?>) storage.get("allocations")).get(0);
        assertThat(first.get("address")).isEqualTo("0x00007f3a1233f000");
        assertThat(first.get("length")).isEqualTo(0x1008L);
    }
}
