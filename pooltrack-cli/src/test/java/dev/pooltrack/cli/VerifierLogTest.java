package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.cli.source.LocalPoolSource;
import dev.pooltrack.examples.SampleWorkload;
import dev.pooltrack.examples.StorageDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifierLogTest {

    @TempDir
    Path dir;

    private static LocalPoolSource storageVerified() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking(StorageDriver.NAME));
        SampleWorkload.load(pool).run(100);
        return new LocalPoolSource(pool, "test pool");
    }

    /** The entries of a log file: the texts between empty lines. */
    static List<String> entries(Path log) throws IOException {
        String text = Files.readString(log);
        assertThat(text).endsWith("\n\n");
        return Arrays.asList(text.substring(0, text.length() - 2).split("\n\n(?=\\d{4}-\\d\\d-\\d\\d )"));
    }

    @Test
    void run_stopAfterThreeEntries_appendsThreeWholeQueryEntries() throws IOException {
        Path log = dir.resolve("verifier.log");
        AtomicInteger written = new AtomicInteger();
        VerifierLog vlog = new VerifierLog(storageVerified(), log, Duration.ofMillis(50));

        long entries = vlog.run(() -> written.incrementAndGet() == 3);

        assertThat(entries).isEqualTo(3);
        List<String> e = entries(log);
        assertThat(e)
                .hasSize(3)
                .allSatisfy(entry -> assertThat(entry)
                        .matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\nLevel: 00000008\n.*")
                        .contains("Name: storage-plugin, loads: 1, unloads: 0\n")
                        .endsWith("Current Pool Allocations: ( 6 / 0 )"));
    }

    @Test
    void run_existingLog_appendsAfterWhatIsThere() throws IOException {
        Path log = dir.resolve("verifier.log");
        new VerifierLog(storageVerified(), log, Duration.ofMillis(50)).run(() -> true);
        new VerifierLog(storageVerified(), log, Duration.ofMillis(50)).run(() -> true);

        assertThat(entries(log)).hasSize(2);
    }

    @Test
    void stop_whileWaitingForTheNextEntry_endsTheRunAtOnce() throws Exception {
        Path log = dir.resolve("verifier.log");
        VerifierLog vlog = new VerifierLog(storageVerified(), log, Duration.ofHours(1));
        CompletableFuture<Long> run = CompletableFuture.supplyAsync(() -> vlog.run(() -> false));
        while (vlog.entries() == 0) {
            Thread.onSpinWait();
        }

        long start = System.nanoTime();
        vlog.stop();

        assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(entries(log)).hasSize(1);
    }

    @Test
    void run_fileInMissingDirectory_failsNamingTheFile() {
        Path log = dir.resolve("no-such-dir").resolve("verifier.log");
        VerifierLog vlog = new VerifierLog(storageVerified(), log, Duration.ofMillis(50));

        assertThatThrownBy(() -> vlog.run(() -> true))
                .isInstanceOf(CommandException.class)
                .hasMessageStartingWith("cannot write the log file " + log + ": ")
                .hasMessageEndingWith("(0 entries written)");
    }
}
