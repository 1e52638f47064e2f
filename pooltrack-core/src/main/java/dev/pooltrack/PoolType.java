package dev.pooltrack;

/**
 * The pool an allocation is charged to, with Windows' {@code POOL_TYPE} codes.
 *
 * <p>{@link #NON_PAGED} is anonymous native memory (malloc, direct buffers, native segments);
 * {@link #PAGED} is memory the operating system pages in and out from a file (mapped buffers and
 * segments). Allocations through PoolTrack's API come from the C allocator in both cases: the type
 * is the pool they are charged to, as in the tables and counters.
 */
public enum PoolType {
    /** NonPagedPool, code 0. */
    NON_PAGED(0, "Nonp"),
    /** PagedPool, code 1. */
    PAGED(1, "Paged");

    private final int code;
    private final String poolmonName;

    PoolType(int code, String poolmonName) {
        this.code = code;
        this.poolmonName = poolmonName;
    }

    /** The {@code POOL_TYPE} value: 0 for nonpaged, 1 for paged (the value bug check parameters carry). */
    public int code() {
        return code;
    }

    /** The name in PoolMon's Type column: {@code Nonp} or {@code Paged}. */
    public String poolmonName() {
        return poolmonName;
    }

    /**
     * Returns the pool type with the given code.
     *
     * @throws IllegalArgumentException for any code other than 0 and 1
     */
    public static PoolType ofCode(int code) {
        return switch (code) {
            case 0 -> NON_PAGED;
            case 1 -> PAGED;
            default ->
                throw new IllegalArgumentException("bad pool type " + code + ": 0 is NonPagedPool, 1 is PagedPool");
        };
    }
}
