package dev.pooltrack;

import java.util.List;
import java.util.Locale;

/**
 * The sub-parameters of Low Resources Simulation, {@code verifier /faults [Probability] [PoolTags]
 * [Applications] [DelayMins]}: an immutable value.
 *
 * <p>They apply to the drivers verified with flag 0x4 (randomized: each allocation fails with the
 * probability) or 0x40000 (systematic: each new call stack fails once). A deliberately failed
 * allocation returns {@link java.lang.foreign.MemorySegment#NULL}, as {@code ExAllocatePoolWithTag}
 * returns NULL; a deliberately failed {@link Mdl#lockPages()} throws {@link PageLockException}, as
 * {@code MmProbeAndLockPages} raises. Both are counted in AllocationsFailedDeliberately ("Faults
 * Injected").
 *
 * @param probability chances in 10,000 that an allocation fails, 1 to 10,000 (Windows' default 600)
 * @param tags the pool tags whose allocations may fail, with {@code *} and {@code ?}; empty: any tag
 * @param applications the {@linkplain Tenant tenants} (the counterpart of processes) in whose context
 *     allocations may fail, compared without regard to case; empty: any, and also no tenant
 * @param delayMinutes the grace period after the driver loads during which nothing is failed
 * @param seed the seed of the random choices; the same seed and the same sequence of allocations
 *     fail the same allocations. 0: a seed chosen when the pool starts
 */
public record LowResourcesSimulation(
        int probability, List<TagPattern> tags, List<String> applications, long delayMinutes, long seed) {

    /* Reference §9. Windows' default grace period is 7 minutes in "Driver Verifier Command Syntax"
     * and 8 in "Low Resources Simulation" (Appendix A item 4): PoolTrack takes 7, the value of the
     * command syntax page whose /faults it reproduces. Windows counts the delay from boot; a JVM has
     * no boot, and drivers load at any time, so it counts from the driver's latest load. The
     * Applications parameter names the processes whose context may see failures: on the JVM the
     * counterpart of a process is the tenant bound to the thread (Tenant.run). */

    /** Windows' default probability: 600 in 10,000 (6%). */
    public static final int DEFAULT_PROBABILITY = 600;

    /** The default grace period, in minutes. */
    public static final long DEFAULT_DELAY_MINUTES = 7;

    /** Validates the values and copies the lists. */
    public LowResourcesSimulation {
        if (probability < 1 || probability > 10_000) {
            throw new IllegalArgumentException(badProbability(Integer.toString(probability)));
        }
        if (delayMinutes < 0) {
            throw new IllegalArgumentException("bad fault injection delay " + delayMinutes
                    + ": give the minutes of grace after a driver loads, 0 or more");
        }
        tags = List.copyOf(tags);
        applications = List.copyOf(applications);
        for (String a : applications) {
            if (a.isBlank()) {
                throw new IllegalArgumentException("empty application (tenant) name in the fault injection settings");
            }
        }
    }

    /** Windows' defaults: 600 in 10,000, any tag, any application, a 7-minute delay, a seed chosen at start. */
    public static LowResourcesSimulation defaults() {
        return new LowResourcesSimulation(DEFAULT_PROBABILITY, List.of(), List.of(), DEFAULT_DELAY_MINUTES, 0);
    }

    /** This simulation with another probability. */
    public LowResourcesSimulation withProbability(int newProbability) {
        return new LowResourcesSimulation(newProbability, tags, applications, delayMinutes, seed);
    }

    /** This simulation failing only allocations whose tag matches one of {@code patterns}. */
    public LowResourcesSimulation withTags(List<TagPattern> patterns) {
        return new LowResourcesSimulation(probability, patterns, applications, delayMinutes, seed);
    }

    /** This simulation failing allocations only in the named tenants. */
    public LowResourcesSimulation withApplications(List<String> names) {
        return new LowResourcesSimulation(probability, tags, names, delayMinutes, seed);
    }

    /** This simulation with another grace period. */
    public LowResourcesSimulation withDelayMinutes(long minutes) {
        return new LowResourcesSimulation(probability, tags, applications, minutes, seed);
    }

    /** This simulation with another seed. */
    public LowResourcesSimulation withSeed(long newSeed) {
        return new LowResourcesSimulation(probability, tags, applications, delayMinutes, newSeed);
    }

    /**
     * Whether an allocation under {@code tag} may fail; {@code null} stands for a request without a
     * tag (an MDL's page lock), which may fail only when no tags are given.
     */
    public boolean coversTag(Tag tag) {
        if (tags.isEmpty()) {
            return true;
        }
        if (tag == null) {
            return false;
        }
        for (TagPattern p : tags) {
            if (p.matches(tag)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an allocation in the context of {@code tenant} (null: none bound) may fail. */
    public boolean coversApplication(String tenant) {
        if (applications.isEmpty()) {
            return true;
        }
        if (tenant == null) {
            return false;
        }
        for (String a : applications) {
            if (a.equalsIgnoreCase(tenant)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses a probability as {@code /faults} takes it: chances in 10,000, decimal or {@code 0x} hex;
     * an empty text ({@code ""}, the placeholder) is the default 600.
     *
     * @throws IllegalArgumentException naming the text unless it is a number from 1 to 10,000
     */
    public static int parseProbability(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return DEFAULT_PROBABILITY;
        }
        long v;
        try {
            v = parseNumber(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(badProbability(text));
        }
        if (v < 1 || v > 10_000) {
            throw new IllegalArgumentException(badProbability(text));
        }
        return (int) v;
    }

    /**
     * Parses a grace period in minutes, decimal or {@code 0x} hex ({@code verifier /faults "" "" ""
     * 0xa}); an empty text is the default 7.
     *
     * @throws IllegalArgumentException naming the text unless it is a whole number from 0 up
     */
    public static long parseDelayMinutes(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return DEFAULT_DELAY_MINUTES;
        }
        try {
            long v = parseNumber(t);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the message below names the text
        }
        throw new IllegalArgumentException("bad fault injection delay '" + text
                + "': give the minutes of grace after a driver loads as a whole number, 0 or more (default "
                + DEFAULT_DELAY_MINUTES + ")");
    }

    /**
     * Parses a space-separated list of tag patterns ({@code "Tag1 Fr*"}); an empty text means any tag.
     *
     * @throws IllegalArgumentException naming the pattern that is not valid
     */
    public static List<TagPattern> parseTags(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return List.of();
        }
        return java.util.Arrays.stream(t.split("\\s+"))
                .map(p -> {
                    try {
                        return TagPattern.parse(p);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("bad fault injection pool tag: " + e.getMessage(), e);
                    }
                })
                .toList();
    }

    /** Parses a space-separated list of tenant names; an empty text means any. */
    public static List<String> parseApplications(String text) {
        String t = text == null ? "" : text.strip();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    private static long parseNumber(String t) {
        String lower = t.toLowerCase(Locale.ROOT);
        return lower.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
    }

    private static String badProbability(String text) {
        return "bad fault injection probability '" + text
                + "': give the chances in 10,000 that an allocation fails, from 1 to 10000 (default "
                + DEFAULT_PROBABILITY + ", that is 6%)";
    }
}
