package dev.pooltrack.cli.findtagfixture;

import java.util.function.Supplier;

/** Uses the tag Leak in every form findtag looks for; each use sits on its own line. */
public final class Tagged {

    /** A static final String: its ConstantValue, and each use folded into an LDC. */
    public static final String LEAK = "Leak";

    /** A static final int holding the little-endian value of Leak. */
    public static final int LEAK_VALUE = 0x6B61654C;

    private Tagged() {}

    /** An LDC of the string at offset 0. */
    public static String tag() {
        return "Leak";
    }

    /** String concatenation: an invokedynamic recipe "Leak\u0001". */
    public static String label(int n) {
        return "Leak" + n;
    }

    /** An int built by hand: the LDC of 0x6B61654C after a switch. */
    public static int packed(int k) {
        switch (k) {
            case 1:
                return 1;
            case 1000:
                return 2;
            default:
                return 0x6B61654C;
        }
    }

    /** The same text in a lambda's body. */
    public static Supplier<String> lazily() {
        return () -> "Leak";
    }

    /** A tag that only starts with the same letters is not the tag. */
    public static String other() {
        return "Leaky";
    }
}
