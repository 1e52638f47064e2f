package dev.pooltrack.internal;

import dev.pooltrack.PageLockException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pages pinned in memory with {@code mlock} and released with {@code munlock}, counted per page so
 * that ranges sharing a page lock it once and release it when the last of them is unlocked.
 *
 * <p>Thread-safe (one lock around the page counts; locking pages is not a hot path).
 */
@SuppressWarnings("restricted") // downcalls to the C library
public final class PageLocks {

    /* Linux does not count mlock calls: one munlock releases a page however many times it was
     * locked. Two MDLs can describe the same page (two small blocks of one page), so unlocking one
     * must not release the other's: PoolTrack keeps a count per page and calls mlock only for pages
     * going from 0 to 1 and munlock for pages going from 1 to 0, a run of neighbouring pages at a
     * time. mlock's errno comes through Linker.Option.captureCallState; ENOMEM and EPERM mean the
     * process hit RLIMIT_MEMLOCK (or lacks CAP_IPC_LOCK with a zero limit), read with getrlimit for
     * the message. A refused lock unlocks what the same call had locked, so nothing stays locked. */

    private static final int RLIMIT_MEMLOCK = 8; // Linux, all architectures PoolTrack runs on
    private static final int EPERM = 1;
    private static final int ENOMEM = 12;
    private static final int EAGAIN = 11;

    /* The downcall handles are made when pages are first locked, not when a pool is created, so that
     * a program that never locks pages needs no native access for them. */
    private static final class Libc {
        static final MethodHandle MLOCK;
        static final MethodHandle MUNLOCK;
        static final MethodHandle GETRLIMIT;
        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final long PAGE_SIZE;

        static {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            FunctionDescriptor range =
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
            MLOCK = linker.downcallHandle(libc.findOrThrow("mlock"), range, errno);
            MUNLOCK = linker.downcallHandle(libc.findOrThrow("munlock"), range, errno);
            GETRLIMIT = linker.downcallHandle(
                    libc.findOrThrow("getrlimit"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MethodHandle getpagesize =
                    linker.downcallHandle(libc.findOrThrow("getpagesize"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            try {
                PAGE_SIZE = (int) getpagesize.invokeExact();
            } catch (Throwable t) {
                throw new ExceptionInInitializerError(t);
            }
        }
    }

    private final Map<Long, Integer> counts = new HashMap<>();
    private long lockedBytes;

    /** The size of a page. */
    public static long pageSize() {
        return Libc.PAGE_SIZE;
    }

    /** The number of pages that {@code length} bytes at {@code address} touch. */
    public static long pageCount(long address, long length) {
        if (length <= 0) {
            return 0;
        }
        long first = address & -Libc.PAGE_SIZE;
        long end = (address + length + Libc.PAGE_SIZE - 1) & -Libc.PAGE_SIZE;
        return (end - first) / Libc.PAGE_SIZE;
    }

    /**
     * Locks the pages that {@code length} bytes at {@code address} touch.
     *
     * @throws PageLockException if the system refuses, naming RLIMIT_MEMLOCK and its value; the
     *     pages are then as they were before the call
     */
    public synchronized void lock(long address, long length) {
        long first = address & -Libc.PAGE_SIZE;
        long pages = pageCount(address, length);
        List<long[]> done = new ArrayList<>();
        long runStart = -1;
        for (long i = 0; i <= pages; i++) {
            long page = first + i * Libc.PAGE_SIZE;
            boolean fresh = i < pages && counts.getOrDefault(page, 0) == 0;
            if (fresh && runStart < 0) {
                runStart = page;
            } else if (!fresh && runStart >= 0) {
                int errno = call(Libc.MLOCK, runStart, page - runStart);
                if (errno != 0) {
                    for (long[] run : done) {
                        call(Libc.MUNLOCK, run[0], run[1]);
                    }
                    throw refused(errno, runStart, page - runStart, address, length);
                }
                done.add(new long[] {runStart, page - runStart});
                runStart = -1;
            }
        }
        for (long i = 0; i < pages; i++) {
            long page = first + i * Libc.PAGE_SIZE;
            if (counts.merge(page, 1, Integer::sum) == 1) {
                lockedBytes += Libc.PAGE_SIZE;
            }
        }
    }

    /** Unlocks what {@link #lock} locked for the same range. */
    public synchronized void unlock(long address, long length) {
        long first = address & -Libc.PAGE_SIZE;
        long pages = pageCount(address, length);
        long runStart = -1;
        for (long i = 0; i <= pages; i++) {
            long page = first + i * Libc.PAGE_SIZE;
            boolean last = false;
            if (i < pages) {
                Integer c = counts.get(page);
                if (c == null) {
                    throw new IllegalStateException(String.format("page 0x%x is not locked", page));
                }
                if (c == 1) {
                    counts.remove(page);
                    lockedBytes -= Libc.PAGE_SIZE;
                    last = true;
                } else {
                    counts.put(page, c - 1);
                }
            }
            if (last && runStart < 0) {
                runStart = page;
            } else if (!last && runStart >= 0) {
                call(Libc.MUNLOCK, runStart, page - runStart);
                runStart = -1;
            }
        }
    }

    /** The bytes of whole pages locked through this object now. */
    public synchronized long lockedBytes() {
        return lockedBytes;
    }

    /** RLIMIT_MEMLOCK as {@code getrlimit} returns it: {@code [soft, hard]}, -1 for unlimited. */
    public static long[] memlockLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8);
            int rc = (int) Libc.GETRLIMIT.invokeExact(RLIMIT_MEMLOCK, rlimit);
            if (rc != 0) {
                return new long[] {-2, -2};
            }
            return new long[] {rlimit.get(ValueLayout.JAVA_LONG, 0), rlimit.get(ValueLayout.JAVA_LONG, 8)};
        } catch (Throwable t) {
            throw new AssertionError("getrlimit downcall failed", t);
        }
    }

    private static int call(MethodHandle h, long address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int rc = (int) h.invokeExact(state, address, length);
            return rc == 0 ? 0 : (int) Libc.ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("mlock/munlock downcall failed", t);
        }
    }

    private PageLockException refused(int errno, long runStart, long runLength, long address, long length) {
        long[] limit = memlockLimit();
        String name = switch (errno) {
            case ENOMEM -> "ENOMEM";
            case EPERM -> "EPERM";
            case EAGAIN -> "EAGAIN";
            default -> "errno " + errno;
        };
        String why = errno == ENOMEM || errno == EPERM
                ? String.format(
                        "the process may lock at most RLIMIT_MEMLOCK = %s (soft; hard %s) without CAP_IPC_LOCK, and"
                                + " PoolTrack holds %d bytes locked already; raise the limit (ulimit -l, prlimit"
                                + " --memlock, LimitMEMLOCK= in a systemd unit) or lock fewer pages",
                        bytes(limit[0]), bytes(limit[1]), lockedBytes)
                : "the system could not lock the pages";
        return new PageLockException(
                String.format(
                        "mlock(0x%x, %d) refused with %s while locking %d bytes at 0x%x: %s. Nothing was locked.",
                        runStart, runLength, name, length, address, why),
                errno,
                limit[0]);
    }

    private static String bytes(long v) {
        return v == -1 ? "unlimited" : v + " bytes";
    }
}
