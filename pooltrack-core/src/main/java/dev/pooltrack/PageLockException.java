package dev.pooltrack;

/**
 * The system refused to lock pages ({@code mlock} failed), usually because the process reached
 * RLIMIT_MEMLOCK: the counterpart of the exception {@code MmProbeAndLockPages} raises. The message
 * names the limit and its value; nothing was left locked. Immutable.
 */
public final class PageLockException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int errno;
    private final long memlockLimit;

    /**
     * @param message what was refused and why
     * @param errno the errno {@code mlock} set
     * @param memlockLimit the soft RLIMIT_MEMLOCK in bytes, -1 for unlimited
     */
    public PageLockException(String message, int errno, long memlockLimit) {
        super(message);
        this.errno = errno;
        this.memlockLimit = memlockLimit;
    }

    /** The errno {@code mlock} set (12 ENOMEM, 1 EPERM), or 0 when Low Resources Simulation failed the lock. */
    public int errno() {
        return errno;
    }

    /** The soft RLIMIT_MEMLOCK in bytes when the lock was refused, -1 for unlimited. */
    public long memlockLimit() {
        return memlockLimit;
    }
}
