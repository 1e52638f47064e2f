package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TagPatternTest {

    @Test
    void matches_literal_onlyThatTag() {
        TagPattern leak = TagPattern.parse("Leak");

        assertThat(leak.matches(Tag.of("Leak"))).isTrue();
        assertThat(leak.matches(Tag.of("Lea1"))).isFalse();
        assertThat(leak.matches(Tag.of("Lea"))).isFalse();
        assertThat(leak.isLiteral()).isTrue();
    }

    @Test
    void parse_shortLiteral_isPaddedLikeATag() {
        TagPattern cc = TagPattern.parse("Cc");

        assertThat(cc.text()).isEqualTo("Cc  ");
        assertThat(cc.toString()).isEqualTo("Cc");
        assertThat(cc.isLiteral()).isTrue();
        assertThat(cc.matches(Tag.of("Cc"))).isTrue();
        assertThat(cc.matches(Tag.of("Cc  "))).isTrue();
        assertThat(cc.matches(Tag.of("CcBc"))).isFalse();
        assertThat(cc.matches(Tag.of("Cc x"))).isFalse();
    }

    @Test
    void matches_questionMark_exactlyOneCharacterPaddingIncluded() {
        TagPattern lea = TagPattern.parse("Lea?");

        assertThat(lea.isLiteral()).isFalse();
        assertThat(lea.matches(Tag.of("Lea1"))).isTrue();
        assertThat(lea.matches(Tag.of("Leak"))).isTrue();
        assertThat(lea.matches(Tag.of("Lea")))
                .as("'?' matches the padding space")
                .isTrue();
        assertThat(lea.matches(Tag.of("Lex1"))).isFalse();
        assertThat(TagPattern.parse("Cc??").matches(Tag.of("Cc"))).isTrue();
        assertThat(TagPattern.parse("C?").matches(Tag.of("Cc"))).isTrue();
        assertThat(TagPattern.parse("C?").matches(Tag.of("CcBc")))
                .as("'C?' is padded to 'C?  '")
                .isFalse();
    }

    @Test
    void matches_star_anyRunIncludingNone() {
        TagPattern le = TagPattern.parse("Le*");

        assertThat(le.matches(Tag.of("Leak"))).isTrue();
        assertThat(le.matches(Tag.of("Le"))).isTrue();
        assertThat(le.matches(Tag.of("Le1"))).isTrue();
        assertThat(le.matches(Tag.of("Lx"))).isFalse();
        assertThat(le.matches(Tag.of("leak"))).isFalse();
        assertThat(le.text()).isEqualTo("Le*");
        assertThat(le.isLiteral()).isFalse();
    }

    @Test
    void matches_starPositions_matchTheWholeFourCharacters() {
        assertThat(TagPattern.parse("*").matches(Tag.of("Zz9!"))).isTrue();
        assertThat(TagPattern.parse("*k").matches(Tag.of("Leak"))).isTrue();
        assertThat(TagPattern.parse("*k").matches(Tag.of("Lek")))
                .as("the padding is the last character")
                .isFalse();
        assertThat(TagPattern.parse("*k ").matches(Tag.of("Lek"))).isTrue();
        assertThat(TagPattern.parse("L*k").matches(Tag.of("Leak"))).isTrue();
        assertThat(TagPattern.parse("L*k").matches(Tag.of("Lk"))).isFalse();
        assertThat(TagPattern.parse("*e*").matches(Tag.of("Leak"))).isTrue();
        assertThat(TagPattern.parse("*e*").matches(Tag.of("Lxak"))).isFalse();
        assertThat(TagPattern.parse("Leak*").matches(Tag.of("Leak"))).isTrue();
        assertThat(TagPattern.parse("*?*?*?*?*").matches(Tag.of("A"))).isTrue();
    }

    @Test
    void matches_tagContainingWildcardCharacters_treatsPatternStarAsWildcard() {
        assertThat(TagPattern.parse("*k").matches(Tag.of("*xyk"))).isTrue();
        assertThat(TagPattern.parse("?*").matches(Tag.of("**"))).isTrue();
        assertThat(TagPattern.parse("a*").matches(Tag.of("*a"))).isFalse();
    }

    @Test
    void matches_differentCase_doesNotMatch() {
        assertThat(TagPattern.parse("Afd?").matches(Tag.of("AfdA"))).isTrue();
        assertThat(TagPattern.parse("Afd?").matches(Tag.of("afdA"))).isFalse();
        assertThat(TagPattern.parse("AfdA").matches(Tag.of("Afda"))).isFalse();
        assertThat(TagPattern.parse("cc*").matches(Tag.of("Cc"))).isFalse();
    }

    @Test
    void parse_reservedTagBig_isAValidPattern() {
        TagPattern big = TagPattern.parse("BIG");

        assertThat(big.isLiteral()).isTrue();
        assertThat(big.text()).isEqualTo("BIG ");
        assertThat(big.matches(Tag.of("BIGG"))).isFalse();
    }

    @Test
    void equals_samePatternWrittenDifferently_equalWithSameHash() {
        assertThat(TagPattern.parse("Cc")).isEqualTo(TagPattern.parse("Cc  "));
        assertThat(TagPattern.parse("Cc").hashCode())
                .isEqualTo(TagPattern.parse("Cc  ").hashCode());
        assertThat(TagPattern.parse("Le**")).isEqualTo(TagPattern.parse("Le*"));
        assertThat(TagPattern.parse("Le**").text()).isEqualTo("Le*");
        assertThat(TagPattern.parse("Le*")).isNotEqualTo(TagPattern.parse("Le* "));
        assertThat(TagPattern.parse("Cc")).isNotEqualTo(TagPattern.parse("cc"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {"Leak", "Cc", "\"  rx\"", "Lea?", "C?", "Le*", "\"Le* \"", "*", "*?k", "BIG"})
    void parse_toString_readsBackToAnEqualPattern(String text) {
        TagPattern pattern = TagPattern.parse(text);

        assertThat(TagPattern.parse(pattern.toString())).isEqualTo(pattern);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "\"\" | bad tag pattern '': empty",
                "Toolong | bad tag pattern 'Toolong': 7 characters besides '*', at most 4",
                "Leak? | bad tag pattern 'Leak?': 5 characters besides '*', at most 4",
                "*Le*ak*y | bad tag pattern '*Le*ak*y': 5 characters besides '*', at most 4",
            })
    void parse_badPattern_throwsNamingPatternAndProblem(String text, String message) {
        assertThatThrownBy(() -> TagPattern.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void parse_characterOutsidePrintableAscii_throwsNamingCharacterAndPosition() {
        assertThatThrownBy(() -> TagPattern.parse("Le\u0001k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad tag pattern 'Le\\u0001k': character 0x01 at position 3 is outside 0x20..0x7E");
        assertThatThrownBy(() -> TagPattern.parse("L\u00e9*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad tag pattern 'L\\u00e9*': character 0xE9 at position 2 is outside 0x20..0x7E");
        assertThatThrownBy(() -> TagPattern.parse("Lea\u007f"))
                .hasMessage("bad tag pattern 'Lea\\u007f': character 0x7F at position 4 is outside 0x20..0x7E");
    }

    @Test
    void parse_null_throwsNullPointerException() {
        assertThatNullPointerException().isThrownBy(() -> TagPattern.parse(null));
    }

    @Test
    void matches_seededRandomPatternsAndTags_agreesWithRegexReference() {
        Random random = new Random(0x5EED_7A65L);
        String alphabet = "Lea k*?";
        int matched = 0;
        for (int i = 0; i < 50_000; i++) {
            String patternText = randomText(random, alphabet, 1 + random.nextInt(7));
            if (TagPattern.problem(patternText) != null) {
                continue;
            }
            Tag tag = Tag.of(randomText(random, alphabet, 1 + random.nextInt(4)));
            boolean expected = referenceMatches(patternText, tag);

            assertThat(TagPattern.parse(patternText).matches(tag))
                    .as("pattern '%s' against tag '%s'", patternText, tag.text())
                    .isEqualTo(expected);
            matched += expected ? 1 : 0;
        }
        assertThat(matched)
                .as("the generator produces matches as well as misses")
                .isGreaterThan(1_000);
    }

    private static String randomText(Random random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** The documented semantics spelled as a regex: pad without '*', '*' is .*, '?' is one character. */
    private static boolean referenceMatches(String patternText, Tag tag) {
        String padded = patternText.contains("*") ? patternText : String.format("%-4s", patternText);
        StringBuilder regex = new StringBuilder();
        for (char c : padded.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.matches(regex.toString(), tag.text());
    }
}
