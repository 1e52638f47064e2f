package dev.pooltrack.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON writer and strict parser: the machine-readable twin of every report, and the reader
 * of report files.
 *
 * <p>Values are {@link Map} (string keys, written in iteration order), {@link List}, {@link String},
 * {@link Long} and the other integral boxes, {@link Double} and {@link Float} (finite only),
 * {@link Boolean} and {@code null}. Output is pretty-printed with a two-space indent and {@code \n}
 * line endings, without a trailing newline. Strings are written as UTF-8 text verbatim; {@code "},
 * {@code \}, the control characters U+0000..U+001F and U+007F, the line separators U+2028 and U+2029
 * and unpaired surrogates are escaped, so {@code parse(write(x))} gives back every Java string.
 *
 * <p>The parser follows RFC 8259 strictly (no comments, no trailing commas, no duplicate keys, no
 * leading zeros, no byte order mark) and returns {@link LinkedHashMap}-ordered unmodifiable maps,
 * unmodifiable lists, {@link String}, {@link Long} for numbers without fraction or exponent,
 * {@link Double} otherwise, {@link Boolean} and {@code null}. Thread-safe (stateless).
 */
public final class Json {

    /* Deliberately small: reports need ordered objects and exact integers (counters are longs), and
     * report files must be read back without a third-party library, since core depends on the JDK
     * alone. Nesting is limited so that a hostile file cannot overflow the stack. */

    private static final int MAX_DEPTH = 512;

    private Json() {}

    /**
     * Writes a value as pretty-printed JSON.
     *
     * @throws IllegalArgumentException if the value, or anything in it, is not one of the supported
     *     types, a map has a key that is not a string, a number is not finite, or the nesting is
     *     deeper than 512 levels
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        writeValue(out, value, 0);
        return out.toString();
    }

    /**
     * Parses one JSON value; the text may have whitespace around it and nothing else.
     *
     * @throws IllegalArgumentException naming the line and column (both from 1) of the first error,
     *     for example {@code line 3, column 7: expected ',' or '}' but found ']'}
     */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw p.error("unexpected " + p.describe(p.pos) + " after the value");
        }
        return value;
    }

    /** An ordered map from alternating keys and values, for building report objects. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static void writeValue(StringBuilder out, Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("JSON nesting deeper than " + MAX_DEPTH + " levels (a cycle?)");
        }
        switch (value) {
            case null -> out.append("null");
            case String s -> writeString(out, s);
            case Boolean b -> out.append(b.booleanValue());
            case Long n -> out.append(n.longValue());
            case Integer n -> out.append(n.intValue());
            case Short n -> out.append(n.shortValue());
            case Byte n -> out.append(n.byteValue());
            case Double d -> writeDouble(out, d);
            case Float f -> writeDouble(out, f.doubleValue());
            case Map<?, ?> map -> writeObject(out, map, depth);
            case List<?> list -> writeArray(out, list, depth);
            default ->
                throw new IllegalArgumentException(
                        "cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private static void writeDouble(StringBuilder out, double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("cannot write " + d + " as JSON: numbers must be finite");
        }
        out.append(d);
    }

    private static void writeObject(StringBuilder out, Map<?, ?> map, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("JSON object keys must be strings, not " + e.getKey());
            }
            out.append(first ? "\n" : ",\n");
            first = false;
            indent(out, depth + 1);
            writeString(out, key);
            out.append(": ");
            writeValue(out, e.getValue(), depth + 1);
        }
        out.append('\n');
        indent(out, depth);
        out.append('}');
    }

    private static void writeArray(StringBuilder out, List<?> list, int depth) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        boolean first = true;
        for (Object element : list) {
            out.append(first ? "\n" : ",\n");
            first = false;
            indent(out, depth + 1);
            writeValue(out, element, depth + 1);
        }
        out.append('\n');
        indent(out, depth);
        out.append(']');
    }

    private static void indent(StringBuilder out, int depth) {
        out.repeat("  ", depth);
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029' || unpairedSurrogate(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean unpairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH + " levels");
            }
            if (pos >= text.length()) {
                throw error("unexpected end of input, expected a value");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("expected a value but found " + describe(pos));
                }
            };
        }

        private Map<String, Object> object(int depth) {
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableMap(map);
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a string key but found " + describe(pos));
                }
                int keyPos = pos;
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                Object value = value(depth + 1);
                if (map.containsKey(key)) {
                    pos = keyPos;
                    throw error("duplicate key \"" + key + "\"");
                }
                map.put(key, value);
                skipWhitespace();
                char c = peek();
                if (c == ',') {
                    pos++;
                } else if (c == '}') {
                    pos++;
                    return Collections.unmodifiableMap(map);
                } else {
                    throw error("expected ',' or '}' but found " + describe(pos));
                }
            }
        }

        private List<Object> array(int depth) {
            pos++;
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth + 1));
                skipWhitespace();
                char c = peek();
                if (c == ',') {
                    pos++;
                } else if (c == ']') {
                    pos++;
                    return Collections.unmodifiableList(list);
                } else {
                    throw error("expected ',' or ']' but found " + describe(pos));
                }
            }
        }

        private String string() {
            int start = pos;
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    pos = start;
                    throw error("unterminated string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw error("control character " + describe(pos) + " in a string must be escaped");
                }
                if (c != '\\') {
                    sb.append(c);
                    pos++;
                    continue;
                }
                if (pos + 1 >= text.length()) {
                    pos = start;
                    throw error("unterminated string");
                }
                char e = text.charAt(pos + 1);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        int code = 0;
                        for (int i = 0; i < 4; i++) {
                            int digit =
                                    pos + 2 + i < text.length() ? Character.digit(text.charAt(pos + 2 + i), 16) : -1;
                            if (digit < 0) {
                                throw error("bad \\u escape: expected 4 hex digits");
                            }
                            code = code * 16 + digit;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + printable(e));
                }
                pos += 2;
            }
        }

        private Object number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) {
                    pos = start;
                    throw error("number with a leading zero");
                }
            } else if (!digits()) {
                pos = start;
                throw error("expected digits after '-'");
            }
            boolean integral = true;
            if (peek() == '.') {
                pos++;
                integral = false;
                if (!digits()) {
                    throw error("expected digits after the decimal point");
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                pos++;
                integral = false;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!digits()) {
                    throw error("expected digits in the exponent");
                }
            }
            String literal = text.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(literal);
                } catch (NumberFormatException e) {
                    pos = start;
                    throw error("integer " + literal + " does not fit in 64 bits");
                }
            }
            double d = Double.parseDouble(literal);
            if (Double.isInfinite(d)) {
                pos = start;
                throw error("number " + literal + " is out of range");
            }
            return d;
        }

        private boolean digits() {
            int start = pos;
            while (isDigit(peek())) {
                pos++;
            }
            return pos > start;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("expected a value but found " + describe(pos));
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "' but found " + describe(pos));
            }
            pos++;
        }

        /** The character at the position, or 0 at the end (never a valid token start). */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        String describe(int at) {
            return at >= text.length() ? "end of input" : "'" + printable(text.charAt(at)) + "'";
        }

        private static String printable(char c) {
            return c < 0x20 || c == 0x7F ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        }

        IllegalArgumentException error(String message) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < pos && i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            return new IllegalArgumentException("line " + line + ", column " + column + ": " + message);
        }
    }
}
