package dev.pooltrack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in forked JVMs started with {@code -javaagent:pooltrack-agent.jar}: what it sees, whom it
 * charges, what the report says, and how it fails.
 */
class AgentIT {

    private static final List<String> EXPORT_INTERNAL_UNSAFE =
            List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");

    @Test
    void everyCoveredPath_twoDrivers_reportNamesDriverTagSiteAndExactLeakedBytes(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path report = dir.resolve("report.txt");
        ForkedJvm.Run run = ForkedJvm.run(
                dir,
                EXPORT_INTERNAL_UNSAFE,
                "flags=0x8,driver=alpha.jar+beta.jar,helpers=helper.jar+example.alpha.UnsafeHandles,rules=example.beta:Beta,report="
                        + report,
                cp,
                "paths",
                dir.toString());

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("temporaries freed: true")
                .contains("stack walks for 100 injected allocations: 0")
                .contains("done");
        assertThat(run.out())
                .as("the !verifier 0x80 log")
                .contains("Pool allocation and free log (the last 1024 of verified drivers, newest first)")
                .containsPattern(
                        "Freed tag Beta NonPagedPool by driver beta.jar\\n\\s+example.beta.Beta.churn\\(Beta.java:\\d+\\)")
                .containsPattern(
                        "Allocated tag Jdbb NonPagedPool by driver alpha.jar\\n\\s+example.alpha.Alpha.leakDirect");
        assertThat(Integer.parseInt(run.out().replaceAll("(?s).*injected sites: (\\d+).*", "$1")))
                .as("allocating calls in alpha.jar and beta.jar given a site id as they loaded")
                .isGreaterThanOrEqualTo(15);
        assertThat(run.err())
                .as("no native access needed, nothing thrown")
                .doesNotContain("restricted method")
                .doesNotContain("Exception")
                .doesNotContain("internal error");

        List<OutstandingAllocation> leaked = ForkedJvm.outstanding(dir.resolve("report.json"));
        assertThat(leaked)
                .filteredOn(a -> a.driver().equals("alpha.jar"))
                .extracting(
                        a -> a.tag().text(),
                        OutstandingAllocation::length,
                        OutstandingAllocation::poolType,
                        a -> a.callSite().methodName())
                .containsExactlyInAnyOrder(
                        tuple("Jdbb", 4096L, PoolType.NON_PAGED, "leakDirect"),
                        tuple("Jffm", 2048L, PoolType.NON_PAGED, "leakConfined"),
                        tuple("Jffm", 3333L, PoolType.NON_PAGED, "leakShared"),
                        tuple("Jffm", 111L, PoolType.NON_PAGED, "leakGlobal"),
                        tuple("Jffm", 555L, PoolType.NON_PAGED, "leakAuto"),
                        tuple("Jusf", 100L, PoolType.NON_PAGED, "leakUnsafe"),
                        tuple("Jusf", 300L, PoolType.NON_PAGED, "growUnsafe"),
                        tuple("Jusf", 200L, PoolType.NON_PAGED, "leakInternalUnsafe"),
                        tuple("Jmap", 10000L, PoolType.PAGED, "leakMapped"),
                        tuple("Jmap", 6000L, PoolType.PAGED, "leakMappedSegment"));
        assertThat(leaked).filteredOn(a -> a.driver().equals("alpha.jar")).allSatisfy(a -> {
            assertThat(a.callSite().className()).isEqualTo("example.alpha.Alpha");
            assertThat(a.callSite().fileName()).isEqualTo("Alpha.java");
            assertThat(a.callSite().line()).isPositive();
        });
        assertThat(leaked)
                .filteredOn(a -> a.driver().equals("beta.jar"))
                .as("the rule tags beta's memory Beta; the helper's allocation is charged to its caller")
                .extracting(
                        a -> a.tag().text(),
                        OutstandingAllocation::length,
                        a -> a.callSite().methodName())
                .containsExactlyInAnyOrder(
                        tuple("Beta", 8192L, "leakDirect"),
                        tuple("Beta", 64L, "leakUnsafe"),
                        tuple("Beta", 2500L, "viaHelper"),
                        tuple("Beta", 2600L, "allocateForHandle"));
        assertThat(leaked)
                .extracting(OutstandingAllocation::driver)
                .as("only verified drivers are recorded")
                .containsOnly("alpha.jar", "beta.jar");

        String text = Files.readString(report);
        assertThat(text)
                .contains("MODULE: alpha.jar (Loaded)")
                .contains("MODULE: beta.jar (Loaded)")
                .contains("Alpha!leakDirect  example.alpha.Alpha.leakDirect(Alpha.java:");
    }

    /* No flags: the agent keeps per-tag counters only, through its lean path (no driver, no call
     * site, no busy flag) and the engine's table of observed memory. */
    @Test
    void countersOnly_everyJdkPath_outstandingBytesPerTagExact_freesFromAnotherThreadToo(@TempDir Path dir)
            throws Exception {
        ForkedJvm.Run run = ForkedJvm.run(dir, List.of(), "quiet", ForkedJvm.standardJars(dir), "counted");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .as("the confined arena's 1024 bytes are freed; the shared arena's 3000 are held")
                .contains("Jffm outstanding: 3000 bytes in 1 allocations")
                .contains("Jdbb outstanding: 5000 bytes in 1 allocations")
                .as("Unsafe: 700 freed on the allocating thread, 2000 blocks freed by another thread, 300 held")
                .contains("Jusf outstanding: 300 bytes in 1 allocations")
                .contains("drivers verified: 0");
        assertThat(run.err()).doesNotContain("internal error").doesNotContain("Exception");
    }

    @Test
    void pluginLoaderClosed_withMemoryOutstanding_raises0xC4_62NamingTheJar(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path plugin = ForkedJvm.jar(dir, "plugin.jar", "example/plugin");
        Path report = dir.resolve("report.txt");

        ForkedJvm.Run run = ForkedJvm.run(
                dir, List.of(), "flags=0x8,driver=plugin.jar,report=" + report, cp, "plugin", plugin.toString());

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("closed").contains("done");
        assertThat(run.err())
                .contains("driver plugin.jar unloads: its class loader was closed (java.net.URLClassLoader")
                .contains("DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) 0xc4_62 in driver plugin.jar");
        Map<?, ?> json = ForkedJvm.report(dir.resolve("report.json"));
        assertThat(json.get("violations").toString()).contains("plugin.jar").contains("98"); // 0x62
        assertThat(ForkedJvm.outstanding(dir.resolve("report.json")))
                .extracting(a -> a.tag().text(), OutstandingAllocation::length)
                .containsExactlyInAnyOrder(tuple("Jdbb", 1234L), tuple("Jffm", 4321L));

        ForkedJvm.Run thrown = ForkedJvm.run(
                dir, List.of(), "flags=0x8,driver=plugin.jar,response=throw,quiet", cp, "plugin", plugin.toString());
        assertThat(thrown.out()).as(thrown.toString()).contains("caught").contains("0xc4_62 in driver plugin.jar");
    }

    @Test
    void pluginLoaderCollected_unloadsTheDriverAndChecksIt(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path plugin = ForkedJvm.jar(dir, "plugin.jar", "example/plugin");

        ForkedJvm.Run run =
                ForkedJvm.run(dir, List.of(), "flags=0x8,driver=plugin.jar", cp, "collect", plugin.toString());

        assertThat(run.out()).as(run.toString()).contains("plugin.jar Unloaded");
        assertThat(run.err()).contains("its class loader was collected").contains("0xc4_62 in driver plugin.jar");
    }

    @Test
    void badOptions_printOneMessage_andTheApplicationRunsWithoutTheAgent(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        for (String bad : List.of("flags=0x8,bogus=1", "stacks=sometimes", "flags=0x2", "driver=", "rules=nocolon")) {
            ForkedJvm.Run run = ForkedJvm.run(dir, List.of(), bad, cp, "plain");
            assertThat(run.exit()).as(run.toString()).isZero();
            assertThat(run.out()).as(bad).isEqualTo("done\n");
            assertThat(run.err())
                    .as(bad)
                    .contains("pooltrack-agent: bad option")
                    .contains("the agent is not started; the application runs without it")
                    .doesNotContain("Exception");
        }
        ForkedJvm.Run missingSettings =
                ForkedJvm.run(dir, List.of(), "settings=" + dir.resolve("nope.conf") + ",flags=0x8", cp, "plain");
        assertThat(missingSettings.out()).isEqualTo("done\n");
        assertThat(missingSettings.err()).contains("no such settings file").contains("nope.conf");
        Path badSettings = dir.resolve("bad.conf");
        Files.writeString(badSettings, "flags=0x8\nfrobnicate=yes\n");
        ForkedJvm.Run bad = ForkedJvm.run(dir, List.of(), "settings=" + badSettings, cp, "plain");
        assertThat(bad.out()).isEqualTo("done\n");
        assertThat(bad.err()).contains("bad.conf:2").contains("unknown key 'frobnicate'");
    }

    @Test
    void settingsFile_isReadAndOptionsOverrideIt(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path settings = dir.resolve("verifier.conf");
        Files.writeString(settings, "flags=0x8\ndriver=alpha.jar\nresponse=log\n");
        Path report = dir.resolve("r.txt");
        ForkedJvm.Run run = ForkedJvm.run(
                dir, List.of(), "settings=" + settings + ",driver=beta.jar,report=" + report, cp, "plain");
        assertThat(run.err()).as(run.toString()).contains("Pool Tracking) for alpha.jar, beta.jar");
        assertThat(ForkedJvm.outstanding(dir.resolve("r.json")))
                .extracting(OutstandingAllocation::driver, OutstandingAllocation::length)
                .containsExactly(tuple("beta.jar", 1500L), tuple("beta.jar", 1500L));
    }

    @Test
    void runAs_chargesTheJdkAllocationsOfAUnitOfWorkToItsDriver(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path report = dir.resolve("report.txt");
        ForkedJvm.Run run = ForkedJvm.run(
                dir, List.of(), "flags=0x8,driver=request-42+beta.jar,quiet,report=" + report, cp, "runas");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(ForkedJvm.outstanding(dir.resolve("report.json")))
                .extracting(
                        OutstandingAllocation::driver,
                        OutstandingAllocation::length,
                        a -> a.callSite().methodName())
                .containsExactlyInAnyOrder(
                        tuple("request-42", 4242L, "leakMany"), tuple("beta.jar", 2424L, "leakMany"));
    }

    @Test
    void uniqueTags_splitTheSharedTagPerCallSite_andPrintTheMap(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path report = dir.resolve("report.txt");
        ForkedJvm.Run run = ForkedJvm.run(
                dir,
                List.of("--enable-native-access=ALL-UNNAMED"),
                "flags=0x8,driver=storage-plugin,uniquetags=Leak+Jdbb,report=" + report,
                cp,
                "unique");
        assertThat(run.exit()).as(run.toString()).isZero();
        String text = Files.readString(report);
        assertThat(text)
                .contains("Unique tags (uniquetags): new tag -> call site")
                .contains("Lea1 -> dev.pooltrack.examples.StorageDriver.readBlock(StorageDriver.java:")
                .contains("Lea2 -> dev.pooltrack.examples.StorageDriver.cacheMetadata(StorageDriver.java:")
                .as("a JDK path's tag is split too")
                .containsPattern("Jdb\\d -> example.beta.Beta.leakMany\\(Beta.java:\\d+\\)")
                .containsPattern("Jdb\\d -> example.beta.Beta.leakDirect\\(Beta.java:\\d+\\)");
        assertThat(ForkedJvm.outstanding(dir.resolve("report.json")))
                .extracting(a -> a.tag().text())
                .contains("Lea2")
                .doesNotContain("Leak", "Lea1");
    }

    @Test
    void jfr_allocationFreeAndTagUsageEvents_readBack(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path rec = dir.resolve("rec.jfr");
        ForkedJvm.Run run = ForkedJvm.run(
                dir,
                List.of("-XX:StartFlightRecording:filename=" + rec + ",settings=default"),
                "flags=0x8,driver=beta.jar,quiet",
                cp,
                "jfr");
        assertThat(run.exit()).as(run.toString()).isZero();

        List<RecordedEvent> events = RecordingFile.readAllEvents(rec);
        List<RecordedEvent> allocations = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.pooltrack.Allocation"))
                .filter(e -> "beta.jar".equals(e.getString("driver")))
                .toList();
        assertThat(allocations)
                .extracting(e -> e.getString("tag"), e -> e.getLong("bytes"), e -> e.getString("poolType"))
                .containsExactlyInAnyOrder(
                        tuple("Jdbb", 1500L, "NON_PAGED"),
                        tuple("Jdbb", 1500L, "NON_PAGED"),
                        tuple("Jffm", 64L, "NON_PAGED"));
        assertThat(allocations.getFirst().getStackTrace().getFrames())
                .extracting(f ->
                        f.getMethod().getType().getName() + "." + f.getMethod().getName())
                .contains("example.beta.Beta.leakMany", "java.nio.ByteBuffer.allocateDirect");
        assertThat(allocations.getFirst().getString("site")).startsWith("example.beta.Beta.leakMany(Beta.java:");
        assertThat(events)
                .filteredOn(e -> e.getEventType().getName().equals("dev.pooltrack.Free"))
                .filteredOn(e -> "beta.jar".equals(e.getString("driver")))
                .extracting(e -> e.getString("tag"), e -> e.getLong("bytes"))
                .containsExactly(tuple("Jffm", 64L));
        assertThat(events)
                .filteredOn(e -> e.getEventType().getName().equals("dev.pooltrack.TagUsage"))
                .filteredOn(e -> "Jdbb".equals(e.getString("tag")))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.getLong("nonPagedBytes")).isGreaterThanOrEqualTo(3000));
    }

    @Test
    void jfr_countersOnly_allocationAndFreeEventsNameTheUnattributedDriver(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("rec.jfr");
        ForkedJvm.Run run = ForkedJvm.run(
                dir,
                List.of("-XX:StartFlightRecording:filename=" + rec + ",settings=default"),
                "quiet",
                ForkedJvm.standardJars(dir),
                "jfr");
        assertThat(run.exit()).as(run.toString()).isZero();

        List<RecordedEvent> events = RecordingFile.readAllEvents(rec);
        assertThat(events)
                .filteredOn(e -> e.getEventType().getName().equals("dev.pooltrack.Allocation"))
                .extracting(e -> e.getString("tag"), e -> e.getLong("bytes"), e -> e.getString("driver"))
                .contains(
                        tuple("Jdbb", 1500L, AgentRuntime.UNATTRIBUTED), tuple("Jffm", 64L, AgentRuntime.UNATTRIBUTED));
        assertThat(events)
                .filteredOn(e -> e.getEventType().getName().equals("dev.pooltrack.Free"))
                .extracting(e -> e.getString("tag"), e -> e.getLong("bytes"), e -> e.getString("driver"))
                .contains(tuple("Jffm", 64L, AgentRuntime.UNATTRIBUTED));
    }

    @Test
    void dynamicAttach_startsTrackingNewAllocationsNow(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path go = dir.resolve("go");
        Path report = dir.resolve("attached.txt");
        ForkedJvm.Started target = ForkedJvm.startMain(
                dir, List.of("-XX:+EnableDynamicAgentLoading"), null, cp, "example.host.Waiter", go.toString());
        long pid = target.process().pid();
        target.awaitOutput("ready");

        AgentLoader.load(pid, "flags=0x8,driver=beta.jar,report=" + report);
        Files.writeString(go, "go");
        ForkedJvm.Run run = target.finish();

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).contains("pooltrack-agent: attached");
        assertThat(ForkedJvm.outstanding(dir.resolve("attached.json")))
                .as("the buffer allocated before the attach is not seen; the three after it are")
                .extracting(
                        OutstandingAllocation::driver,
                        OutstandingAllocation::length,
                        a -> a.tag().text())
                .containsExactly(
                        tuple("beta.jar", 3000L, "Jdbb"),
                        tuple("beta.jar", 3000L, "Jdbb"),
                        tuple("beta.jar", 3000L, "Jdbb"));
    }
}
