package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.agent.jfr.AllocationEvent;
import dev.pooltrack.agent.jfr.FreeEvent;
import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.report.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StacksCommandTest {

    /* The recording is made here with the agent's own event classes, from methods whose names say
     * what they do, so the stacks in the output name them. */

    private static void allocate(String tag, long bytes, long address) {
        AllocationEvent e = new AllocationEvent();
        e.tag = tag;
        e.bytes = bytes;
        e.driver = "app.jar";
        e.poolType = "NON_PAGED";
        e.address = address;
        e.commit();
    }

    private static void free(long address) {
        FreeEvent e = new FreeEvent();
        e.tag = "Jdbb";
        e.address = address;
        e.commit();
    }

    private static void cacheBlocks() {
        for (int i = 0; i < 3; i++) {
            allocate("Jdbb", 4096, 0x1000 + i * 0x1000);
        }
    }

    private static void readRequest() {
        allocate("Jffm", 100, 0x9000);
    }

    private static void tempBuffer() {
        allocate("Jdbb", 50_000, 0xA000);
    }

    private static Path record(Path dir) throws Exception {
        Path file = dir.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            r.enable(AllocationEvent.NAME).withStackTrace();
            r.enable(FreeEvent.NAME).withStackTrace();
            r.start();
            cacheBlocks();
            readRequest();
            tempBuffer();
            free(0xA000);
            r.stop();
            r.dump(file);
        }
        return file;
    }

    @Test
    void stacks_recording_groupsWhatWasNotFreedByTagAndStack_biggestFirst(@TempDir Path dir) throws Exception {
        Path rec = record(dir);

        Cli.Run r = Cli.pooltrack(PoolSources.unavailable(), "stacks", rec.toString());

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out())
                .startsWith("Outstanding allocations by tag and stack (recording rec.jfr: 5 allocation and 1 free"
                        + " events): 4 allocations, 12388 bytes in 2 stacks")
                .contains("Jdbb  3 allocations  12288 bytes  driver app.jar")
                .contains("Jffm  1 allocations  100 bytes  driver app.jar")
                .doesNotContain("50000")
                .doesNotContain("tempBuffer");
        assertThat(r.out().indexOf("Jdbb  3")).isLessThan(r.out().indexOf("Jffm  1"));
        assertThat(r.out()).containsPattern("Jdbb  3 allocations.*\\n\\s+at [\\w.]+StacksCommandTest\\.allocate");
        assertThat(r.out()).contains("StacksCommandTest.cacheBlocks(line ");
    }

    @Test
    void stacks_json_top1(@TempDir Path dir) throws Exception {
        Path rec = record(dir);

        Cli.Run r = Cli.pooltrack(PoolSources.unavailable(), "stacks", rec.toString(), "--top", "1", "--json");

        Map<?, ?> doc = (Map<?, ?>) Json.parse(r.out());
        List<?> stacks = (List<?>) doc.get("stacks");
        assertThat(stacks).hasSize(1);
        Map<?, ?> first = (Map<?, ?>) stacks.getFirst();
        assertThat(first.get("tag")).isEqualTo("Jdbb");
        assertThat(((Number) first.get("bytes")).longValue()).isEqualTo(12288);
    }

    @Test
    void stacks_notARecordingOrNoSuchFile_exitsWithError(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jfr"), "not a recording");
        Cli.Run bad = Cli.pooltrack(PoolSources.unavailable(), "stacks", text.toString());
        assertThat(bad.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(bad.err()).contains("cannot read").contains("as a JFR recording");

        Cli.Run missing = Cli.pooltrack(
                PoolSources.unavailable(), "stacks", dir.resolve("nope.jfr").toString());
        assertThat(missing.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(missing.err()).contains("no such recording");
    }
}
