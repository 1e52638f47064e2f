package dev.pooltrack;

/** Where a driver is in its life, with the names Driver Verifier Manager shows. */
public enum DriverStatus {
    /** Loaded now. */
    LOADED("Loaded"),
    /** Being unloaded: its unload check runs, and allocating now is a violation (0xC4/0x61). */
    UNLOADING("Unloading"),
    /** Was loaded since the JVM started, and is not now. */
    UNLOADED("Unloaded"),
    /** Named in the settings but never loaded. */
    NEVER_LOADED("Never Loaded");

    private final String displayName;

    DriverStatus(String displayName) {
        this.displayName = displayName;
    }

    /** The name as Windows prints it: {@code Loaded}, {@code Unloaded}, {@code Never Loaded}. */
    public String displayName() {
        return displayName;
    }
}
