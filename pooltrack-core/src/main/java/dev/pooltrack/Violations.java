package dev.pooltrack;

import java.util.List;

/**
 * The rules' violations, built with Windows' codes and parameter meanings (reference §1.1, §1.2).
 * Stateless.
 */
final class Violations {

    /* JVM code runs at no IRQL; where Windows passes the current IRQL, PoolTrack passes 0
     * (PASSIVE_LEVEL). Where Windows passes a pointer to the driver's name, PoolTrack passes the name.
     * For 0x62, Arg3 is what !analyze calls the "verifier internal structure", reserved in the bug
     * check documentation: PoolTrack has none to point to and passes 0. */

    private Violations() {}

    static Violation leakAtUnload(String driver, long outstanding, List<OutstandingAllocation> leaked) {
        return c4(
                BugCheck.UNLOAD_WITH_OUTSTANDING_ALLOCATIONS,
                "A driver has forgotten to free its pool allocations prior to unloading.",
                Violation.Parameter.text(driver, "name of the driver having the issue."),
                Violation.Parameter.number(0, "verifier internal structure with driver information (none on the JVM)."),
                Violation.Parameter.number(outstanding, "total # of (paged+nonpaged) allocations that weren't freed."),
                driver,
                CallSite.UNKNOWN,
                leaked);
    }

    static Violation allocationDuringUnload(
            String driver, long pagedBytes, long nonPagedBytes, long outstanding, CallSite site) {
        return c4(
                BugCheck.ALLOCATION_DURING_UNLOAD,
                "A driver is allocating pool while it is unloading (or after it unloaded).",
                Violation.Parameter.number(pagedBytes, "bytes allocated from paged pool."),
                Violation.Parameter.number(nonPagedBytes, "bytes allocated from nonpaged pool."),
                Violation.Parameter.number(outstanding, "total # of (paged+nonpaged) allocations that weren't freed."),
                driver,
                site,
                List.of());
    }

    static Violation zeroByteAllocation(String driver, PoolType type, CallSite site) {
        return c4(
                BugCheck.ZERO_BYTE_ALLOCATION,
                "A driver has requested a zero-byte pool allocation.",
                Violation.Parameter.number(0, "current IRQL (0: Java code runs at PASSIVE_LEVEL)."),
                Violation.Parameter.number(type.code(), "pool type (0 nonpaged, 1 paged)."),
                Violation.Parameter.number(0, "number of bytes requested."),
                driver,
                site,
                List.of());
    }

    static Violation badFree(String driver, boolean verified, long address, CallSite site) {
        if (!verified) {
            return c2(
                    0x99,
                    "Attempt to free pool with invalid address (or corruption in pool header).",
                    Violation.Parameter.number(address, "address being freed."),
                    Violation.Parameter.number(0, "0"),
                    Violation.Parameter.number(0, "0"),
                    driver,
                    site);
        }
        return c4(
                BugCheck.FREE_OF_BAD_ADDRESS,
                "A driver is freeing an address that no pool allocation returned.",
                Violation.Parameter.number(address, "bad address."),
                Violation.Parameter.number(0, "0"),
                Violation.Parameter.number(0, "0"),
                driver,
                site,
                List.of());
    }

    static Violation doubleFree(String driver, boolean verified, long address, CallSite site) {
        if (!verified) {
            return c2(
                    0x07,
                    "Attempt to free pool which was already freed.",
                    Violation.Parameter.number(0, "reserved."),
                    Violation.Parameter.number(0, "pool header contents (not kept)."),
                    Violation.Parameter.number(address, "address of the block being freed."),
                    driver,
                    site);
        }
        return c4(
                BugCheck.DOUBLE_FREE,
                "A driver is freeing pool that was already freed.",
                Violation.Parameter.number(0, "reserved."),
                Violation.Parameter.number(address - PoolTrack.HEADER, "pointer to pool header."),
                Violation.Parameter.number(0, "pool header contents (the allocator reuses a freed header)."),
                driver,
                site,
                List.of());
    }

    static Violation wrongTag(String driver, long address, int allocatorTag, int freeTag, CallSite site) {
        return c2(
                BugCheck.FREE_WITH_WRONG_TAG,
                "Attempt to free pool with the wrong tag.",
                Violation.Parameter.number(address, "address of pool."),
                Violation.Parameter.number(
                        allocatorTag & 0xFFFF_FFFFL, "allocator's tag '" + text(allocatorTag) + "'."),
                Violation.Parameter.number(
                        freeTag & 0xFFFF_FFFFL, "tag being used in the attempted free '" + text(freeTag) + "'."),
                driver,
                site);
    }

    /* Overruns found without special pool (reference §1.1, §1.4): 0x51..0x54 and 0x59 all mean "freed
     * after writing outside the allocation" under Pool Tracking, and their parameters differ. 0x51 is
     * the one whose parameters PoolTrack has: the block's base, the first damaged byte past its end
     * (Windows' "address of the reference beyond the allocation") and the charged bytes. A damaged
     * pool header (a write before the block, or a neighbour's overrun) raises 0x53, the subcode whose
     * Arg3 is the header. Both advise Special Pool, which catches the write itself. */

    static Violation overrunAtFree(String driver, long address, long damaged, long bytes, CallSite site) {
        return c4(
                BugCheck.OVERRUN_FOUND_AT_FREE,
                "A driver has written past the end of its pool allocation (found when the block was checked)."
                        + " Enable Special Pool (verifier /flags 0x9 /driver " + driver
                        + ") to catch the write as it happens.",
                Violation.Parameter.number(address, "base address of the allocation."),
                Violation.Parameter.number(
                        damaged, "address of the reference beyond the allocation (first damaged byte)."),
                Violation.Parameter.number(bytes, "number of charged bytes."),
                driver,
                site,
                List.of());
    }

    static Violation headerDamagedAtFree(String driver, long address, long headerWord, CallSite site) {
        return c4(
                BugCheck.HEADER_DAMAGED_AT_FREE,
                "A driver has written before the start of its pool allocation, over the pool header (found when"
                        + " the block was freed). Enable Special Pool with Verify Start (verifier /flags 0x9 /driver "
                        + driver + ", specialPoolVerify=start) to catch the write as it happens.",
                Violation.Parameter.number(address, "base address of the allocation."),
                Violation.Parameter.number(address - PoolTrack.HEADER, "pool header address."),
                Violation.Parameter.number(headerWord, "first word of the damaged header."),
                driver,
                site,
                List.of());
    }

    /* 0xC1 carries its subcode in Arg4 (reference §1.2). */
    static Violation specialPoolCorruption(
            String driver, int subcode, long address, long arg2, long arg3, CallSite site) {
        String meaning = switch (subcode) {
            case 0x20 -> "free of special pool that was not allocated (or was freed already).";
            case 0x21, 0x22 -> "free of a bad special pool address.";
            case 0x23 -> "bytes before the allocation, in the same page, were overwritten.";
            case 0x24 -> "bytes after the end of the allocation were overwritten.";
            case 0x32 -> "a single bit was corrupted in the page around the allocation.";
            default -> "special pool corruption.";
        };
        String p2 = subcode == 0x21 || subcode == 0x22 ? "bytes requested." : "address where bits are corrupted.";
        String p3 = subcode == 0x21 || subcode == 0x22 ? "bytes calculated (actually given)." : "reserved.";
        return of(
                BugCheck.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION,
                Violation.Parameter.number(address, "address being freed."),
                Violation.Parameter.number(arg2, p2),
                Violation.Parameter.number(arg3, p3),
                Violation.Parameter.number(subcode, meaning),
                driver,
                site,
                List.of());
    }

    /* 0xCB's parameters follow the 2019 revision of the bug check page (reference §1.2, Appendix A
     * item 1), which names the locking caller: Arg1 the call that locked the pages, Arg2 that call's
     * caller, Arg3 the MDL, Arg4 the number of pages. The current page's Arg1 (an internal
     * lock-tracking structure) has no counterpart on the JVM. */
    static Violation lockedPagesLeft(String driver, String mdl, long pages, CallSite locker, CallSite lockerCaller) {
        return of(
                BugCheck.DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS,
                Violation.Parameter.text(locker.toString(), "the calling address in the driver that locked the pages."),
                Violation.Parameter.text(lockerCaller.toString(), "the caller of the routine that locked the pages."),
                Violation.Parameter.text(mdl, "MDL containing the locked pages."),
                Violation.Parameter.number(pages, "number of locked pages."),
                driver,
                locker,
                List.of());
    }

    static Violation quotaWithoutTenant(String driver, CallSite site) {
        return quota(
                BugCheck.QUOTA_CHARGED_TO_IDLE_PROCESS,
                "A driver charged pool quota with no tenant bound: on Windows, to the Idle process.",
                driver,
                site);
    }

    static Violation quotaFromDpc(String driver, CallSite site) {
        return quota(
                BugCheck.QUOTA_CHARGED_FROM_DPC,
                "A driver charged pool quota from a deferred callback (a DPC routine): the tenant is undefined there.",
                driver,
                site);
    }

    /* 0x10A and 0x10B carry no parameters besides the subcode (reference §1.1). */
    private static Violation quota(int subcode, String meaning, String driver, CallSite site) {
        Violation.Parameter zero = Violation.Parameter.number(0, "0");
        return c4(subcode, meaning, zero, zero, zero, driver, site, List.of());
    }

    private static String text(int tag) {
        try {
            return Tag.ofValue(tag).toString();
        } catch (IllegalArgumentException e) {
            return String.format("0x%08X", tag);
        }
    }

    private static Violation c2(
            int subcode,
            String meaning,
            Violation.Parameter p2,
            Violation.Parameter p3,
            Violation.Parameter p4,
            String driver,
            CallSite site) {
        return of(
                BugCheck.BAD_POOL_CALLER,
                Violation.Parameter.number(subcode, meaning),
                p2,
                p3,
                p4,
                driver,
                site,
                List.of());
    }

    private static Violation c4(
            int subcode,
            String meaning,
            Violation.Parameter p2,
            Violation.Parameter p3,
            Violation.Parameter p4,
            String driver,
            CallSite site,
            List<OutstandingAllocation> leaked) {
        return of(
                BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION,
                Violation.Parameter.number(subcode, meaning),
                p2,
                p3,
                p4,
                driver,
                site,
                leaked);
    }

    private static Violation of(
            int code,
            Violation.Parameter p1,
            Violation.Parameter p2,
            Violation.Parameter p3,
            Violation.Parameter p4,
            String driver,
            CallSite site,
            List<OutstandingAllocation> leaked) {
        return new Violation(
                code,
                BugCheck.name(code),
                List.of(p1, p2, p3, p4),
                driver,
                site,
                leaked,
                Thread.currentThread().getName(),
                System.currentTimeMillis());
    }
}
