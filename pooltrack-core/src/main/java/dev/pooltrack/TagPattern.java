package dev.pooltrack;

import java.util.Objects;

/**
 * A pool tag pattern as {@code !poolused}, PoolMon {@code /i} and {@code /x} and pooltag.txt write
 * it: {@code Leak}, {@code Cc}, {@code Lea?}, {@code Aml*}.
 *
 * <p>A pattern is matched against the tag's four characters, padding spaces included, and is
 * case-sensitive. {@code ?} matches exactly one character (a padding space too) and {@code *}
 * matches any run of characters, including none. A pattern without {@code *} is padded with spaces
 * to four characters like a tag, so {@code Cc} matches the tag {@code Cc} (that is {@code "Cc  "})
 * and nothing else, and {@code Cc??} matches {@code CcBc} and also {@code Cc}. A pattern with
 * {@code *} is not padded: {@code Le*} matches {@code Leak}, {@code Le1} and {@code Le}. The
 * characters {@code ?} and {@code *} are always wildcards; there is no escape for a tag that
 * contains them.
 *
 * <p>Instances are immutable and thread-safe; equality is by {@link #text()}, so {@code Cc} equals
 * {@code "Cc  "} and {@code Le**} equals {@code Le*}.
 */
public final class TagPattern {

    /* Windows: !poolused takes a case-sensitive TagString where '*' matches any run and '?' one
     * character; without '*' it is a whole 4-character tag (reference §6.1). PoolMon /iTag and
     * /xTag take the same wildcards (§6.3), and pooltag.txt writes short tags space-padded and
     * wildcard tags such as Afd?, Aml*, CM?? in the tag column (§6.4). PoolMon refuses a pattern
     * that begins with '*'; that is a rule of its command line, not of patterns, so it is left to
     * the command-line parser. The reserved tag BIG is a valid pattern because pooltag.txt lists
     * it ("BIG  - nt!mm"); no Tag can be BIG, so it never matches.
     *
     * Matching reads the characters straight out of the tag's int value and uses the usual
     * greedy two-index wildcard match with one backtrack point: no regex, no allocation. Runs of
     * '*' are collapsed when parsing, so a pattern has at most four other characters and five
     * stars and the backtracking stays within a few dozen steps. */

    private static final int MAX_CHARACTERS = 4;

    private final String text;
    private final boolean literal;
    private final int literalValue;

    private TagPattern(String text, boolean literal) {
        this.text = text;
        this.literal = literal;
        this.literalValue = literal ? Tag.pack(text) : 0;
    }

    /**
     * Parses a pattern.
     *
     * <p>A pattern has at least one character; every character is between 0x20 and 0x7E; at most
     * four of them are not {@code *}. So {@code *} alone (every tag) and {@code *Leak*} are valid,
     * {@code Leaky} and {@code Leak?} are not.
     *
     * @param text the pattern, for example {@code Lea?}
     * @throws NullPointerException if text is null
     * @throws IllegalArgumentException if the text is empty, has a character outside 0x20..0x7E,
     *     or has more than four characters besides {@code *}; the message names the pattern and the
     *     problem
     */
    public static TagPattern parse(String text) {
        Objects.requireNonNull(text, "text");
        String problem = problem(text);
        if (problem != null) {
            throw new IllegalArgumentException("bad tag pattern '" + printable(text) + "': " + problem);
        }
        return compile(text);
    }

    /**
     * Tells whether the tag matches this pattern.
     *
     * @throws NullPointerException if tag is null
     */
    public boolean matches(Tag tag) {
        return matchesValue(tag.value());
    }

    /** Tells whether the pattern has no {@code ?} and no {@code *}, so it matches exactly one tag. */
    public boolean isLiteral() {
        return literal;
    }

    /**
     * The pattern as it is matched: runs of {@code *} collapsed to one, and padded with spaces to
     * four characters when it has no {@code *} ({@code "Cc  "}, {@code "Lea?"}, {@code "Le*"}).
     */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TagPattern p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /**
     * The pattern as a user writes it: {@link #text()} with the padding removed when it has no
     * {@code *} ({@code Cc}, {@code Lea?}, {@code Le*}). {@link #parse(String)} reads it back to an
     * equal pattern.
     */
    @Override
    public String toString() {
        return text.indexOf('*') < 0 ? text.stripTrailing() : text;
    }

    /** The literal tag's value as {@link Tag#value()} gives it; meaningful only when literal. */
    int literalValue() {
        return literalValue;
    }

    boolean matchesValue(int value) {
        if (literal) {
            return value == literalValue;
        }
        String p = text;
        int pi = 0;
        int ti = 0;
        int starAt = -1;
        int starTi = 0;
        while (ti < MAX_CHARACTERS) {
            if (pi < p.length() && p.charAt(pi) == '*') {
                starAt = pi++;
                starTi = ti;
            } else if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == charAt(value, ti))) {
                pi++;
                ti++;
            } else if (starAt >= 0) {
                pi = starAt + 1;
                ti = ++starTi;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    /** What is wrong with the text as a pattern, or null if nothing is. */
    static String problem(String text) {
        if (text.isEmpty()) {
            return "empty";
        }
        String bad = badCharacter(text);
        if (bad != null) {
            return bad;
        }
        int count = charactersBesidesStar(text);
        if (count > MAX_CHARACTERS) {
            return count + " characters besides '*', at most " + MAX_CHARACTERS;
        }
        return null;
    }

    /** Describes the first character outside 0x20..0x7E, or returns null if there is none. */
    static String badCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return String.format("character 0x%02X at position %d is outside 0x20..0x7E", (int) c, i + 1);
            }
        }
        return null;
    }

    static int charactersBesidesStar(String text) {
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) != '*') {
                count++;
            }
        }
        return count;
    }

    /** Builds the pattern from text that {@link #problem(String)} accepted. */
    static TagPattern compile(String text) {
        if (text.indexOf('*') < 0) {
            String padded = (text + "    ").substring(0, MAX_CHARACTERS);
            return new TagPattern(padded, padded.indexOf('?') < 0);
        }
        StringBuilder collapsed = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '*' || i == 0 || text.charAt(i - 1) != '*') {
                collapsed.append(c);
            }
        }
        return new TagPattern(collapsed.toString(), false);
    }

    /** The text with each character outside 0x20..0x7E written as a Java Unicode escape, for messages. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static char charAt(int value, int index) {
        return (char) ((value >>> (8 * index)) & 0xFF);
    }
}
