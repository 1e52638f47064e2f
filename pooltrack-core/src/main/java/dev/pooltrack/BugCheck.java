package dev.pooltrack;

/** The bug check codes PoolTrack raises, with Windows' values and names. */
public final class BugCheck {
    /** 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION: Driver Verifier's general code; Arg1 is the subcode. */
    public static final int DRIVER_VERIFIER_DETECTED_VIOLATION = 0xC4;
    /** 0xC2 BAD_POOL_CALLER: a bad pool request; Arg1 is the subcode (0x0A: free with the wrong tag). */
    public static final int BAD_POOL_CALLER = 0xC2;
    /** 0xC1 SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION; Arg4 is the subcode. */
    public static final int SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION = 0xC1;
    /** 0xCB DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS: pages a driver locked are still locked. */
    public static final int DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS = 0xCB;

    /** 0xD5 DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL: a driver touched a freed special pool page. */
    public static final int DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL = 0xD5;
    /** 0xD6 DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION: a driver touched the guard page of its special pool block. */
    public static final int DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION = 0xD6;

    /** 0xC4 subcode: zero-byte allocation requested. */
    public static final int ZERO_BYTE_ALLOCATION = 0x00;
    /** 0xC4 subcode: free of an address no allocation returned. */
    public static final int FREE_OF_BAD_ADDRESS = 0x10;
    /** 0xC4 subcode: free of pool that was already freed. */
    public static final int DOUBLE_FREE = 0x13;
    /** 0xC4 subcode: a driver allocates while it is unloading. */
    public static final int ALLOCATION_DURING_UNLOAD = 0x61;
    /** 0xC4 subcode: a driver unloads without freeing its pool. */
    public static final int UNLOAD_WITH_OUTSTANDING_ALLOCATIONS = 0x62;
    /** 0xC4 subcode: a block freed (or checked at unload) after its driver wrote past its end. */
    public static final int OVERRUN_FOUND_AT_FREE = 0x51;
    /** 0xC4 subcode: a block freed whose pool header was overwritten (a write before its start). */
    public static final int HEADER_DAMAGED_AT_FREE = 0x53;
    /** 0xC4 subcode: pool quota charged with no process (Windows: the Idle process). */
    public static final int QUOTA_CHARGED_TO_IDLE_PROCESS = 0x10A;
    /** 0xC4 subcode: pool quota charged from a deferred callback (Windows: a DPC routine). */
    public static final int QUOTA_CHARGED_FROM_DPC = 0x10B;
    /** 0xC2 subcode: free with a tag other than the allocation's. */
    public static final int FREE_WITH_WRONG_TAG = 0x0A;

    private BugCheck() {}

    /** Windows' name of a bug check code, or {@code UNKNOWN_BUGCHECK} for a code PoolTrack never raises. */
    public static String name(int code) {
        return switch (code) {
            case DRIVER_VERIFIER_DETECTED_VIOLATION -> "DRIVER_VERIFIER_DETECTED_VIOLATION";
            case BAD_POOL_CALLER -> "BAD_POOL_CALLER";
            case SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION -> "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION";
            case DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL -> "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL";
            case DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION -> "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION";
            case DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS -> "DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS";
            default -> "UNKNOWN_BUGCHECK";
        };
    }
}
