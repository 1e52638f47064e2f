package dev.pooltrack;

/**
 * What PoolTrack does when a driver breaks a rule: the counterpart of a bug check, of an exception
 * at the faulting call, and of a live dump (0x1C4).
 */
public enum Response {
    /**
     * Write the complete report file (the dump), then halt the JVM with the code's low byte as exit
     * status (0xC4 exits with 196).
     */
    CRASH,
    /** Throw {@link DriverVerifierError} from the call that broke the rule. */
    THROW,
    /** Count the violation, log it, keep it for the reports and go on. */
    LOG
}
