package dev.pooltrack;

import dev.pooltrack.internal.TagTable;

/**
 * A pool tag: one to four characters between 0x20 and 0x7E, held as the little-endian 32-bit value
 * Windows stores in the pool header.
 *
 * <p>The first character is the lowest byte, so the tag {@code Leak} is the value {@code 0x6B61654C}
 * and reads {@code Leak} in a memory dump. Tags shorter than four characters are padded with spaces,
 * as pooltag.txt writes them ({@code "Cc"} is {@code "Cc  "}). Instances are immutable and
 * thread-safe; equality is by value.
 */
public final class Tag implements Comparable<Tag> {

    /* Windows: ExAllocatePoolWithTag takes the tag as a ULONG whose bytes are ASCII 0x20..0x7E
     * (reference §8.1). A tag of 0 raises BAD_POOL_CALLER 0xC2/0x9B and the reserved tag "BIG"
     * 0xC2/0x9C, so both are refused here at construction. Untagged ExAllocatePool allocations are
     * shown by PoolMon under "None"; NONE is that tag. */

    /** The tag of allocations made without one; PoolMon shows them as {@code None}. */
    public static final Tag NONE = new Tag(pack("None"));

    private static final int BIG = pack("BIG ");

    private final int value;

    /* The counter index of this tag in the pool that last allocated under it (PoolTrack.tagIndex):
     * a cache that does not take part in equality. A plain field: a reader sees null, or a Cached
     * whose final fields are complete, and checks its table before using the index. */
    TagTable.Cached indexCache;

    private Tag(int value) {
        this.value = value;
    }

    /**
     * Returns the tag with the given text.
     *
     * @param text one to four characters 0x20..0x7E; shorter text is padded with spaces
     * @throws IllegalArgumentException if the text is empty, longer than four characters, has a
     *     character outside 0x20..0x7E, or is the reserved tag {@code BIG}
     */
    public static Tag of(String text) {
        if (text == null || text.isEmpty() || text.length() > 4) {
            throw new IllegalArgumentException(
                    "bad pool tag '" + printable(text) + "': a tag has 1 to 4 characters between 0x20 and 0x7E");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException("bad pool tag '" + printable(text) + "': character "
                        + String.format("0x%02X", (int) c) + " at position " + (i + 1)
                        + " is outside 0x20..0x7E");
            }
        }
        return ofValue(pack(text));
    }

    /**
     * Returns the tag with the given little-endian value, as Windows stores it.
     *
     * @throws IllegalArgumentException if the value is 0 (bug check 0xC2/0x9B on Windows), is the
     *     reserved tag {@code BIG} (0xC2/0x9C), or has a byte outside 0x20..0x7E
     */
    public static Tag ofValue(int value) {
        if (value == 0) {
            throw new IllegalArgumentException(
                    "bad pool tag 0x00000000: tag 0 cannot be tracked (Windows raises BAD_POOL_CALLER 0xC2/0x9B)");
        }
        if (value == BIG) {
            throw new IllegalArgumentException(
                    "bad pool tag 'BIG': the tag is reserved for big-page allocations (Windows raises BAD_POOL_CALLER 0xC2/0x9C)");
        }
        for (int shift = 0; shift < 32; shift += 8) {
            int b = (value >>> shift) & 0xFF;
            if (b < 0x20 || b > 0x7E) {
                throw new IllegalArgumentException(String.format(
                        "bad pool tag 0x%08X: byte %d is 0x%02X, outside 0x20..0x7E", value, shift / 8 + 1, b));
            }
        }
        return value == NONE.value ? NONE : new Tag(value);
    }

    /**
     * Parses a tag written as text ({@code Leak}) or as a hexadecimal value ({@code 0x6B61654C}).
     *
     * <p>As in {@code !poolfind}, only a lower-case {@code 0x} prefix followed by one to eight hex
     * digits means a value; anything else is text.
     *
     * @throws IllegalArgumentException as {@link #of(String)} and {@link #ofValue(int)}
     */
    public static Tag parse(String text) {
        if (text != null && text.length() > 2 && text.length() <= 10 && text.startsWith("0x")) {
            String digits = text.substring(2);
            if (digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return ofValue(Integer.parseUnsignedInt(digits, 16));
            }
        }
        return of(text);
    }

    /** The little-endian 32-bit value, as stored in the pool header. */
    public int value() {
        return value;
    }

    /** The four characters, first byte first, with padding spaces kept. */
    public String text() {
        char[] chars = new char[4];
        for (int i = 0; i < 4; i++) {
            chars[i] = (char) ((value >>> (8 * i)) & 0xFF);
        }
        return new String(chars);
    }

    /** The value as Windows tools print it, for example {@code 0x6B61654C}. */
    public String hex() {
        return String.format("0x%08X", value);
    }

    /** The text as a memory dump shows the bytes of a C character literal: {@code 'Fred'} reads {@code derF}. */
    public String reversed() {
        return new StringBuilder(text()).reverse().toString();
    }

    /** Compares by text, the order of {@code !poolused} sorted by tag. */
    @Override
    public int compareTo(Tag other) {
        return text().compareTo(other.text());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tag t && t.value == value;
    }

    @Override
    public int hashCode() {
        return value;
    }

    /** The four characters with trailing padding removed, for example {@code Leak} or {@code Cc}. */
    @Override
    public String toString() {
        return text().stripTrailing();
    }

    static int pack(String text) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int c = i < text.length() ? text.charAt(i) : ' ';
            v |= (c & 0xFF) << (8 * i);
        }
        return v;
    }

    private static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c < 0x20 || c > 0x7E) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
