package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.examples.StorageDriver;
import dev.pooltrack.report.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    /** What one in-process run of {@code pooltrack ARGS} printed, and its exit status. */
    record Run(int status, String out, String err) {}

    static Run pooltrack(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = PoolTrackCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static Run demo;

    @BeforeAll
    static void runDemoOnce() {
        demo = pooltrack("demo");
    }

    /** The text of step {@code n}: from its heading to the next one. */
    private static String step(String text, int n) {
        int start = text.indexOf("== " + n + "/");
        assertThat(start).as("step %d in%n%s", n, text).isNotNegative();
        int end = text.indexOf("\n== " + (n + 1) + "/", start);
        return end < 0 ? text.substring(start) : text.substring(start, end);
    }

    /** The tag of the first row of the first {@code !poolused} table in {@code text}. */
    private static String firstPoolUsedTag(String text) {
        List<String> lines = text.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches(" Tag +Allocs +Used +Allocs +Used")) {
                header = i;
                break;
            }
        }
        assertThat(header).as("a !poolused header in%n%s", text).isNotNegative();
        return lines.subList(header + 1, lines.size()).stream()
                .filter(l -> !l.isBlank())
                .findFirst()
                .orElseThrow()
                .substring(1, 5)
                .strip();
    }

    @Test
    void demo_noArguments_exitsZeroWithTheWholeStory() {
        assertThat(demo.status()).as(demo.err()).isZero();
        assertThat(demo.out())
                .contains("New verifier settings:", "Pool tracking: Enabled", "Verified drivers: ")
                .contains("0xc4_62")
                .contains("== 6/6");
    }

    @Test
    void demo_poolused_putsLeakOnTop() {
        assertThat(firstPoolUsedTag(step(demo.out(), 2))).isEqualTo("Leak");
        assertThat(step(demo.out(), 2)).contains("UNKNOWN pooltag 'Leak', please update pooltag.txt");
    }

    @Test
    void demo_unloadOfStorage_analyzesTheLeakAndNetworkUnloadsCleanly() {
        String analyze = step(demo.out(), 3);

        assertThat(analyze)
                .contains("DRIVER_VERIFIER_DETECTED_VIOLATION")
                .contains("0xc4_62")
                .contains("storage-plugin")
                .contains("network-plugin unloaded: 0 allocations outstanding, no violation.");
    }

    @Test
    void demo_verifier3_listsOnlyTheCacheMetadataCallSite() {
        String verifier3 = step(demo.out(), 4);

        assertThat(verifier3)
                .contains("MODULE: storage-plugin")
                .contains("StorageDriver.cacheMetadata(StorageDriver.java:")
                .doesNotContain("readBlock");
        long rows = verifier3
                .lines()
                .filter(l -> l.matches(" +0x\\p{XDigit}{16} .*StorageDriver\\.cacheMetadata\\(.*"))
                .count();
        assertThat(rows).isEqualTo(300 / StorageDriver.CACHE_EVERY);
    }

    @Test
    void demo_uniqueTags_namesTheTagOfCacheMetadataAsTheLeak() {
        String map = step(demo.out(), 5);
        Matcher cache = Pattern.compile("(Lea\\w) -> \\S*StorageDriver\\.cacheMetadata\\(")
                .matcher(map);
        Matcher read =
                Pattern.compile("(Lea\\w) -> \\S*StorageDriver\\.readBlock\\(").matcher(map);
        assertThat(cache.find()).as(map).isTrue();
        assertThat(read.find()).as(map).isTrue();
        String leaking = cache.group(1);
        String clean = read.group(1);
        assertThat(leaking).isNotEqualTo(clean);

        String growth = step(demo.out(), 6);
        assertThat(firstPoolUsedTag(growth)).isEqualTo(leaking);
        assertThat(growth)
                .containsPattern(
                        "(?m)^" + leaking + " grows .*StorageDriver\\.cacheMetadata\\(StorageDriver\\.java:\\d+\\)$")
                .doesNotContain(clean + " grows")
                .contains("network-plugin unloaded: 0 allocations outstanding, no violation.");
    }

    @Test
    void demo_tooFewRequestsToCacheMetadata_reportsNoLeak() {
        // Part 4 runs two rounds: together they stay below one cache entry.
        Run run = pooltrack("demo", "--requests", String.valueOf(StorageDriver.CACHE_EVERY / 2 - 1));

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("storage-plugin unloaded with nothing outstanding: no violation.")
                .contains("No unique tag grows")
                .doesNotContain("0xc4_62");
    }

    @Test
    void demo_json_isOneDocumentWithEachStepsData() {
        Run run = pooltrack("demo", "--json", "--requests", "100");

        assertThat(run.status()).as(run.err()).isZero();
        Map<?, ?> doc = (Map<?, ?>) Json.parse(run.out());
        assertThat(List.<Object>copyOf(doc.keySet()))
                .containsExactly("requests", "settings", "poolused", "analyze", "verifier3", "uniqueTags", "growth");
        assertThat(doc.get("requests")).isEqualTo(100L);
        Map<?, ?> violation = (Map<?, ?>) data(doc, "analyze").get("violation");
        assertThat(violation.get("bucket")).isEqualTo("0xc4_62");
        Map<?, ?> topTag = (Map<?, ?>) ((List<?>) data(doc, "poolused").get("tags")).getFirst();
        assertThat(topTag.get("tag")).isEqualTo("Leak");
        List<?> leaking = (List<?>) data(doc, "growth").get("leaking");
        assertThat(leaking).singleElement().satisfies(l -> {
            assertThat(((Map<?, ?>) l).get("method")).isEqualTo("cacheMetadata");
            assertThat(((Map<?, ?>) l).get("outstanding")).isEqualTo(2L * 100 / StorageDriver.CACHE_EVERY);
        });
    }

    private static Map<?, ?> data(Map<?, ?> doc, String step) {
        return (Map<?, ?>) ((Map<?, ?>) doc.get(step)).get("data");
    }

    @Test
    void demo_unknownOption_exitsOneWithPicocliMessage() {
        Run run = pooltrack("demo", "--bogus");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).contains("Unknown option: '--bogus'");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void pooltrack_unknownSubcommand_exitsOneWithPicocliMessage() {
        Run run = pooltrack("frobnicate");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).contains("Unmatched argument at index 0: 'frobnicate'");
    }

    @Test
    void demo_requestsOutOfRange_exitsOneNamingTheValue() {
        for (String bad : Arrays.asList("0", "-3", String.valueOf(DemoCommand.MAX_REQUESTS + 1))) {
            Run run = pooltrack("demo", "--requests", bad);

            assertThat(run.status()).as(bad).isEqualTo(ExitStatus.ERROR);
            assertThat(run.err()).as(bad).contains("bad value " + bad + " for --requests");
        }
    }

    @Test
    void demo_requestsNotANumber_exitsOne() {
        Run run = pooltrack("demo", "--requests", "many");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).contains("'many'");
    }

    @Test
    void pooltrack_noArguments_printsUsageWithCommandsAndExitStatuses() {
        Run run = pooltrack();

        assertThat(run.status()).isZero();
        assertThat(run.out())
                .startsWith("Usage: pooltrack")
                .contains("demo")
                .contains("Exit status:")
                .containsPattern("2 +restart needed");
    }

    @Test
    void pooltrack_version_namesTheToolAndTheJvm() {
        Run run = pooltrack("--version");

        assertThat(run.status()).isZero();
        assertThat(run.out()).startsWith("pooltrack ").contains("Java " + Runtime.version());
    }
}
