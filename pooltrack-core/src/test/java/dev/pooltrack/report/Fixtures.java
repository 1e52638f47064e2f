package dev.pooltrack.report;

import dev.pooltrack.BugCheck;
import dev.pooltrack.CallSite;
import dev.pooltrack.DriverCounters;
import dev.pooltrack.DriverStatus;
import dev.pooltrack.GlobalCounters;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.Violation;
import dev.pooltrack.Violation.Parameter;
import java.util.List;
import java.util.function.Function;

/**
 * Hand-built snapshots and violations for the report tests: a host JVM whose {@code storage-plugin}
 * was unloaded with three allocations outstanding, and whose {@code codec-plugin} is still loaded.
 * The per-tag counters are those of the NTDebugging Part 4 {@code !poolused} output and the PoolMon
 * sample row, so the goldens can be read against the Windows originals.
 */
final class Fixtures {

    /** 2025-06-01 12:00:00 UTC. */
    static final long TIME = 1_748_779_200_000L;

    static final CallSite READ_BLOCK =
            new CallSite("dev.pooltrack.examples.StorageDriver", "readBlock", "StorageDriver.java", 42, 17);
    static final CallSite WRITE_BLOCK =
            new CallSite("dev.pooltrack.examples.StorageDriver", "writeBlock", "StorageDriver.java", 77, 30);
    static final CallSite UNLOAD = new CallSite("dev.pooltrack.examples.Host", "unloadPlugin", "Host.java", 88, 5);
    static final CallSite RELEASE =
            new CallSite("dev.pooltrack.examples.CodecDriver", "release", "CodecDriver.java", 19, 2);

    private Fixtures() {}

    static TagUsage usage(
            String tag, long npAllocs, long npFrees, long npBytes, long pAllocs, long pFrees, long pBytes) {
        return new TagUsage(Tag.of(tag), npAllocs, npFrees, npBytes, pAllocs, pFrees, pBytes);
    }

    /** Tags in tag order, as PoolSnapshot documents. */
    static List<TagUsage> tags() {
        return List.of(
                usage("Cc", 0, 0, 0, 10, 10, 0),
                usage("Cdc1", 0, 0, 0, 5, 4, 256),
                usage("EtwB", 94, 0, 945136, 4, 0, 163840),
                usage("Lea2", 300, 43, 263168000, 0, 0, 0),
                usage("Leak", 5, 4, 1024000, 0, 0, 0),
                usage("Wait", 3971107, 3971077, 8456, 0, 0, 0),
                usage("nVsC", 700, 36, 1531552, 0, 0, 0),
                usage("netv", 5000, 631, 1172224, 3, 2, 144));
    }

    static DriverCounters storagePlugin() {
        return new DriverCounters(
                "storage-plugin", DriverStatus.UNLOADED, true, 1, 1, 0, 3, 0, 0x13, 0, 0x1058, 0, 0x4A4A0);
    }

    static DriverCounters codecPlugin() {
        return new DriverCounters("codec-plugin", DriverStatus.LOADED, true, 2, 1, 1, 0, 2, 0, 0x100, 0, 0x200, 0);
    }

    static DriverCounters app() {
        return new DriverCounters("app", DriverStatus.LOADED, false, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    static GlobalCounters global() {
        return new GlobalCounters(1234, 1230, 0, 0, 4, 0, 2, 1, 3, 2, 0x13, 0x100, 0x1058, 0x200, 0x4A4A0);
    }

    static PoolSnapshot snapshot() {
        return new PoolSnapshot(
                TIME, VerifierFlags.POOL_TRACKING, tags(), List.of(app(), storagePlugin(), codecPlugin()), global());
    }

    static OutstandingAllocation allocation(
            long address, long length, String tag, PoolType type, String driver, CallSite site) {
        return new OutstandingAllocation(address, length, Tag.of(tag), type, driver, site, 1, TIME - 60_000);
    }

    /** The storage plugin's three leaked allocations (0x1058 bytes, as in the Windows example) and the codec's one. */
    static List<OutstandingAllocation> outstanding() {
        return List.of(
                allocation(0x7f3a12345670L, 0x20, "Leak", PoolType.NON_PAGED, "storage-plugin", READ_BLOCK),
                allocation(0x7f3a20000010L, 0x100, "Cdc1", PoolType.PAGED, "codec-plugin", CallSite.UNKNOWN),
                allocation(0x7f3a1233f000L, 0x1008, "Lea2", PoolType.NON_PAGED, "storage-plugin", WRITE_BLOCK),
                allocation(0x7f3a12345a90L, 0x30, "Leak", PoolType.NON_PAGED, "storage-plugin", READ_BLOCK));
    }

    static List<OutstandingAllocation> storageLeaks() {
        return outstanding().stream()
                .filter(a -> a.driver().equals("storage-plugin"))
                .toList();
    }

    /** 0xC4/0x62: storage-plugin unloaded with three allocations outstanding. */
    static Violation leakAtUnload() {
        return new Violation(
                BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION,
                BugCheck.name(BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION),
                List.of(
                        Parameter.number(
                                0x62, "A driver has forgotten to free its pool allocations prior to unloading."),
                        Parameter.text("storage-plugin", "name of the driver having the issue."),
                        Parameter.number(0, "verifier internal structure with driver information."),
                        Parameter.number(3, "total # of (paged+nonpaged) allocations that weren't freed.")),
                "storage-plugin",
                UNLOAD,
                storageLeaks(),
                "main",
                TIME);
    }

    /** 0xC4/0x10: codec-plugin frees an address no allocation returned. */
    static Violation freeOfBadAddress() {
        return new Violation(
                BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION,
                BugCheck.name(BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION),
                List.of(
                        Parameter.number(0x10, "Attempt to free pool that was not allocated."),
                        Parameter.number(0x7f3a0000dea0L, "Address being freed."),
                        Parameter.number(0, "Reserved."),
                        Parameter.number(0, "Reserved.")),
                "codec-plugin",
                RELEASE,
                List.of(),
                "worker-1",
                TIME + 1_000);
    }

    /** 0xC2/0x0A: storage-plugin frees a 'Leak' allocation with the tag 'Lea2'. */
    static Violation freeWithWrongTag() {
        return new Violation(
                BugCheck.BAD_POOL_CALLER,
                BugCheck.name(BugCheck.BAD_POOL_CALLER),
                List.of(
                        Parameter.number(0x0A, "Attempt to free pool with an incorrect tag."),
                        Parameter.number(0x7f3a12345670L, "Address of the pool being freed."),
                        Parameter.number(Tag.of("Leak").value(), "Tag of the allocation ('Leak')."),
                        Parameter.number(Tag.of("Lea2").value(), "Tag used in the free ('Lea2').")),
                "storage-plugin",
                READ_BLOCK,
                List.of(),
                "pool-1-thread-3",
                TIME + 2_000);
    }

    /** pooltag.txt's answer for the fixture tags, as the CLI builds it. */
    static Function<Tag, String> describe() {
        return tag -> switch (tag.toString()) {
            case "EtwB" -> "Etw Buffer, Binary: nt!etw";
            case "Cc" -> "Cache Manager allocations (catch-all), Binary: nt!cc";
            default -> "UNKNOWN pooltag '" + tag + "', please update pooltag.txt";
        };
    }
}
