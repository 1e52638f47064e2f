package dev.pooltrack;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One I/O operation of a driver, with the MDLs of its buffers: the counterpart of an IRP, from
 * {@code IoAllocateIrp} to {@code IoCompleteRequest}. Thread-safe.
 *
 * <p>{@link #complete()} ends the operation. Pages of its MDLs still locked then are unlocked, and
 * when the driver is verified with Pool Tracking each such MDL raises 0xC4-style bug check 0xCB
 * DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS naming the MDL, its page count and the call that locked it.
 *
 * {@snippet lang = java :
 * try (IoRequest read = IoRequest.start(driver, "read")) {
 *     Mdl mdl = read.allocateMdl(buffer);
 *     mdl.lockPages();
 *     device.read(buffer);
 *     mdl.unlockPages();
 * } // complete(): 0xCB if the pages were still locked
 * }
 */
public final class IoRequest implements AutoCloseable {

    /* On Windows the I/O manager unlocks and frees Irp->MdlAddress when a request completes; pages a
     * driver locked for the request and left locked outlive it, and at process exit Windows raises
     * 0xCB (with TrackLockedPages, which Pool Tracking turns on, reference §1.2). Completion is the
     * JVM's natural point to check: the operation is over, so nothing may still need the pages. The
     * pages are unlocked before the violation is raised, so no response leaves memory pinned. */

    private final Driver driver;
    private final String operation;
    private final List<Mdl> mdls = new ArrayList<>();
    private boolean completed;

    private IoRequest(Driver driver, String operation) {
        this.driver = driver;
        this.operation = operation;
    }

    /**
     * Starts an operation of {@code driver}.
     *
     * @param operation what the operation is, for messages ({@code read}, {@code write})
     */
    public static IoRequest start(Driver driver, String operation) {
        return new IoRequest(Objects.requireNonNull(driver, "driver"), Objects.requireNonNull(operation, "operation"));
    }

    /**
     * An MDL for one of the operation's buffers, checked when the operation completes.
     *
     * @throws IllegalStateException if the operation has completed
     */
    public synchronized Mdl allocateMdl(MemorySegment buffer) {
        if (completed) {
            throw new IllegalStateException(this + " has completed");
        }
        Mdl mdl = new Mdl(driver, this, buffer);
        mdls.add(mdl);
        return mdl;
    }

    /**
     * Completes the operation: {@code IoCompleteRequest}. Unlocks pages its MDLs left locked and,
     * for a driver verified with Pool Tracking, raises 0xCB for each such MDL. Completing twice does
     * nothing the second time.
     *
     * @throws DriverVerifierError for 0xCB when the response is {@link Response#THROW}
     */
    public void complete() {
        List<Violation> left = new ArrayList<>();
        synchronized (this) {
            if (completed) {
                return;
            }
            completed = true;
            for (Mdl m : mdls) {
                Violation v = m.unlockLeft();
                if (v != null) {
                    left.add(v);
                }
            }
        }
        for (Violation v : left) {
            driver.pool.raise(v);
        }
    }

    /** {@link #complete()}. */
    @Override
    public void close() {
        complete();
    }

    @Override
    public String toString() {
        return operation + " request of " + driver.name;
    }
}
