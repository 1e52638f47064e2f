package dev.pooltrack;

import java.io.Serial;

/**
 * Thrown by the call that broke a Driver Verifier rule when the response is {@link Response#THROW}.
 *
 * <p>An {@link Error}, as a bug check is not something the driver is meant to recover from.
 */
public final class DriverVerifierError extends Error {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Violation violation;

    /** An error for the given violation. */
    public DriverVerifierError(Violation violation) {
        super(violation.summary());
        this.violation = violation;
    }

    /** The violation. */
    public Violation violation() {
        return violation;
    }
}
