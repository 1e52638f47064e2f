package dev.pooltrack;

import java.util.List;

/**
 * A rule broken by a driver: a bug check code with its four parameters, as Driver Verifier raises it.
 *
 * <p>Where Windows passes a pointer (the driver's name, the caller), the parameter carries text.
 * For 0xC4/0x62 the leaked allocations come with the violation, so a report is complete even when
 * the JVM halts right after. Immutable and thread-safe.
 *
 * @param code the bug check code, for example 0xC4
 * @param name the bug check name, for example {@code DRIVER_VERIFIER_DETECTED_VIOLATION}
 * @param parameters the four parameters, Arg1 to Arg4
 * @param driver the driver at fault, or {@code null} if not known
 * @param callSite the call that broke the rule, or {@link CallSite#UNKNOWN}
 * @param leaked for a leak at unload, what was not freed; otherwise empty
 * @param threadName the thread that broke the rule
 * @param timeMillis when, in milliseconds since the epoch
 */
public record Violation(
        int code,
        String name,
        List<Parameter> parameters,
        String driver,
        CallSite callSite,
        List<OutstandingAllocation> leaked,
        String threadName,
        long timeMillis) {

    /** Copies the lists and checks that there are four parameters. */
    public Violation {
        parameters = List.copyOf(parameters);
        leaked = List.copyOf(leaked);
        if (parameters.size() != 4) {
            throw new IllegalArgumentException("a bug check has 4 parameters, not " + parameters.size());
        }
    }

    /**
     * One bug check parameter: a number, or text where Windows passes a pointer to a name.
     *
     * @param value the number (0 where the parameter is text)
     * @param text the text, or {@code null} for a plain number
     * @param meaning what the parameter means for this code, as {@code !analyze} explains it
     */
    public record Parameter(long value, String text, String meaning) {
        /** A numeric parameter. */
        public static Parameter number(long value, String meaning) {
            return new Parameter(value, null, meaning);
        }

        /** A parameter that names something (a driver, a call site). */
        public static Parameter text(String text, String meaning) {
            return new Parameter(0, text, meaning);
        }

        /** The value as {@code !analyze} prints it: 16 hex digits, or the text. */
        public String display() {
            return text != null ? text : String.format("%016x", value);
        }
    }

    /** Parameter {@code n}, counting from 1 as Arg1..Arg4. */
    public Parameter arg(int n) {
        return parameters.get(n - 1);
    }

    /**
     * The subcode: Arg1 for 0xC4 and 0xC2, Arg4 for 0xC1, else 0.
     */
    public long subcode() {
        return switch (code) {
            case BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION, BugCheck.BAD_POOL_CALLER -> arg(1).value();
            case BugCheck.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION -> arg(4).value();
            default -> 0;
        };
    }

    /** The failure bucket as {@code !analyze} names it: {@code 0xc4_62}, or {@code 0xcb} for a code without subcodes. */
    public String bucket() {
        return switch (code) {
            case BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION,
                    BugCheck.BAD_POOL_CALLER,
                    BugCheck.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION -> String.format("0x%x_%x", code, subcode());
            default -> String.format("0x%x", code);
        };
    }

    /** One line: code, name, subcode and driver. */
    public String summary() {
        return String.format("%s (0x%X) %s%s", name, code, bucket(), driver == null ? "" : " in driver " + driver);
    }

    @Override
    public String toString() {
        return summary();
    }
}
