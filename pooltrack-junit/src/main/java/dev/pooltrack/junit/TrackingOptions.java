package dev.pooltrack.junit;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.TagPattern;
import dev.pooltrack.VerifierFlags;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The options of one {@link PoolTracked} annotation, checked: what a test's driver is verified with
 * and which of its leaks count.
 *
 * <p>Immutable and thread-safe.
 *
 * @param flags the verifier flags, implemented and including Pool Tracking
 * @param ignoreTags the patterns of tags whose allocations are not counted as leaks
 * @param callSites whether allocations record their caller
 * @param scope what a driver spans
 */
record TrackingOptions(int flags, List<TagPattern> ignoreTags, boolean callSites, PoolTracked.Scope scope) {

    /** The options of a test that the extension runs without any {@code @PoolTracked} around it. */
    static final TrackingOptions DEFAULTS =
            new TrackingOptions(VerifierFlags.POOL_TRACKING, List.of(), true, PoolTracked.Scope.METHOD);

    TrackingOptions {
        ignoreTags = List.copyOf(ignoreTags);
    }

    /**
     * The options of {@code annotation}, found on {@code where}.
     *
     * @throws ExtensionConfigurationException naming the annotation's place and the bad option: flags
     *     that PoolTrack refuses or that leave out Pool Tracking, a bad tag pattern, or {@code scope =
     *     CLASS} on a method
     */
    static TrackingOptions of(PoolTracked annotation, AnnotatedElement where) {
        String place = "@PoolTracked on " + describe(where);
        int flags = annotation.flags();
        try {
            VerifierFlags.requireImplemented(flags);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(place + ": " + e.getMessage());
        }
        if ((flags & VerifierFlags.POOL_TRACKING) == 0) {
            throw new ExtensionConfigurationException(String.format(
                    "%s: flags 0x%X leave out 0x%X (Pool tracking): without it no allocation is recorded and no"
                            + " leak can be found",
                    place, flags, VerifierFlags.POOL_TRACKING));
        }
        List<TagPattern> patterns = new ArrayList<>();
        for (String text : annotation.ignoreTags()) {
            try {
                patterns.add(TagPattern.parse(text));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ExtensionConfigurationException(place + ": ignoreTags: " + e.getMessage());
            }
        }
        if (annotation.scope() == PoolTracked.Scope.CLASS && !(where instanceof Class<?>)) {
            throw new ExtensionConfigurationException(place
                    + ": scope = CLASS spans a whole class; put it on the class, or leave the method's scope METHOD");
        }
        return new TrackingOptions(flags, patterns, annotation.callSites(), annotation.scope());
    }

    /** Whether {@code allocation} counts as a leak: its tag matches none of {@link #ignoreTags}. */
    boolean counts(OutstandingAllocation allocation) {
        for (TagPattern p : ignoreTags) {
            if (p.matches(allocation.tag())) {
                return false;
            }
        }
        return true;
    }

    private static String describe(AnnotatedElement where) {
        if (where instanceof Class<?> c) {
            return c.getName();
        }
        if (where instanceof java.lang.reflect.Method m) {
            return m.getDeclaringClass().getName() + "#" + m.getName();
        }
        return String.valueOf(where);
    }
}
