package dev.pooltrack.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTest {

    @Test
    void write_nestedValues_prettyPrintsWithTwoSpaceIndentInInsertionOrder() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("zeta", 1L);
        value.put("alpha", List.of(true, "x", Map.of()));
        value.put("empty", List.of());
        value.put("none", null);
        value.put("pi", 3.5);

        assertThat(Json.write(value)).isEqualTo("""
                        {
                          "zeta": 1,
                          "alpha": [
                            true,
                            "x",
                            {}
                          ],
                          "empty": [],
                          "none": null,
                          "pi": 3.5
                        }""");
    }

    @Test
    void write_specialCharacters_escapesControlsAndKeepsOtherTextVerbatim() {
        String s = "q\" b\\ n\n t\t nul\u0000 del\u007f ls\u2028 é 漢 😀 lone\ud800";

        assertThat(Json.write(s))
                .isEqualTo("\"q\\\" b\\\\ n\\n t\\t nul\\u0000 del\\u007f ls\\u2028 é 漢 😀 lone\\ud800\"");
    }

    @Test
    void parse_writeOutput_givesBackTheSameValue() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            Object value = randomValue(random, 0);
            String json = Json.write(value);

            assertThat(Json.parse(json)).as(json).isEqualTo(value);
        }
    }

    @Test
    void parse_numbers_givesLongForIntegersAndDoubleOtherwise() {
        assertThat(Json.parse("[0, -7, 9223372036854775807, 1.5, -2e3, 1E-2]"))
                .isEqualTo(Arrays.asList(0L, -7L, Long.MAX_VALUE, 1.5, -2000.0, 0.01));
    }

    @Test
    void parse_escapes_decodesAll() {
        assertThat(Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9\\uD83D\\uDE00\""))
                .isEqualTo("\" \\ / \b \f \n \r \t é😀");
    }

    @Test
    void parse_objects_keepKeyOrderAndAreUnmodifiable() {
        Object parsed = Json.parse("{\"b\": 1, \"a\": {\"c\": []}}");

        assertThat(parsed).isInstanceOf(Map.class);
        assertThat(List.copyOf(((Map<?, ?>) parsed).keySet())).isEqualTo(List.of("b", "a"));
        assertThatThrownBy(() -> ((Map<?, ?>) parsed).clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            ``                      | line 1, column 1: unexpected end of input, expected a value
            `{`                     | line 1, column 2: expected a string key but found end of input
            `{"a" 1}`               | line 1, column 6: expected ':' but found '1'
            `{"a": 1,}`             | line 1, column 9: expected a string key but found '}'
            `[1, 2`                 | line 1, column 6: expected ',' or ']' but found end of input
            `[1 2]`                 | line 1, column 4: expected ',' or ']' but found '2'
            `{"a": 1, "a": 2}`      | line 1, column 10: duplicate key "a"
            `01`                    | line 1, column 1: number with a leading zero
            `-`                     | line 1, column 1: expected digits after '-'
            `1.`                    | line 1, column 3: expected digits after the decimal point
            `1e+`                   | line 1, column 4: expected digits in the exponent
            `99999999999999999999`  | line 1, column 1: integer 99999999999999999999 does not fit in 64 bits
            `tru`                   | line 1, column 1: expected a value but found 't'
            `nul`                   | line 1, column 1: expected a value but found 'n'
            `"abc`                  | line 1, column 1: unterminated string
            `"\\x"`                 | line 1, column 2: bad escape \\x
            `"\\u12g4"`             | line 1, column 2: bad \\u escape: expected 4 hex digits
            `{} x`                  | line 1, column 4: unexpected 'x' after the value
            `'a'`                   | line 1, column 1: expected a value but found '''
            `// comment`            | line 1, column 1: expected a value but found '/'
            """)
    void parse_malformedInput_namesLineColumnAndProblem(String input, String message) {
        String text = input == null ? "" : input;

        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void parse_errorOnALaterLine_countsLinesAndColumns() {
        String text = "{\n  \"a\": 1,\n  \"b\": [1,\n    2,,\n  ]\n}";

        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 4, column 7: expected a value but found ','");
    }

    @Test
    void parse_rawControlCharacterInString_refused() {
        assertThatThrownBy(() -> Json.parse("[\n\"a\tb\"]"))
                .hasMessage("line 2, column 3: control character '\\u0009' in a string must be escaped");
    }

    @Test
    void parse_deepNesting_refusedWithoutStackOverflow() {
        String text = "[".repeat(100_000) + "]".repeat(100_000);

        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nesting deeper than 512 levels");
    }

    @Test
    void write_unsupportedValues_refused() {
        assertThatThrownBy(() -> Json.write(Double.NaN)).hasMessageContaining("numbers must be finite");
        assertThatThrownBy(() -> Json.write(new Object())).hasMessageContaining("cannot write a java.lang.Object");
        assertThatThrownBy(() -> Json.write(Map.of(1, 2))).hasMessageContaining("keys must be strings");
    }

    private static Object randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 4 ? 5 : 7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextLong() >> random.nextInt(64);
            case 3 -> random.nextInt(2) == 0 ? random.nextDouble() * 1e6 : (double) random.nextInt(100) / 8;
            case 4 -> randomString(random);
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(randomValue(random, depth + 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(randomString(random), randomValue(random, depth + 1));
                }
                yield map;
            }
        };
    }

    private static String randomString(Random random) {
        char[] alphabet = {'a', 'Z', ' ', '"', '\\', '/', '\n', '\u0001', '\u007f', 'é', '\u2028', '\ud83d', '\ude00'};
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            sb.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }
}
