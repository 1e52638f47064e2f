package dev.pooltrack;

import java.util.Locale;

/**
 * Which allocations special pool serves and how it places them: an immutable value.
 *
 * <p>The selectors apply at once when settings change ({@code /volatile}); the placement and the
 * capacity are read when special pool is first turned on in a pool, which reserves its address space
 * then and keeps it while the pool lives.
 *
 * <p>Special pool (verifier flag 0x1) gives each eligible allocation a page of its own with an
 * inaccessible guard page after it ({@linkplain #verifyStart() Verify End}, the default) or before it
 * (Verify Start). Eligible are the allocations of the drivers verified with flag 0x1 and, whatever the
 * flags, the allocations that the GFlags-style selectors pick: a {@linkplain #tag() tag pattern} or a
 * {@linkplain #minSize() size range}. Allocations of a page or more are never eligible.
 *
 * @param tag a tag pattern with {@code *} and {@code ?} (GFlags {@code /k +spp Tag}), or {@code null}
 * @param minSize the smallest size selected, with {@code maxSize}; both 0 when no size range is set
 * @param maxSize the largest size selected (inclusive); less than a page
 * @param verifyStart {@code true}: the buffer starts at its page and the guard page is before it
 *     (GFlags Verify Start, {@code PoolTagOverruns=0}); {@code false}: the buffer ends at its page's
 *     end, rounded down to 16 bytes, and the guard page follows it (Verify End, the default)
 * @param slots how many page pairs special pool reserves: its capacity, live and quarantined together
 */
public record SpecialPoolSettings(TagPattern tag, long minSize, long maxSize, boolean verifyStart, int slots) {

    /* Windows reads one PoolTag registry value: a tag (with wildcards) or, below PAGE_SIZE, a size
     * class 16 bytes wide on x64 (reference §2). PoolTrack keeps the two apart and takes the size as an
     * explicit MIN-MAX range, which says the same thing without the x86/x64 arithmetic. Special pool
     * cannot grow on Windows either: when its address space is used up, allocations go to normal pool
     * and only the counters show it; `slots` is that address space. */

    /** The page size special pool assumes for the settings' checks. */
    public static final long PAGE = 4096;

    /** The default number of slots: 4096 page pairs, 32 MiB of address space. */
    public static final int DEFAULT_SLOTS = 4096;

    private static final int MAX_SLOTS = 1 << 20;

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException if the size range is not {@code 1 <= minSize <= maxSize < 4096}
     *     (or both 0), or the slot count is not between 2 and 1048576
     */
    public SpecialPoolSettings {
        if (!(minSize == 0 && maxSize == 0) && (minSize < 1 || minSize > maxSize || maxSize >= PAGE)) {
            throw new IllegalArgumentException("bad special pool size range " + minSize + "-" + maxSize
                    + ": write MIN-MAX with 1 <= MIN <= MAX < " + PAGE
                    + " (allocations of a page or more never come from special pool)");
        }
        if (slots < 2 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException(
                    "bad special pool slot count " + slots + ": use 2 to " + MAX_SLOTS + " page pairs");
        }
    }

    /** No selector, Verify End, the default capacity. */
    public static SpecialPoolSettings defaults() {
        return new SpecialPoolSettings(null, 0, 0, false, DEFAULT_SLOTS);
    }

    /** Whether a tag pattern or a size range selects allocations whatever the driver. */
    public boolean selects() {
        return tag != null || maxSize != 0;
    }

    /** Whether the tag pattern or the size range picks an allocation. */
    public boolean selected(int tagValue, long bytes) {
        if (maxSize != 0 && bytes >= minSize && bytes <= maxSize) {
            return true;
        }
        return tag != null && tagValue != 0 && tag.matches(Tag.ofValue(tagValue));
    }

    /** These settings selecting by another tag pattern ({@code null}: none). */
    public SpecialPoolSettings withTag(TagPattern pattern) {
        return new SpecialPoolSettings(pattern, minSize, maxSize, verifyStart, slots);
    }

    /** These settings selecting by another size range ({@code 0, 0}: none). */
    public SpecialPoolSettings withSizeRange(long min, long max) {
        return new SpecialPoolSettings(tag, min, max, verifyStart, slots);
    }

    /** These settings with Verify Start ({@code true}) or Verify End. */
    public SpecialPoolSettings withVerifyStart(boolean start) {
        return new SpecialPoolSettings(tag, minSize, maxSize, start, slots);
    }

    /** These settings with another capacity. */
    public SpecialPoolSettings withSlots(int n) {
        return new SpecialPoolSettings(tag, minSize, maxSize, verifyStart, n);
    }

    /**
     * Parses a size range: {@code MIN-MAX} or one size {@code N} (meaning {@code N-N}), decimal or
     * {@code 0x} hex; {@code none} clears it.
     *
     * @return {@code {min, max}}
     * @throws IllegalArgumentException naming the text if it is not such a range, or not within 1..4095
     */
    public static long[] parseSizeRange(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase("none")) {
            return new long[] {0, 0};
        }
        int dash = t.indexOf('-', 1);
        try {
            long min = number(dash < 0 ? t : t.substring(0, dash));
            long max = dash < 0 ? min : number(t.substring(dash + 1));
            if (min < 1 || min > max || max >= PAGE) {
                throw new NumberFormatException();
            }
            return new long[] {min, max};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad special pool size range '" + text
                    + "': write MIN-MAX in bytes with 1 <= MIN <= MAX < " + PAGE + ", for example 1-64");
        }
    }

    /**
     * Parses Verify Start or Verify End: {@code start} or {@code end} (any case), or GFlags'
     * {@code PoolTagOverruns} value ({@code 0} start, {@code 1} end).
     *
     * @return {@code true} for Verify Start
     * @throws IllegalArgumentException naming the text for any other value
     */
    public static boolean parseVerify(String text) {
        return switch (text == null ? "" : text.strip().toLowerCase(Locale.ROOT)) {
            case "start", "0" -> true;
            case "end", "1" -> false;
            default ->
                throw new IllegalArgumentException("bad special pool placement '" + text
                        + "': use end (Verify End, 1) or start (Verify Start, 0)");
        };
    }

    /** The size range as the settings file writes it, {@code none} when not set. */
    public String sizeRangeText() {
        return maxSize == 0 ? "none" : minSize + "-" + maxSize;
    }

    private static long number(String s) {
        String t = s.strip();
        return t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
    }
}
