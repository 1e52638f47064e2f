package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.report.QueryReport;
import dev.pooltrack.report.SpecialPoolTable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Special pool (flag 0x1) and Pool Tracking's tail-zone overrun check, on real pages and real malloc blocks. */
class SpecialPoolTest {

    static final Tag OVR = Tag.of("Ovr1");
    static final Tag NORM = Tag.of("Norm");

    @TempDir
    Path dir;

    PoolTrack pool(int flags, SpecialPoolSettings sp, Response response) {
        return PoolTrack.create(VerifierSettings.poolTracking("a")
                .withFlags(flags)
                .withResponse(response)
                .withReportDirectory(dir)
                .withSpecialPool(sp));
    }

    PoolTrack specialPool(SpecialPoolSettings sp) {
        return pool(VerifierFlags.SPECIAL_POOL | VerifierFlags.POOL_TRACKING, sp, Response.THROW);
    }

    @SuppressWarnings("restricted")
    static MemorySegment raw(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    static Violation thrown(Runnable r) {
        try {
            r.run();
        } catch (DriverVerifierError e) {
            return e.violation();
        }
        throw new AssertionError("no violation raised");
    }

    // ---------------------------------------------------------------- tail zone under Pool Tracking

    @Test
    void free_writePastEndUnderPoolTracking_raisesC4_51WithBaseDamagedAndSize() {
        PoolTrack pool = pool(VerifierFlags.POOL_TRACKING, SpecialPoolSettings.defaults(), Response.THROW);
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 100, NORM);
        raw(s.address(), 104).set(ValueLayout.JAVA_BYTE, 102, (byte) 0);

        Violation v = thrown(() -> a.free(s, NORM));

        assertThat(v.code()).isEqualTo(0xC4);
        assertThat(v.subcode()).isEqualTo(0x51);
        assertThat(v.arg(2).value()).isEqualTo(s.address());
        assertThat(v.arg(3).value()).isEqualTo(s.address() + 102);
        assertThat(v.arg(4).value()).isEqualTo(100);
        assertThat(v.arg(1).meaning()).contains("Special Pool", "/flags 0x9 /driver a");
        assertThat(v.driver()).isEqualTo("a");
        assertThat(pool.snapshot().tag(NORM).nonPagedFrees()).isEqualTo(1); // freed before the raise
    }

    @Test
    void free_intactTailZone_noViolation() {
        PoolTrack pool = pool(VerifierFlags.POOL_TRACKING, SpecialPoolSettings.defaults(), Response.THROW);
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 100, NORM);
        s.fill((byte) 0xFF);
        a.free(s, NORM);
        assertThat(pool.violations()).isEmpty();
    }

    @Test
    void free_writeBeforeStartOverHeader_raisesC4_53WithHeaderAddress() {
        PoolTrack pool = pool(VerifierFlags.POOL_TRACKING, SpecialPoolSettings.defaults(), Response.THROW);
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 64, NORM);
        raw(s.address() - 16, 16).set(ValueLayout.JAVA_BYTE, 7, (byte) 0x11); // the header's live byte

        Violation v = thrown(() -> a.free(s, NORM));

        assertThat(v.subcode()).isEqualTo(0x53);
        assertThat(v.arg(2).value()).isEqualTo(s.address());
        assertThat(v.arg(3).value()).isEqualTo(s.address() - 16);
        assertThat(v.arg(1).meaning()).contains("Special Pool with Verify Start");
        assertThat(pool.snapshot().driver("a").currentAllocations()).isZero();
    }

    @Test
    void unload_outstandingBlockWithDamagedTail_raisesC4_51ThenLeak() {
        PoolTrack pool = pool(VerifierFlags.POOL_TRACKING, SpecialPoolSettings.defaults(), Response.LOG);
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 40, NORM);
        raw(s.address(), 41).set(ValueLayout.JAVA_BYTE, 40, (byte) 0x41);

        a.unload();

        List<Violation> v = pool.violations();
        assertThat(v).extracting(Violation::bucket).containsExactly("0xc4_51", "0xc4_62");
        assertThat(v.get(0).arg(2).value()).isEqualTo(s.address());
        assertThat(v.get(0).arg(3).value()).isEqualTo(s.address() + 40);
    }

    // ---------------------------------------------------------------- special pool

    @Test
    void allocate_verifiedWithFlag1_ownPageEndingAtGuardAndCounted() throws IOException {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults());
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 100, OVR);
        s.fill((byte) 7);

        long inPage = s.address() & 4095;
        assertThat(s.address() % 16).isZero();
        assertThat(inPage + 100).isBetween(4096L - 15, 4096L); // ends at the guard page, 16-byte aligned
        GlobalCounters g = pool.snapshot().global();
        assertThat(g.allocationsSucceededSpecialPool()).isEqualTo(1);
        assertThat(g.allocationsSucceeded()).isEqualTo(1);
        assertThat(pool.snapshot().driver("a").nonPagedPoolUsageInBytes()).isEqualTo(100);

        SpecialPoolTable table = SpecialPoolTable.read(tableFile());
        SpecialPoolTable.Slot slot = table.slotAt(s.address()).orElseThrow();
        assertThat(slot.state()).isEqualTo(SpecialPoolTable.LIVE);
        assertThat(slot.address()).isEqualTo(s.address());
        assertThat(slot.size()).isEqualTo(100);
        assertThat(slot.tag()).isEqualTo(OVR.value());
        assertThat(slot.driver()).isEqualTo("a");
        assertThat(slot.callSite()).contains("SpecialPoolTest.allocate_verifiedWithFlag1");
        assertThat(slot.guardPage()).isEqualTo(slot.pageStart() + 4096);
        assertThat(table.pid()).isEqualTo(ProcessHandle.current().pid());

        a.free(s, OVR);
        assertThat(pool.violations()).isEmpty();
        assertThat(SpecialPoolTable.read(tableFile())
                        .slotAt(s.address())
                        .orElseThrow()
                        .state())
                .isEqualTo(SpecialPoolTable.FREED);
        assertThat(pool.snapshot().tag(OVR).nonPagedFrees()).isEqualTo(1);
    }

    @Test
    void allocate_verifyStart_bufferAtPageStartGuardBefore() throws IOException {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults().withVerifyStart(true));
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 100, OVR);
        assertThat(s.address() & 4095).isZero();
        SpecialPoolTable.Slot slot =
                SpecialPoolTable.read(tableFile()).slotAt(s.address()).orElseThrow();
        assertThat(slot.guardPage()).isEqualTo(s.address() - 4096);

        raw(s.address(), 4096).set(ValueLayout.JAVA_BYTE, 100, (byte) 0); // overrun into the pattern
        Violation v = thrown(() -> a.free(s, OVR));
        assertThat(v.bucket()).isEqualTo("0xc1_24");
        assertThat(v.arg(1).value()).isEqualTo(s.address());
        assertThat(v.arg(2).value()).isEqualTo(s.address() + 100);
    }

    @Test
    void free_writeIntoSlackAfterEnd_raisesC1_24() {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults());
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 100, OVR); // 12 bytes of pattern before the guard
        raw(s.address(), 112).fill((byte) 0x00);

        Violation v = thrown(() -> a.free(s, OVR));

        assertThat(v.code()).isEqualTo(BugCheck.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION);
        assertThat(v.bucket()).isEqualTo("0xc1_24");
        assertThat(v.arg(4).value()).isEqualTo(0x24);
        assertThat(v.arg(2).value()).isEqualTo(s.address() + 100);
        assertThat(pool.snapshot().driver("a").currentAllocations()).isZero();
    }

    @Test
    void free_writeBeforeStartInPage_raisesC1_23() {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults());
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 64, OVR);
        raw(s.address() - 8, 8).fill((byte) 0x00);

        Violation v = thrown(() -> a.free(s, OVR));

        assertThat(v.bucket()).isEqualTo("0xc1_23");
        assertThat(v.arg(2).value()).isEqualTo(s.address() - 8);
    }

    @Test
    void free_oneBitFlippedNearBuffer_raisesC1_32() {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults());
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 64, OVR);
        MemorySegment before = raw(s.address() - 1, 1);
        before.set(ValueLayout.JAVA_BYTE, 0, (byte) (before.get(ValueLayout.JAVA_BYTE, 0) ^ 0x10));

        assertThat(thrown(() -> a.free(s, OVR)).bucket()).isEqualTo("0xc1_32");
    }

    @Test
    void free_specialPoolBlockTwice_raisesC1_20() {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults());
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 64, OVR);
        a.free(s, OVR);

        Violation v = thrown(() -> a.free(s, OVR));

        assertThat(v.bucket()).isEqualTo("0xc1_20");
        assertThat(v.arg(1).value()).isEqualTo(s.address());
    }

    @Test
    void allocate_pageOrMore_notEligibleServedByNormalPool() {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults());
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 4096, OVR);
        s.fill((byte) 1);
        GlobalCounters g = pool.snapshot().global();
        assertThat(g.allocationsSucceeded()).isEqualTo(1);
        assertThat(g.allocationsSucceededSpecialPool()).isZero();
        a.free(s, OVR);
        assertThat(pool.violations()).isEmpty();
    }

    @Test
    void allocate_slotsExhausted_fallsBackToNormalPoolAndCountersShowIt() {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults().withSlots(2));
        Driver a = pool.load("a");
        MemorySegment[] s = new MemorySegment[3];
        for (int i = 0; i < 3; i++) {
            s[i] = a.allocate(PoolType.NON_PAGED, 32, OVR);
        }
        GlobalCounters g = pool.snapshot().global();
        assertThat(g.allocationsSucceeded()).isEqualTo(3);
        assertThat(g.allocationsSucceededSpecialPool()).isEqualTo(2);
        assertThat(QueryReport.text(pool.snapshot()))
                .contains("AllocationsSucceeded: 3\n")
                .contains("AllocationsSucceededSpecialPool: 2\n");
        assertThat(QueryReport.json(pool.snapshot())).contains("\"allocationsSucceededSpecialPool\": 2,");
        for (MemorySegment m : s) {
            a.free(m, OVR);
        }
        assertThat(pool.violations()).isEmpty();
        assertThat(pool.snapshot().driver("a").currentAllocations()).isZero();

        // freed slots are reused, oldest freed first, once no slot was never used
        MemorySegment again = a.allocate(PoolType.NON_PAGED, 32, OVR);
        assertThat(again.address() & ~4095L).isEqualTo(s[0].address() & ~4095L);
        assertThat(pool.snapshot().global().allocationsSucceededSpecialPool()).isEqualTo(3);
        a.free(again, OVR);
    }

    @Test
    void allocate_tagPattern_selectsMatchingTagsOfAnyDriver() {
        PoolTrack pool = pool(
                VerifierFlags.POOL_TRACKING,
                SpecialPoolSettings.defaults().withTag(TagPattern.parse("Ovr?")),
                Response.THROW);
        Driver a = pool.load("a");
        Driver other = pool.load("not-verified");
        MemorySegment s1 = a.allocate(PoolType.NON_PAGED, 32, OVR);
        MemorySegment s2 = other.allocate(PoolType.NON_PAGED, 32, Tag.of("Ovr2"));
        MemorySegment s3 = a.allocate(PoolType.NON_PAGED, 32, NORM);
        assertThat(pool.snapshot().global().allocationsSucceededSpecialPool()).isEqualTo(2);
        assertThat(s3.address() & 4095).isNotEqualTo(4096 - 32); // normal pool
        a.free(s1, OVR);
        other.free(s2, Tag.of("Ovr2"));
        a.free(s3, NORM);
        assertThat(pool.violations()).isEmpty();
    }

    @Test
    void allocate_sizeRange_selectsOnlySizesInRange() {
        PoolTrack pool =
                pool(VerifierFlags.POOL_TRACKING, SpecialPoolSettings.defaults().withSizeRange(1, 64), Response.THROW);
        Driver a = pool.load("a");
        MemorySegment in = a.allocate(PoolType.NON_PAGED, 64, NORM);
        MemorySegment out = a.allocate(PoolType.NON_PAGED, 65, NORM);
        assertThat(pool.snapshot().global().allocationsSucceededSpecialPool()).isEqualTo(1);
        assertThat(pool.snapshot().global().allocationsSucceeded()).isEqualTo(2);
        a.free(in, NORM);
        a.free(out, NORM);
    }

    @Test
    void allocate_flag1ForOtherDriver_notEligible() {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults());
        Driver b = pool.load("b");
        b.allocate(PoolType.NON_PAGED, 32, NORM);
        assertThat(pool.snapshot().global().allocationsSucceededSpecialPool()).isZero();
    }

    @Test
    void applyVolatile_turnsSpecialPoolOnAndOff_blocksFreedWhereverTheyCameFrom() {
        PoolTrack pool = pool(VerifierFlags.POOL_TRACKING, SpecialPoolSettings.defaults(), Response.THROW);
        Driver a = pool.load("a");
        MemorySegment before = a.allocate(PoolType.NON_PAGED, 32, OVR);

        pool.applyVolatile(pool.settings().withFlags(VerifierFlags.SPECIAL_POOL | VerifierFlags.POOL_TRACKING));
        MemorySegment special = a.allocate(PoolType.NON_PAGED, 32, OVR);
        assertThat(pool.snapshot().global().allocationsSucceededSpecialPool()).isEqualTo(1);

        pool.applyVolatile(pool.settings().withFlags(VerifierFlags.POOL_TRACKING));
        MemorySegment after = a.allocate(PoolType.NON_PAGED, 32, OVR);
        assertThat(pool.snapshot().global().allocationsSucceededSpecialPool()).isEqualTo(1);

        a.free(special, OVR);
        a.free(before, OVR);
        a.free(after, OVR);
        assertThat(pool.violations()).isEmpty();
        assertThat(pool.snapshot().driver("a").currentAllocations()).isZero();
        assertThat(pool.snapshot().tag(OVR).nonPagedBytes()).isZero();
    }

    // ---------------------------------------------------------------- settings

    @Test
    void settingsFile_specialPoolKeys_roundTrip() {
        VerifierSettings s = SettingsFile.parse(
                "t",
                List.of(
                        "flags=0x9",
                        "driver=a",
                        "specialPoolTag=Ovr*",
                        "specialPoolSize=1-64",
                        "specialPoolVerify=start",
                        "specialPoolSlots=16"));
        assertThat(s.specialPool()).isEqualTo(new SpecialPoolSettings(TagPattern.parse("Ovr*"), 1, 64, true, 16));
        assertThat(SettingsFile.parse("again", SettingsFile.format(s).lines().toList()))
                .isEqualTo(s);
    }

    @Test
    void settingsFile_badSizeRange_namesLineAndRange() {
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("flags=0x9", "specialPoolSize=100-10")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("v.conf:2: bad special pool size range '100-10': write MIN-MAX in bytes with"
                        + " 1 <= MIN <= MAX < 4096, for example 1-64");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("specialPoolSize=1-4096")))
                .hasMessageContaining("v.conf:1: bad special pool size range '1-4096'");
    }

    @Test
    void settingsFile_badTagPatternOrPlacement_namesLine() {
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("specialPoolTag=Leaky")))
                .hasMessageStartingWith("v.conf:1: bad tag pattern 'Leaky'");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("specialPoolVerify=middle")))
                .hasMessage("v.conf:1: bad special pool placement 'middle': use end (Verify End, 1) or start"
                        + " (Verify Start, 0)");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("specialPoolSlots=1")))
                .hasMessage("v.conf:1: bad special pool slot count 1: use 2 to 1048576 page pairs");
    }

    @Test
    void flags_specialPoolImplemented() {
        assertThat(VerifierFlags.requireImplemented(0x9)).isEqualTo(0x9);
    }

    @Test
    void table_truncatedOrForeign_refusedWithMessage() throws IOException {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults().withSlots(4));
        pool.load("a").allocate(PoolType.NON_PAGED, 8, OVR);
        Path table = tableFile();
        Path cut = dir.resolve("cut.slots");
        byte[] all = Files.readAllBytes(table);
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 10));
        assertThatThrownBy(() -> SpecialPoolTable.read(cut))
                .hasMessage("special pool table " + cut + " is truncated or damaged: " + (all.length - 10)
                        + " bytes where its header says " + all.length);
        Path foreign = dir.resolve("foreign.slots");
        Files.writeString(foreign, "hello, this is not a table at all, just text long enough to pass the header..");
        assertThatThrownBy(() -> SpecialPoolTable.read(foreign))
                .hasMessage("not a PoolTrack special pool table: " + foreign + " (it does not start with PTSPOOL1)");
    }

    Path tableFile() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> SpecialPoolTable.isTableOf(
                            p.getFileName().toString(), ProcessHandle.current().pid()))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void allocateWithQuota_servedBySpecialPool_chargesAndFreeReturnsTheCharge(boolean verifyStart) {
        PoolTrack pool = specialPool(SpecialPoolSettings.defaults().withVerifyStart(verifyStart));
        Driver a = pool.load("a");
        Tenant acme = Tenant.of("acme", 10_000);

        MemorySegment block = acme.call(() -> a.allocateWithQuota(PoolType.NON_PAGED, 100, OVR));
        assertThat(pool.snapshot().global().allocationsSucceededSpecialPool()).isEqualTo(1);
        assertThat(acme.quotaUsage()).isEqualTo(100);
        block.fill((byte) 7);
        a.free(block, OVR);

        assertThat(acme.quotaUsage()).isZero(); // no header to carry the charge: returned by address
        assertThat(pool.violations()).isEmpty(); // and the page around the block was left as it was
        assertThat(pool.snapshot().driver("a").currentAllocations()).isZero();
    }
}
