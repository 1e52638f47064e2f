package dev.pooltrack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in forked JVMs whose code calls the C allocator through {@code java.lang.foreign.Linker}
 * downcall handles: each allocator function is seen under {@code Jdwn}, charged to the calling
 * driver with its call site, and freed memory leaves the tables.
 */
class DowncallIT {

    private static final List<String> NATIVE_ACCESS = List.of("--enable-native-access=ALL-UNNAMED");

    private static List<Path> classPath(Path dir) throws Exception {
        List<Path> cp = new ArrayList<>(ForkedJvm.standardJars(dir));
        cp.add(ForkedJvm.jar(dir, "natives.jar", "example/natives"));
        return cp;
    }

    @Test
    void everyAllocatorFunction_throughDowncalls_reportNamesDriverSiteAndExactLeakedBytes(@TempDir Path dir)
            throws Exception {
        Path report = dir.resolve("report.txt");
        ForkedJvm.Run run = ForkedJvm.run(
                dir,
                NATIVE_ACCESS,
                "flags=0x8,driver=natives.jar+own-driver,report=" + report,
                classPath(dir),
                "natives");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .as("PoolTrack's own malloc (777 bytes, tag Own) is not counted again under Jdwn")
                .contains("Jdwn bytes: 9332")
                .contains("strlen: 16")
                .as("each downcall site in the driver's class got a site id when it loaded: no stack walks")
                .contains("stack walks for the downcalls: 0")
                .as("the handles keep the types the program asked for")
                .contains("malloc handle type: (long)MemorySegment, with errno: (MemorySegment,long)MemorySegment");
        assertThat(run.err()).doesNotContain("internal error").doesNotContain("Exception");

        List<OutstandingAllocation> leaked = ForkedJvm.outstanding(dir.resolve("report.json"));
        List<OutstandingAllocation> natives =
                leaked.stream().filter(a -> a.driver().equals("natives.jar")).toList();
        assertThat(natives)
                .as("what was freed (malloc+free, realloc to 0, long addresses) is gone; realloc moved its block")
                .extracting(OutstandingAllocation::length, a -> a.callSite().methodName())
                .containsExactlyInAnyOrder(
                        tuple(1000L, "leakMalloc"),
                        tuple(300L, "leakCalloc"),
                        tuple(4000L, "growRealloc"),
                        tuple(500L, "leakReallocOfNull"),
                        tuple(700L, "leakPosixMemalign"),
                        tuple(832L, "leakAlignedAlloc"),
                        tuple(900L, "leakWithErrno"),
                        tuple(1100L, "leakThroughLibraryLookup"));
        assertThat(natives).allSatisfy(a -> {
            assertThat(a.tag().text()).isEqualTo("Jdwn");
            assertThat(a.poolType()).isEqualTo(PoolType.NON_PAGED);
            assertThat(a.callSite().className() + " " + a.callSite().fileName())
                    .isEqualTo("example.natives.Natives Natives.java");
            assertThat(a.callSite().line()).isPositive();
        });
        assertThat(leaked)
                .as("own-driver freed its block; PoolTrack's own allocation never appears as Jdwn")
                .filteredOn(a -> a.driver().equals("own-driver"))
                .isEmpty();
    }

    @Test
    void countersOnly_everyAllocatorFunction_countsExactBytesUnderJdwn(@TempDir Path dir) throws Exception {
        ForkedJvm.Run run = ForkedJvm.run(dir, NATIVE_ACCESS, "quiet", classPath(dir), "natives");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .as("the lean path counts what the verified path counts: frees, realloc moves and realloc to 0")
                .contains("Jdwn bytes: 9332");
        assertThat(run.err()).doesNotContain("internal error").doesNotContain("Exception");
    }

    @Test
    void downcallsOff_leavesHandlesAlone(@TempDir Path dir) throws Exception {
        ForkedJvm.Run run = ForkedJvm.run(dir, NATIVE_ACCESS, "downcalls=off,quiet", classPath(dir), "natives");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Jdwn bytes: 0");
    }

    /** Netty 4.2 on JDK 25 without Unsafe and with native access: its direct memory comes from malloc downcalls. */
    private static ForkedJvm.Run netty(Path dir, String options, String driver) throws Exception {
        return netty(dir, Map.of(), options, driver);
    }

    private static ForkedJvm.Run netty(Path dir, Map<String, String> env, String options, String driver)
            throws Exception {
        List<Path> cp = List.of(
                ForkedJvm.jar(dir, "nettyapp.jar", "example/netty"),
                ForkedJvm.codeSource(io.netty.util.internal.PlatformDependent.class),
                ForkedJvm.codeSource(io.netty.buffer.PooledByteBufAllocator.class));
        return ForkedJvm.startMain(dir, env, NATIVE_ACCESS, options, cp, "example.netty.NettyBuffers", driver)
                .finish();
    }

    private static String nettyJar() {
        return ForkedJvm.codeSource(io.netty.util.internal.PlatformDependent.class)
                .getFileName()
                .toString();
    }

    @Test
    void nettyPooledAndUnpooled_chargedToNettysJar_matchNettysOwnAccounting(@TempDir Path dir) throws Exception {
        String netty = nettyJar();
        Path report = dir.resolve("netty.txt");
        ForkedJvm.Run run = netty(dir, "flags=0x8,driver=" + netty + ",quiet,report=" + report, netty);

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .as("Netty chose its Linker cleaner: malloc and free through downcall handles")
                .contains("netty cleaner: CleanerJava24Linker")
                .as("one 4 MiB chunk and one 5 MiB block outside the chunks: Netty's figure and PoolTrack's agree")
                .contains("pooled: pooled usedDirectMemory 9437184, PlatformDependent.usedDirectMemory 9437184,"
                        + " PoolTrack Jdwn 9437184")
                .contains("unpooled: pooled usedDirectMemory 9437184, PlatformDependent.usedDirectMemory 9445184,"
                        + " PoolTrack Jdwn 9445184")
                .as("the chunk and the block are freed once every buffer is released")
                .contains("pooled released: pooled usedDirectMemory 0, PlatformDependent.usedDirectMemory 8000,"
                        + " PoolTrack Jdwn 8000");
        assertThat(ForkedJvm.outstanding(dir.resolve("netty.json")))
                .extracting(
                        OutstandingAllocation::driver,
                        a -> a.tag().text(),
                        OutstandingAllocation::length,
                        a -> a.callSite().className())
                .containsExactlyInAnyOrder(
                        tuple(netty, "Jdwn", 3000L, "io.netty.util.internal.CleanerJava24Linker$Holder"),
                        tuple(netty, "Jdwn", 5000L, "io.netty.util.internal.CleanerJava24Linker$Holder"));
    }

    /** Debian's libjemalloc2; the test runs where it is installed. */
    private static final Path JEMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");

    @Test
    void allocatorPreloaded_nettysMallocFromDlsymRtldDefault_isWatchedToo(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(JEMALLOC), "needs " + JEMALLOC + " (apt-get install libjemalloc2)");
        String netty = nettyJar();
        ForkedJvm.Run run =
                netty(dir, Map.of("LD_PRELOAD", JEMALLOC.toString()), "flags=0x8,driver=" + netty + ",quiet", netty);

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .as("Netty's malloc is jemalloc's (dlsym(RTLD_DEFAULT)), not the C library's: still Jdwn")
                .contains("netty cleaner: CleanerJava24Linker")
                .contains("pooled: pooled usedDirectMemory 9437184, PlatformDependent.usedDirectMemory 9437184,"
                        + " PoolTrack Jdwn 9437184")
                .contains("pooled released: pooled usedDirectMemory 0, PlatformDependent.usedDirectMemory 8000,"
                        + " PoolTrack Jdwn 8000");
    }

    @Test
    void nettyAsHelper_chunksAndUnpooledBuffers_chargedToTheCallingCodeWithItsSites(@TempDir Path dir)
            throws Exception {
        Path report = dir.resolve("app.txt");
        ForkedJvm.Run run =
                netty(dir, "flags=0x8,driver=nettyapp.jar,helpers=io.netty,quiet,report=" + report, "nettyapp.jar");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .as("the chunk and the big block are charged to the code whose allocation made Netty allocate them")
                .contains("pooled sites: [allocatePooled 4194304, allocatePooled 5242880]")
                .contains("pooled: pooled usedDirectMemory 9437184, PlatformDependent.usedDirectMemory 9437184,"
                        + " PoolTrack Jdwn 9437184")
                .contains("pooled released sites: [leakUnpooled 3000, leakUnpooled 5000]");
        assertThat(ForkedJvm.outstanding(dir.resolve("app.json")))
                .as("Netty's own 0-byte direct buffer (Jdbb) of its start-up is not a downcall")
                .filteredOn(a -> a.tag().text().equals("Jdwn"))
                .extracting(
                        OutstandingAllocation::driver,
                        OutstandingAllocation::length,
                        a -> a.callSite().className() + "." + a.callSite().methodName())
                .containsExactlyInAnyOrder(
                        tuple("nettyapp.jar", 3000L, "example.netty.NettyBuffers.leakUnpooled"),
                        tuple("nettyapp.jar", 5000L, "example.netty.NettyBuffers.leakUnpooled"));
        assertThat(Files.readString(report))
                .contains("MODULE: nettyapp.jar (Loaded)")
                .contains("NettyBuffers!leakUnpooled  example.netty.NettyBuffers.leakUnpooled(NettyBuffers.java:");
    }

    @Test
    void dynamicAttach_handlesMadeBeforeStayUnwatched_handlesMadeAfterReport(@TempDir Path dir) throws Exception {
        List<Path> cp = classPath(dir);
        Path go = dir.resolve("go");
        Path report = dir.resolve("late.txt");
        List<String> jvm = new ArrayList<>(NATIVE_ACCESS);
        jvm.add("-XX:+EnableDynamicAgentLoading");
        ForkedJvm.Started target = ForkedJvm.startMain(dir, jvm, null, cp, "example.natives.LateAttach", go.toString());
        target.awaitOutput("ready");

        AgentLoader.load(target.process().pid(), "flags=0x8,driver=natives.jar,quiet,report=" + report);
        Files.writeString(go, "go");
        ForkedJvm.Run run = target.finish();

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .as("only the block from the handle made after the attach is counted")
                .contains("Jdwn bytes: 2222");
        assertThat(ForkedJvm.outstanding(dir.resolve("late.json")))
                .extracting(
                        OutstandingAllocation::driver,
                        a -> a.tag().text(),
                        OutstandingAllocation::length,
                        a -> a.callSite().methodName())
                .containsExactly(tuple("natives.jar", "Jdwn", 2222L, "afterAttach"));
    }

    @Test
    void pluginLoaderClosed_withMallocOutstanding_raises0xC4_62NamingTheJar(@TempDir Path dir) throws Exception {
        List<Path> cp = ForkedJvm.standardJars(dir);
        Path plugin = ForkedJvm.jar(dir, "natplugin.jar", "example/natplugin");
        Path report = dir.resolve("report.txt");

        ForkedJvm.Run run = ForkedJvm.run(
                dir,
                NATIVE_ACCESS,
                "flags=0x8,driver=natplugin.jar,report=" + report,
                cp,
                "plugin",
                plugin.toString(),
                "example.natplugin.NativePlugin");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err())
                .contains("driver natplugin.jar unloads: its class loader was closed")
                .contains("DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) 0xc4_62 in driver natplugin.jar");
        assertThat(ForkedJvm.outstanding(dir.resolve("report.json")))
                .extracting(OutstandingAllocation::driver, a -> a.tag().text(), OutstandingAllocation::length)
                .containsExactly(tuple("natplugin.jar", "Jdwn", 2468L));
    }
}
