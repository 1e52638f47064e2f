package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pooltrack.cli.Processes.Run;
import dev.pooltrack.cli.Processes.Target;
import dev.pooltrack.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code pooltrack} command, as a process of its own, against a real JVM running the sample
 * drivers ({@code SampleServer}) with storage-plugin verified, and against a JVM without PoolTrack.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveJvmIT {

    /* One SampleServer serves every test: starting JVMs is what costs time here. Tests that only
     * read it come first; the test that verifies session-plugin with /volatile changes it, and the
     * tests after it allow for that. */

    private static final String SERVER_SETTINGS = "flags=0x8\ndriver=storage-plugin\nresponse=log\n";

    @TempDir
    static Path dir;

    private static Target server;
    private static Target idle;
    private static String pid;

    @BeforeAll
    static void startJvms() throws IOException {
        server = Processes.sampleServer(dir, SERVER_SETTINGS, "--rate", "100");
        idle = Processes.idleJvm(dir);
        pid = Long.toString(server.pid());
    }

    @AfterAll
    static void stopJvms() throws IOException {
        if (server != null) {
            server.close();
        }
        if (idle != null) {
            idle.close();
        }
    }

    private static Run pooltrack(String... args) {
        return Processes.pooltrack(dir, args);
    }

    private static Map<?, ?> json(Run run) {
        assertThat(run.status()).as(run.err()).isZero();
        return (Map<?, ?>) Json.parse(run.out());
    }

    // ---------------------------------------------------------------- reading a running JVM

    @Test
    @Order(1)
    void query_windowsAndGnuSyntax_printTheCountersOfTheVerifiedDriver() {
        for (Run run : List.of(pooltrack("verifier", "/query", pid), pooltrack("verifier", "--query", "--pid", pid))) {
            assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
            assertThat(run.err()).isEmpty();
            assertThat(run.out())
                    .matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\nLevel: 00000008\n.*")
                    .contains("\nName: storage-plugin, loads: 1, unloads: 0\n")
                    .containsPattern("\nCurrentNonPagedPoolAllocations: [1-9]\\d*\n")
                    .containsPattern("\nCurrent Pool Allocations: \\( [1-9]\\d* / 0 \\)\n")
                    .doesNotContain("Name: network-plugin", "Name: session-plugin");
        }
    }

    @Test
    @Order(2)
    void queryJson_isTheQueryReportsJson() {
        Map<?, ?> doc = json(pooltrack("verifier", "/query", pid, "--json"));

        assertThat(doc.get("level")).isEqualTo(8L);
        List<?> drivers = (List<?>) doc.get("drivers");
        assertThat(drivers).hasSize(1);
        assertThat(((Map<?, ?>) drivers.getFirst()).get("name")).isEqualTo("storage-plugin");
    }

    @Test
    @Order(3)
    void poolused_topThreeByNonPagedBytes_windowsSyntax() {
        Run run = pooltrack("poolused", pid, "/t", "3", "2");

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out()).startsWith(" Sorting by NonPaged Pool Consumed\n");
        Pattern row = Pattern.compile(" (.{4}) +(\\d+) +(\\d+) +(\\d+) +(\\d+)  (.*)");
        List<Matcher> rows =
                run.out().lines().map(row::matcher).filter(Matcher::matches).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.stream().map(m -> Long.parseLong(m.group(3))).toList())
                .isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(rows.stream().map(m -> m.group(1)).toList()).doesNotHaveDuplicates();
        assertThat(run.out()).containsPattern("\n TOTAL +\\d+ +\\d+ +\\d+ +\\d+\n$");
    }

    @Test
    @Order(4)
    void poolusedJson_gnuSyntax_listsTheTagsOfAllDrivers() {
        Map<?, ?> doc = json(pooltrack("poolused", "--pid", pid, "--top", "10", "--json"));

        List<?> tags = (List<?>) doc.get("tags");
        List<Object> names =
                tags.stream().map(t -> (Object) ((Map<?, ?>) t).get("tag")).toList();
        assertThat(names).contains("Sess", "Stor", "NetB");
        assertThat(doc.get("top")).isEqualTo(10L);
    }

    @Test
    @Order(5)
    void outstanding_storagePlugin_listsItsAllocationsWithCallSites() {
        Run run = pooltrack("outstanding", pid, "storage-plugin");

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .startsWith("Verify Flags Level 0x00000008\n")
                .contains("\n  MODULE: storage-plugin (Loaded)\n")
                .containsPattern(
                        "\n +0x\\p{XDigit}{16}  0x00000200  Stor  StorageDriver!<init>  dev\\.pooltrack\\.examples\\.StorageDriver\\.<init>\\(StorageDriver\\.java:\\d+\\)\n")
                .contains("Outstanding by call site (biggest first):")
                .doesNotContain("MODULE: network-plugin");
    }

    @Test
    @Order(6)
    void outstanding_unknownDriver_namesTheKnownOnes() {
        Run run = pooltrack("outstanding", pid, "no-such-plugin");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err())
                .startsWith("pooltrack: unknown driver 'no-such-plugin': known drivers are [storage-plugin,");
    }

    @Test
    @Order(7)
    void jvms_listsTheTargetsAndProbesForPoolTrackWhenAsked() {
        Run list = pooltrack("jvms", pid, Long.toString(idle.pid()));
        Run probed = pooltrack("jvms", "--pooltrack", pid, Long.toString(idle.pid()));

        assertThat(list.status()).as(list.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(list.out())
                .containsPattern("(?m)^" + pid + " +dev\\.pooltrack\\.examples\\.SampleServer --rate 100$")
                .containsPattern("(?m)^" + idle.pid() + " +dev\\.pooltrack\\.cli\\.IdleJvm$");
        assertThat(probed.status()).as(probed.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(probed.out())
                .containsPattern("(?m)^" + pid + " +yes +dev\\.pooltrack\\.examples\\.SampleServer")
                .containsPattern("(?m)^" + idle.pid() + " +no +dev\\.pooltrack\\.cli\\.IdleJvm$");
    }

    // ---------------------------------------------------------------- changing it now

    @Test
    @Order(10)
    void volatileAdddriver_loadedUnverifiedDriver_tracksItsNewAllocations() throws InterruptedException {
        Run before = pooltrack("outstanding", pid, "session-plugin");
        assertThat(before.status()).as(before.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(before.out())
                .contains("MODULE: session-plugin (Loaded)")
                .contains("Pool Allocations: none outstanding");
        long added = System.currentTimeMillis();

        Run add = pooltrack("verifier", "/volatile", "/adddriver", "session-plugin", pid);

        assertThat(add.status()).as(add.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(add.out())
                .startsWith("New verifier settings:\n")
                .contains("Verified drivers: storage-plugin session-plugin\n")
                .contains("session-plugin (Loaded): verified now; its allocations from now on are tracked.\n")
                .endsWith("the settings file is unchanged.\n");
        List<?> allocations = List.of();
        for (int attempt = 0; attempt < 20 && allocations.isEmpty(); attempt++) {
            Map<?, ?> doc = json(pooltrack("outstanding", pid, "session-plugin", "--json"));
            allocations = (List<?>) ((Map<?, ?>) ((List<?>) doc.get("modules")).getFirst()).get("allocations");
            if (allocations.isEmpty()) {
                Thread.sleep(100);
            }
        }
        assertThat(allocations).isNotEmpty().allSatisfy(a -> {
            Map<?, ?> row = (Map<?, ?>) a;
            assertThat(row.get("tag")).isEqualTo("Sess");
            assertThat(row.get("caller")).isEqualTo("dev.pooltrack.examples.SessionPlugin.open(SessionPlugin.java)");
            assertThat((Long) row.get("timeMillis")).isGreaterThanOrEqualTo(added - 2_000);
        });
        assertThat(pooltrack("verifier", "/query", pid).out())
                .contains("\nName: session-plugin, loads: 1, unloads: 0\n");
    }

    @Test
    @Order(11)
    void volatileRemovedriver_loadedDriver_isRefusedAsOnWindows() {
        Run run = pooltrack("verifier", "/volatile", "/removedriver", "storage-plugin", pid);

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .isEqualTo(
                        "pooltrack: cannot stop verifying storage-plugin in JVM " + pid
                                + " (dev.pooltrack.examples.SampleServer): it is loaded. As on Windows, where verifier"
                                + " /volatile /removedriver fails for a loaded driver, a loaded driver stays verified until it"
                                + " unloads; to leave it out when the JVM next starts, change the settings file with /driver\n");
        assertThat(pooltrack("verifier", "/query", pid).out()).contains("Name: storage-plugin");
    }

    @Test
    @Order(12)
    void volatileFlags_implementedFlagIsApplied_otherIsRefused() {
        Run refused = pooltrack("verifier", "/volatile", "/flags", "0x20", pid);
        Run applied = pooltrack("verifier", "--volatile", "--flags", "8", "--pid", pid);
        Run response = pooltrack("verifier", "/volatile", "/bugcheck", "log", pid);

        assertThat(refused.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(refused.err())
                .isEqualTo(
                        "pooltrack: flags 0x20 refused: 0x20 (Deadlock detection) has no counterpart on the JVM."
                                + " Implemented: 0x4000D (Special pool, Randomized low resources simulation, Pool tracking, Systematic low resources simulation)\n");
        assertThat(applied.status()).as(applied.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(applied.out()).contains("Pool tracking: Enabled");
        assertThat(response.status()).as(response.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(response.out()).contains("Response to a violation: log");
    }

    @Test
    @Order(20)
    void log_shortInterval_appendsWholeEntriesAndStopsCleanlyOnSigterm() throws Exception {
        Path log = dir.resolve("verifier.log");
        long start = System.nanoTime();
        Process p =
                Processes.startPooltrack(dir, List.of(), "verifier", "/log", log.toString(), "/interval", "0.25", pid);
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> Processes.read(p.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> Processes.read(p.getErrorStream()));
        String out;
        double elapsedSeconds;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (entryCount(log) < 4 && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
            assertThat(p.isAlive()).as("pooltrack /log still running").isTrue();
            elapsedSeconds = (System.nanoTime() - start) / 1e9;

            p.toHandle().destroy(); // SIGTERM; Process.destroy would also close our ends of its pipes

            assertThat(p.waitFor(20, TimeUnit.SECONDS))
                    .as("pooltrack /log ended")
                    .isTrue();
            out = stdout.get(10, TimeUnit.SECONDS);
            assertThat(p.exitValue()).as(stderr.get(10, TimeUnit.SECONDS)).isEqualTo(ExitStatus.SUCCESS);
        } finally {
            p.destroyForcibly();
        }
        List<String> entries = VerifierLogTest.entries(log);
        assertThat(out)
                .startsWith("Logging the verifier counters of JVM " + pid + " (dev.pooltrack.examples.SampleServer) to "
                        + log + " every 0.25 s. Ctrl+C stops.\n")
                .endsWith("Stopped: " + entries.size() + " entries in " + log + ".\n");
        // at the interval: no more entries than 0.25 s slots since the CLI started (plus the first)
        assertThat(entries.size()).isBetween(4, (int) (elapsedSeconds / 0.25) + 2);
        assertThat(entries)
                .allSatisfy(e -> assertThat(e)
                        .matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\nLevel: 00000008\n.*")
                        .contains("\nName: storage-plugin, loads: 1, unloads: 0\n")
                        .containsPattern("Current Pool Allocations: \\( \\d+ / 0 \\)$"));
    }

    private static int entryCount(Path log) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        return (int) Files.readAllLines(log).stream()
                .filter(l -> l.startsWith("Level: "))
                .count();
    }

    // ---------------------------------------------------------------- settings for the next start

    @Test
    @Order(30)
    void flagsDriver_asAProcess_writesTheSettingsFileAndExitsTwo() throws IOException {
        Run run = pooltrack("verifier", "/flags", "0x8", "/driver", "a.jar", "b.jar");

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(run.out()).contains("Verified drivers: a.jar b.jar", "take effect when the JVM is restarted");
        assertThat(Files.readString(dir.resolve("cli-settings.conf")))
                .contains("flags=0x8\n", "driver=a.jar\ndriver=b.jar\n");
    }

    // ---------------------------------------------------------------- how it fails

    @Test
    @Order(40)
    void unknownPid_saysThereIsNoSuchJavaProcess() {
        long unused = 999_999;
        while (ProcessHandle.of(unused).isPresent()) {
            unused++;
        }

        Run run = pooltrack("verifier", "/query", Long.toString(unused));

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("pooltrack: no Java process with pid " + unused + "\n");
    }

    @Test
    @Order(41)
    void jvmWithoutPoolTrack_saysTheMBeanIsNotRegistered() {
        for (Run run : List.of(
                pooltrack("verifier", "/query", Long.toString(idle.pid())),
                pooltrack("poolused", Long.toString(idle.pid())))) {
            assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
            assertThat(run.out()).isEmpty();
            assertThat(run.err())
                    .isEqualTo(
                            "pooltrack: JVM " + idle.pid() + " has no PoolTrack pool (dev.pooltrack:type=PoolTrack is"
                                    + " not registered): start PoolTrack in it or attach the agent\n");
        }
    }

    @Test
    @Order(42)
    void jvmOfAnotherUser_attachIsRefusedAndTheMessageSaysWhy() throws IOException, InterruptedException {
        // Needs root (to run the CLI as 'nobody' against this user's JVM) and runuser.
        assumeTrue("root".equals(System.getProperty("user.name")), "runs only as root");
        assumeTrue(
                new ProcessBuilder(
                                        "runuser",
                                        "-u",
                                        "nobody",
                                        "--",
                                        "test",
                                        "-r",
                                        Processes.cliJar().toString())
                                .start()
                                .waitFor()
                        == 0,
                "user nobody cannot read the CLI jar");

        Run run = Processes.pooltrack(dir, List.of("runuser", "-u", "nobody", "--"), "verifier", "/query", pid);

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .startsWith(
                        "pooltrack: cannot attach to process " + pid + ": it runs as user root and pooltrack as user"
                                + " nobody, and the Attach API lets a user attach only to their own JVMs (root to any): run"
                                + " pooltrack as root (the attach failed with: ")
                .endsWith(")\n");
    }

    @Test
    @Order(43)
    void badFlagValue_isRefusedAndNothingIsWritten() {
        Path settings = dir.resolve("cli-settings.conf");
        String before = read(settings);

        Run run = pooltrack("verifier", "/flags", "0xZZ", "/driver", "c.jar");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .isEqualTo("pooltrack: bad flags value '0xZZ': write a 32-bit number in decimal, 0x hex, 0o octal or 0b"
                        + " binary, for example 0x8\n");
        assertThat(read(settings)).isEqualTo(before);
    }

    @Test
    @Order(44)
    void unknownOption_isNamedWithWhereToFindHelp() {
        Run gnu = pooltrack("poolused", pid, "--bogus");
        Run windows = pooltrack("verifier", "/bogus", pid);

        assertThat(gnu.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(gnu.err())
                .isEqualTo(
                        "pooltrack: Unknown option: '--bogus'\nTry 'pooltrack poolused --help' for more information.\n");
        assertThat(windows.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(windows.err())
                .isEqualTo(
                        "pooltrack: Unknown option: '/bogus'\nTry 'pooltrack verifier --help' for more information.\n");
    }

    @Test
    @Order(50)
    void sampleServer_quit_unloadsAndReportsTheStorageLeakUnderLog() throws Exception {
        Target own = Processes.sampleServer(dir, SERVER_SETTINGS, "--rate", "200");
        Thread.sleep(300);
        own.close();

        assertThat(own.process().exitValue()).isZero();
        assertThat(Files.readString(own.stderr())).contains("0xc4_62 in driver storage-plugin");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
