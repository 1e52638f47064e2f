package dev.pooltrack.cli;

/** The exit statuses of {@code pooltrack}, those of {@code verifier.exe}. */
final class ExitStatus {

    /* verifier.exe returns EXIT_CODE_SUCCESS 0, EXIT_CODE_ERROR 1 and EXIT_CODE_REBOOT_NEEDED 2
     * (reference §3.1). picocli's own default for bad input is 2, which here would read as "restart
     * needed", so PoolTrackCommand maps bad input to ERROR. */

    /** 0: the command did what was asked. */
    static final int SUCCESS = 0;

    /** 1: bad input, or the command failed. */
    static final int ERROR = 1;

    /** 2: the settings were saved and apply when the JVM next starts (Windows: reboot needed). */
    static final int RESTART_NEEDED = 2;

    private ExitStatus() {}
}
