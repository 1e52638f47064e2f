package dev.pooltrack;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code verifier /flags} bits, with Windows' values, and which of them PoolTrack implements.
 *
 * <p>A flag value is refused unless every bit in it is implemented: a bit whose feature has not
 * landed yet gets a message saying so, and a bit with no counterpart on the JVM (IRQL, DMA, IRP
 * logging, ...) a message saying that. Thread-safe (stateless).
 */
public final class VerifierFlags {

    /* Values and names from "Driver Verifier Command Syntax" (reference §3.2). Bits 12 and 20 are
     * not assigned by Windows. /standard is 0x209BB on Windows; on the JVM it means the standard bits
     * that PoolTrack implements (see standardFlags). */

    /** Special Pool (bit 0). */
    public static final int SPECIAL_POOL = 0x1;
    /** Force IRQL Checking (bit 1). */
    public static final int FORCE_IRQL_CHECKING = 0x2;
    /** Low Resources Simulation (bit 2). */
    public static final int LOW_RESOURCES_SIMULATION = 0x4;
    /** Pool Tracking (bit 3). */
    public static final int POOL_TRACKING = 0x8;
    /** I/O Verification (bit 4). */
    public static final int IO_VERIFICATION = 0x10;
    /** Deadlock Detection (bit 5). */
    public static final int DEADLOCK_DETECTION = 0x20;
    /** Enhanced I/O Verification (bit 6). */
    public static final int ENHANCED_IO_VERIFICATION = 0x40;
    /** DMA Verification (bit 7). */
    public static final int DMA_VERIFICATION = 0x80;
    /** Security Checks (bit 8). */
    public static final int SECURITY_CHECKS = 0x100;
    /** Force Pending I/O Requests (bit 9). */
    public static final int FORCE_PENDING_IO_REQUESTS = 0x200;
    /** IRP Logging (bit 10). */
    public static final int IRP_LOGGING = 0x400;
    /** Miscellaneous Checks (bit 11). */
    public static final int MISCELLANEOUS_CHECKS = 0x800;
    /** Invariant MDL Checking for Stack (bit 13). */
    public static final int INVARIANT_MDL_CHECKING_FOR_STACK = 0x2000;
    /** Invariant MDL Checking for Driver (bit 14). */
    public static final int INVARIANT_MDL_CHECKING_FOR_DRIVER = 0x4000;
    /** Power Framework Delay Fuzzing (bit 15). */
    public static final int POWER_FRAMEWORK_DELAY_FUZZING = 0x8000;
    /** Port/miniport interface checking (bit 16). */
    public static final int PORT_MINIPORT_INTERFACE_CHECKING = 0x10000;
    /** DDI compliance checking (bit 17). */
    public static final int DDI_COMPLIANCE_CHECKING = 0x20000;
    /** Systematic low resources simulation (bit 18). */
    public static final int SYSTEMATIC_LOW_RESOURCES_SIMULATION = 0x40000;
    /** DDI compliance checking, additional (bit 19). */
    public static final int DDI_COMPLIANCE_CHECKING_ADDITIONAL = 0x80000;
    /** NDIS/WIFI verification (bit 21). */
    public static final int NDIS_WIFI_VERIFICATION = 0x200000;
    /** Kernel synchronization delay fuzzing (bit 23). */
    public static final int KERNEL_SYNCHRONIZATION_DELAY_FUZZING = 0x800000;
    /** VM switch verification (bit 24). */
    public static final int VM_SWITCH_VERIFICATION = 0x1000000;
    /** Code integrity checks (bit 25). */
    public static final int CODE_INTEGRITY_CHECKS = 0x2000000;

    /** Windows' standard flags, {@code /standard}: 0x209BB. */
    public static final int WINDOWS_STANDARD = 0x209BB;

    /** The bits this version of PoolTrack implements. */
    public static final int IMPLEMENTED =
            SPECIAL_POOL | POOL_TRACKING | LOW_RESOURCES_SIMULATION | SYSTEMATIC_LOW_RESOURCES_SIMULATION;

    /** The bits PoolTrack means to implement and has not yet. */
    public static final int PLANNED = 0;

    /** One flag bit: value, Windows' name, whether it is standard, and what PoolTrack does with it. */
    public record Flag(int value, String name, boolean standard) {
        /** Whether PoolTrack implements this bit now. */
        public boolean implemented() {
            return (IMPLEMENTED & value) != 0;
        }

        /** Whether the bit has no counterpart on the JVM. */
        public boolean notApplicable() {
            return ((IMPLEMENTED | PLANNED) & value) == 0;
        }
    }

    private static final List<Flag> ALL = List.of(
            new Flag(SPECIAL_POOL, "Special pool", true),
            new Flag(FORCE_IRQL_CHECKING, "Force IRQL checking", true),
            new Flag(LOW_RESOURCES_SIMULATION, "Randomized low resources simulation", false),
            new Flag(POOL_TRACKING, "Pool tracking", true),
            new Flag(IO_VERIFICATION, "I/O verification", true),
            new Flag(DEADLOCK_DETECTION, "Deadlock detection", true),
            new Flag(ENHANCED_IO_VERIFICATION, "Enhanced I/O verification", false),
            new Flag(DMA_VERIFICATION, "DMA checking", true),
            new Flag(SECURITY_CHECKS, "Security checks", true),
            new Flag(FORCE_PENDING_IO_REQUESTS, "Force pending I/O requests", false),
            new Flag(IRP_LOGGING, "IRP logging", false),
            new Flag(MISCELLANEOUS_CHECKS, "Miscellaneous checks", true),
            new Flag(INVARIANT_MDL_CHECKING_FOR_STACK, "Invariant MDL checking for stack", false),
            new Flag(INVARIANT_MDL_CHECKING_FOR_DRIVER, "Invariant MDL checking for driver", false),
            new Flag(POWER_FRAMEWORK_DELAY_FUZZING, "Power framework delay fuzzing", false),
            new Flag(PORT_MINIPORT_INTERFACE_CHECKING, "Port/miniport interface checking", false),
            new Flag(DDI_COMPLIANCE_CHECKING, "DDI compliance checking", true),
            new Flag(SYSTEMATIC_LOW_RESOURCES_SIMULATION, "Systematic low resources simulation", false),
            new Flag(DDI_COMPLIANCE_CHECKING_ADDITIONAL, "DDI compliance checking (additional)", false),
            new Flag(NDIS_WIFI_VERIFICATION, "NDIS/WIFI verification", false),
            new Flag(KERNEL_SYNCHRONIZATION_DELAY_FUZZING, "Kernel synchronization delay fuzzing", false),
            new Flag(VM_SWITCH_VERIFICATION, "VM switch verification", false),
            new Flag(CODE_INTEGRITY_CHECKS, "Code integrity checks", false));

    private VerifierFlags() {}

    /** Every flag bit Windows defines, lowest first. */
    public static List<Flag> all() {
        return ALL;
    }

    /** The standard flags as PoolTrack applies them: Windows' standard bits that PoolTrack implements. */
    public static int standardFlags() {
        return WINDOWS_STANDARD & IMPLEMENTED;
    }

    /**
     * Parses a flags value as {@code verifier} accepts it: decimal, {@code 0x} hex, {@code 0o}
     * octal or {@code 0b} binary.
     *
     * @throws IllegalArgumentException naming the text if it is not a number that fits in 32 bits
     */
    public static int parse(String text) {
        String t = text == null ? "" : text.strip();
        try {
            long v;
            if (t.startsWith("0x") || t.startsWith("0X")) {
                v = Long.parseLong(t.substring(2), 16);
            } else if (t.startsWith("0o") || t.startsWith("0O")) {
                v = Long.parseLong(t.substring(2), 8);
            } else if (t.startsWith("0b") || t.startsWith("0B")) {
                v = Long.parseLong(t.substring(2), 2);
            } else {
                v = Long.parseLong(t);
            }
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad flags value '" + text
                    + "': write a 32-bit number in decimal, 0x hex, 0o octal or 0b binary, for example 0x8");
        }
    }

    /**
     * Checks that PoolTrack implements every bit of {@code flags}.
     *
     * @return {@code flags}
     * @throws IllegalArgumentException naming each bit that is planned but not available yet, has no
     *     counterpart on the JVM, or is not a Windows flag at all
     */
    public static int requireImplemented(int flags) {
        List<String> problems = new ArrayList<>();
        int rest = flags & ~IMPLEMENTED;
        for (Flag f : ALL) {
            if ((rest & f.value()) != 0) {
                problems.add(String.format(
                        "0x%X (%s) %s",
                        f.value(),
                        f.name(),
                        f.notApplicable()
                                ? "has no counterpart on the JVM"
                                : "is not available in this version of PoolTrack yet"));
                rest &= ~f.value();
            }
        }
        if (rest != 0) {
            problems.add(String.format("0x%X is not a Driver Verifier flag", rest));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.format("flags 0x%X refused: ", flags)
                    + String.join("; ", problems)
                    + String.format(". Implemented: 0x%X (%s)", IMPLEMENTED, implementedNames()));
        }
        return flags;
    }

    private static String implementedNames() {
        List<String> names = new ArrayList<>();
        for (Flag f : ALL) {
            if (f.implemented()) {
                names.add(f.name());
            }
        }
        return String.join(", ", names);
    }

    /** The flag bit with the given value, or {@code null}. */
    public static Flag flag(int value) {
        for (Flag f : ALL) {
            if (f.value() == value) {
                return f;
            }
        }
        return null;
    }
}
