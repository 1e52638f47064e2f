package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TagTest {

    @Test
    void of_leak_isLittleEndianValueAsWindowsStoresIt() {
        Tag leak = Tag.of("Leak");
        assertThat(leak.value()).isEqualTo(0x6B61654C);
        assertThat(leak.hex()).isEqualTo("0x6B61654C");
        assertThat(Tag.of("Lea1").value()).isEqualTo(0x3161654C); // "dc" in the seed shows 3161654c Lea1
        assertThat(Tag.of("Tag1").value()).isEqualTo(0x31676154); // GFlags stores Tag1 as 0x31676154
        assertThat(Tag.of("Fred").reversed()).isEqualTo("derF");
    }

    @Test
    void of_shortText_isPaddedWithSpaces() {
        Tag cc = Tag.of("Cc");
        assertThat(cc.text()).isEqualTo("Cc  ");
        assertThat(cc.toString()).isEqualTo("Cc");
        assertThat(cc).isEqualTo(Tag.of("Cc  "));
    }

    @Test
    void randomTags_roundTripThroughTextValueAndHex() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            int len = random.nextInt(1, 5);
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < len; c++) {
                sb.append((char) random.nextInt(0x20, 0x7F));
            }
            String text = sb.toString();
            if (text.equals("BIG") || text.equals("BIG ")) {
                continue;
            }
            Tag tag = Tag.of(text);
            assertThat(Tag.ofValue(tag.value())).isEqualTo(tag);
            assertThat(Tag.parse(tag.hex())).isEqualTo(tag);
            assertThat(Tag.of(tag.text())).isEqualTo(tag);
            assertThat(tag.text()).startsWith(text).hasSize(4);
        }
    }

    @Test
    void edgeCharacters_spaceAndTilde_areValid() {
        assertThat(Tag.of("    ").value()).isEqualTo(0x20202020);
        assertThat(Tag.of("~~~~").value()).isEqualTo(0x7E7E7E7E);
        assertThat(Tag.parse("0x7E7E7E7E").text()).isEqualTo("~~~~");
    }

    @Test
    void parse_textThatLooksHexButIsNot_isText() {
        assertThat(Tag.parse("0X12").text()).isEqualTo("0X12"); // as !poolfind: only 0x means hex
        assertThat(Tag.parse("0xZ").text()).isEqualTo("0xZ ");
    }

    @Test
    void zeroAndBig_refusedAsWindowsDoes() {
        assertThatThrownBy(() -> Tag.ofValue(0)).hasMessageContaining("0xC2/0x9B");
        assertThatThrownBy(() -> Tag.of("BIG")).hasMessageContaining("0xC2/0x9C");
        assertThatThrownBy(() -> Tag.parse("0x20474942")).hasMessageContaining("0xC2/0x9C");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Toolong"})
    void of_badLength_refusedNamingTheTag(String text) {
        assertThatThrownBy(() -> Tag.of(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad pool tag '" + text + "': a tag has 1 to 4 characters between 0x20 and 0x7E");
    }

    @Test
    void of_controlOrNonAscii_refusedNamingTheCharacter() {
        assertThatThrownBy(() -> Tag.of("Ab\tc"))
                .hasMessage("bad pool tag 'Ab\\u0009c': character 0x09 at position 3 is outside 0x20..0x7E");
        assertThatThrownBy(() -> Tag.of("Åbc")).hasMessageContaining("character 0xC5 at position 1");
        assertThatThrownBy(() -> Tag.ofValue(0x4141410A)).hasMessageContaining("byte 1 is 0x0A");
    }

    @Test
    void none_isPoolMonsNoneTag() {
        assertThat(Tag.NONE.text()).isEqualTo("None");
        assertThat(Tag.of("None")).isSameAs(Tag.NONE);
    }
}
