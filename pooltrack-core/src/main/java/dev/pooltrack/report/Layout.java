package dev.pooltrack.report;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Column and text rules shared by the text reports: padding, the UTC time stamp, and the escaping of
 * names that come from users. Thread-safe (stateless).
 */
final class Layout {

    /* Driver names, thread names, call sites and pooltag.txt descriptions come from outside. A line
     * break or an escape sequence in one of them would break a table, fool a script that greps the
     * report, or forge a section marker in a report file, so every such string passes through
     * printable() before it reaches a text report. JSON escapes them itself. */

    private Layout() {}

    /** The text with each ISO control character replaced by a backslash-u escape with four hex digits. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                StringBuilder sb = new StringBuilder(s.length() + 8);
                for (int j = 0; j < s.length(); j++) {
                    char c = s.charAt(j);
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
                return sb.toString();
            }
        }
        return s;
    }

    /** The text right-aligned in {@code width} characters (never cut). */
    static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /** The number right-aligned in {@code width} characters (never cut). */
    static String right(long n, int width) {
        return right(Long.toString(n), width);
    }

    /** The text left-aligned in {@code width} characters (never cut). */
    static String left(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** The decimal width of a number, sign included. */
    static int width(long n) {
        return Long.toString(n).length();
    }

    /** {@code 0x} and at least eight upper-case hex digits: {@code 0x00001058}. */
    static String hex8(long n) {
        return String.format("0x%08X", n);
    }

    /** A time as {@code yyyy-MM-dd HH:mm:ss} in UTC. */
    static String utc(long timeMillis) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(timeMillis, 1000L), 0, ZoneOffset.UTC);
        return String.format(
                "%04d-%02d-%02d %02d:%02d:%02d",
                t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
    }

    /** A time as {@code yyyyMMdd-HHmmss} in UTC, for file names. */
    static String utcCompact(long timeMillis) {
        return utc(timeMillis).replace("-", "").replace(":", "").replace(' ', '-');
    }
}
