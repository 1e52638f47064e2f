package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolTagFileTest {

    /** Lines in the shapes of the Windows copies (reference §6.4), odd ones included. */
    private static final String SAMPLE = """
            //
            // Copyright (c) Microsoft Corporation. All rights reserved.
            //
            rem
            rem    Pooltag.txt
            rem
            rem    The file has the following format:
            rem       <PoolTag> - <binary-name> - <Description>
            REM

            8042 - i8042prt.sys - PS/2 kb and mouse
            Afd? - afd.sys      - AFD objects
            AfdA - afd.sys      -     Afd EA buffer
            Afda - afd.sys      -     Afd APC buffer (NT 3.51 only)
            Aml* - <unknown>    - ACPI AMLI Pooltags
            ATmp - AppTag mount point

            BIG  - nt!mm        - Large session pool allocations (ntos\\ex\\pool.c)
            Cc   - nt!cc        - Cache Manager allocations (catch-all)
            CcBc - nt!cc        - Cache Manager Bcb from pool
            CM   - nt!cm        - Configuration Manager (registry)
            CMkb - nt!cm        - registry key control blocks
            CMAl - nt!cm        -internal registry memory allocator pool tag
            CM?? - nt!cm        - Internal Configuration manager allocations
                   <unknown>
            Dh 0 - <unknown>    - DirectDraw/3D default object
            Irps - nt!vf        - I/O verifier per-IRP session tracking data
            Irps - nt!io        - system small IRP lookaside list
            Mmpv  - nt!mm      - Physical view VAD info
            Usno - win32k!zzz                           - NONE - don't use
            SeDb - nt!se        - Temp directory query buffer\t\s
            """;

    private static PoolTagFile sample() {
        return PoolTagFile.parse("pooltag.txt", SAMPLE);
    }

    private static PoolTagFile.Entry lookup(PoolTagFile file, String tag) {
        return file.lookup(Tag.of(tag));
    }

    @Test
    void parse_windowsSample_readsEntriesInFileOrderAndSkipsCommentsAndBlankLines() {
        PoolTagFile file = sample();

        assertThat(file.entries())
                .extracting(e -> e.pattern().toString())
                .containsExactly(
                        "8042", "Afd?", "AfdA", "Afda", "Aml*", "ATmp", "BIG", "Cc", "CcBc", "CM", "CMkb", "CMAl",
                        "CM??", "Dh 0", "Irps", "Irps", "Mmpv", "Usno", "SeDb");
        assertThat(file.entries())
                .extracting(PoolTagFile.Entry::line)
                .containsExactly(11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 26, 27, 28, 29, 30, 31);
        assertThat(file.entries()).allSatisfy(e -> assertThat(e.source()).isEqualTo("pooltag.txt"));
    }

    @Test
    void lookup_literalTag_returnsItsEntry() {
        PoolTagFile.Entry entry = lookup(sample(), "8042");

        assertThat(entry.pattern()).isEqualTo(TagPattern.parse("8042"));
        assertThat(entry.binary()).isEqualTo("i8042prt.sys");
        assertThat(entry.description()).isEqualTo("PS/2 kb and mouse");
        assertThat(entry.line()).isEqualTo(11);
    }

    @Test
    void lookup_literalAndWildcardBothMatch_literalWins() {
        PoolTagFile file = sample();

        assertThat(lookup(file, "AfdA").description()).isEqualTo("    Afd EA buffer");
        assertThat(lookup(file, "CM").description()).isEqualTo("Configuration Manager (registry)");
        assertThat(lookup(file, "CMkb").description()).isEqualTo("registry key control blocks");
    }

    @Test
    void lookup_noLiteral_firstMatchingWildcard() {
        PoolTagFile file = sample();

        assertThat(lookup(file, "AfdZ").pattern().toString()).isEqualTo("Afd?");
        assertThat(lookup(file, "CMxy").pattern().toString()).isEqualTo("CM??");
        assertThat(lookup(file, "Aml").pattern().toString()).isEqualTo("Aml*");
        assertThat(lookup(file, "AmlX").pattern().toString()).isEqualTo("Aml*");
    }

    @Test
    void lookup_overlappingWildcards_firstInFileOrderWins() {
        PoolTagFile file = PoolTagFile.parse("order.txt", """
                Le*  - first.jar  - any Le tag
                Lea? - second.jar - Lea tags
                """);
        PoolTagFile reversed = PoolTagFile.parse("order.txt", """
                Lea? - second.jar - Lea tags
                Le*  - first.jar  - any Le tag
                """);

        assertThat(lookup(file, "Leak").binary()).isEqualTo("first.jar");
        assertThat(lookup(reversed, "Leak").binary()).isEqualTo("second.jar");
        assertThat(lookup(reversed, "Lexx").binary()).isEqualTo("first.jar");
    }

    @Test
    void lookup_unknownTag_returnsNull() {
        assertThat(lookup(sample(), "Zzzz")).isNull();
        assertThat(lookup(sample(), "Afd"))
                .as("the '?' of Afd? matches the padding of Afd")
                .isNotNull();
        assertThat(lookup(sample(), "Af")).isNull();
    }

    @Test
    void lookup_differentCase_isADifferentTag() {
        PoolTagFile file = sample();

        assertThat(lookup(file, "Afda").description()).isEqualTo("    Afd APC buffer (NT 3.51 only)");
        assertThat(lookup(file, "AfdA").description()).isEqualTo("    Afd EA buffer");
        assertThat(lookup(file, "afdA")).isNull();
        assertThat(lookup(file, "cc")).isNull();
    }

    @Test
    void parse_shortPaddedTag_matchesTheShortTagOnly() {
        PoolTagFile file = sample();

        assertThat(lookup(file, "Cc").description()).isEqualTo("Cache Manager allocations (catch-all)");
        assertThat(lookup(file, "Cc  ").line()).isEqualTo(19);
        assertThat(lookup(file, "Ccx")).isNull();
    }

    @Test
    void parse_twoFieldLine_hasEmptyBinaryAndTheRestAsDescription() {
        PoolTagFile.Entry entry = lookup(sample(), "ATmp");

        assertThat(entry.binary()).isEmpty();
        assertThat(entry.description()).isEqualTo("AppTag mount point");
        assertThat(entry.poolusedText()).isEqualTo("AppTag mount point");
        assertThat(entry.poolmonText()).isEqualTo("[AppTag mount point]");
    }

    @Test
    void parse_oddLinesOfTheWindowsFile_areReadAsTheirAuthorsMeant() {
        PoolTagFile file = sample();

        PoolTagFile.Entry glued = lookup(file, "CMAl");
        assertThat(glued.binary()).isEqualTo("nt!cm");
        assertThat(glued.description()).isEqualTo("internal registry memory allocator pool tag");

        PoolTagFile.Entry extraPadding = lookup(file, "Mmpv");
        assertThat(extraPadding.binary()).isEqualTo("nt!mm");
        assertThat(extraPadding.description()).isEqualTo("Physical view VAD info");

        PoolTagFile.Entry dashInDescription = lookup(file, "Usno");
        assertThat(dashInDescription.binary()).isEqualTo("win32k!zzz");
        assertThat(dashInDescription.description()).isEqualTo("NONE - don't use");

        assertThat(lookup(file, "Dh 0").description()).isEqualTo("DirectDraw/3D default object");
        assertThat(lookup(file, "SeDb").description()).isEqualTo("Temp directory query buffer");
    }

    @Test
    void parse_sameTagTwice_firstLineWinsAndBothAreKept() {
        PoolTagFile file = sample();

        assertThat(lookup(file, "Irps").binary()).isEqualTo("nt!vf");
        assertThat(file.entries())
                .filteredOn(e -> e.pattern().toString().equals("Irps"))
                .hasSize(2);
    }

    @Test
    void parse_remAsATag_isAnEntryNotAComment() {
        PoolTagFile file = PoolTagFile.parse("rem.txt", """
                rem this is a comment - even with a dash
                rem  - rem.sys - a tag called rem
                Remx - remx.sys - starts with rem but is not the word
                """);

        assertThat(file.entries()).extracting(e -> e.pattern().toString()).containsExactly("rem", "Remx");
        assertThat(lookup(file, "rem").binary()).isEqualTo("rem.sys");
    }

    @Test
    void poolusedText_entryWithBinary_isDescriptionCommaBinaryAsPoolusedPrints() {
        PoolTagFile file = sample();

        assertThat(lookup(file, "8042").poolusedText()).isEqualTo("PS/2 kb and mouse , Binary: i8042prt.sys");
        assertThat(lookup(file, "AfdA").poolusedText()).isEqualTo("    Afd EA buffer , Binary: afd.sys");
    }

    @Test
    void poolmonText_entryWithBinary_isBracketedBinaryDashDescription() {
        PoolTagFile file = sample();

        assertThat(lookup(file, "8042").poolmonText()).isEqualTo("[i8042prt.sys - PS/2 kb and mouse]");
        assertThat(lookup(file, "Cc").poolmonText()).isEqualTo("[nt!cc - Cache Manager allocations (catch-all)]");
    }

    @Test
    void unknownText_tag_isWhatPoolusedPrintsForAnUnknownTag() {
        assertThat(PoolTagFile.unknownText(Tag.of("Lea2")))
                .isEqualTo("UNKNOWN pooltag 'Lea2', please update pooltag.txt");
        assertThat(PoolTagFile.unknownText(Tag.of("Cc"))).isEqualTo("UNKNOWN pooltag 'Cc', please update pooltag.txt");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "Toolong - x.sys - too long | pooltag.txt:3: bad tag 'Toolong' (1 to 4 characters between 0x20 and 0x7E, with ? and *)",
                "Leak*y - x.sys - five besides star | pooltag.txt:3: bad tag 'Leak*y' (1 to 4 characters between 0x20 and 0x7E, with ? and *)",
                "Leak | pooltag.txt:3: no ' - ' separator after the tag",
                "Leak x.sys leak | pooltag.txt:3: no ' - ' separator after the tag",
                "Leak-x.sys-leak | pooltag.txt:3: no ' - ' separator after the tag",
                "\"Leak - \" | pooltag.txt:3: no binary or description after the tag",
                "Leak - | pooltag.txt:3: no binary or description after the tag",
                "\" - x.sys - no tag\" | pooltag.txt:3: empty tag before ' - '",
                "\"     - x.sys - blank tag\" | pooltag.txt:3: empty tag before ' - '",
            })
    void parse_malformedLine_throwsNamingFileAndLine(String badLine, String message) {
        String content = "// header\nGood - good.sys - fine\n" + badLine + "\nMore - more.sys - after the bad line\n";

        PoolTagFileException e =
                catchThrowableOfType(PoolTagFileException.class, () -> PoolTagFile.parse("pooltag.txt", content));

        assertThat(e).hasMessage(message);
        assertThat(e.source()).isEqualTo("pooltag.txt");
        assertThat(e.line()).isEqualTo(3);
    }

    @Test
    void parse_nonPrintableCharacterInTag_throwsNamingCharacter() {
        assertThatThrownBy(() -> PoolTagFile.parse("pooltag.txt", "Le\u0001k - x.sys - control character\n"))
                .isInstanceOf(PoolTagFileException.class)
                .hasMessage("pooltag.txt:1: bad tag 'Le\\u0001k' (character 0x01 at position 3 is outside 0x20..0x7E)");
        assertThatThrownBy(() -> PoolTagFile.parse("pooltag.txt", "ok - a - b\r\nL\u00e9k - x.sys - accent\r\n"))
                .isInstanceOf(PoolTagFileException.class)
                .hasMessage("pooltag.txt:2: bad tag 'L\\u00e9k' (character 0xE9 at position 2 is outside 0x20..0x7E)");
    }

    @Test
    void parse_tabInTag_throws() {
        assertThatThrownBy(() -> PoolTagFile.parse("tabs.txt", "Le\tk - x.sys - tab in the tag\n"))
                .hasMessage("tabs.txt:1: bad tag 'Le\\u0009k' (character 0x09 at position 3 is outside 0x20..0x7E)");
    }

    @Test
    void parse_windowsLineEndings_countLinesTheSame() {
        assertThatThrownBy(() -> PoolTagFile.parse("crlf.txt", "rem x\r\n\r\nGood - g - ok\r\nBad\r\n"))
                .hasMessage("crlf.txt:4: no ' - ' separator after the tag");
    }

    @Test
    void parse_reader_readsTheSameAsString() {
        Reader reader = new StringReader(SAMPLE);

        PoolTagFile file = PoolTagFile.parse("pooltag.txt", reader);

        assertThat(file.entries()).isEqualTo(sample().entries());
    }

    @Test
    void parse_readerFails_throwsNamingSource() {
        Reader broken = new Reader() {
            @Override
            public int read(char[] buffer, int offset, int length) throws IOException {
                throw new IOException("disk on fire");
            }

            @Override
            public void close() {}
        };

        assertThatThrownBy(() -> PoolTagFile.parse("remote.txt", broken))
                .isInstanceOf(PoolTagFileException.class)
                .hasMessage("cannot read pooltag file remote.txt: disk on fire")
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void parse_path_namesEntriesAndErrorsAfterThePath(@TempDir Path dir) throws IOException {
        Path good = Files.writeString(dir.resolve("pooltag.txt"), SAMPLE.replace("\n", "\r\n"));
        Path bad = Files.writeString(dir.resolve("bad.txt"), "Good - g - ok\nToolong - x - y\n");

        PoolTagFile file = PoolTagFile.parse(good);

        assertThat(file.entries()).hasSize(sample().entries().size());
        assertThat(lookup(file, "Cc").source()).isEqualTo(good.toString());
        assertThatThrownBy(() -> PoolTagFile.parse(bad))
                .isInstanceOf(PoolTagFileException.class)
                .hasMessage(bad + ":2: bad tag 'Toolong' (1 to 4 characters between 0x20 and 0x7E, with ? and *)");
    }

    @Test
    void parse_missingFile_throwsNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-pooltag.txt");

        PoolTagFileException e = catchThrowableOfType(PoolTagFileException.class, () -> PoolTagFile.parse(missing));

        assertThat(e).hasMessage("pooltag file not found: " + missing).hasCauseInstanceOf(NoSuchFileException.class);
        assertThat(e.source()).isEqualTo(missing.toString());
        assertThat(e.line()).isZero();
    }

    @Test
    void parse_directory_throwsNamingThePath(@TempDir Path dir) {
        assertThatThrownBy(() -> PoolTagFile.parse(dir))
                .isInstanceOf(PoolTagFileException.class)
                .hasMessageStartingWith("cannot read pooltag file " + dir + ": ");
    }

    @Test
    void parse_utf8ByteOrderMark_isSkipped(@TempDir Path dir) throws IOException {
        byte[] body = "Leak - leak.jar - with BOM\n".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[body.length + 3];
        bytes[0] = (byte) 0xEF;
        bytes[1] = (byte) 0xBB;
        bytes[2] = (byte) 0xBF;
        System.arraycopy(body, 0, bytes, 3, body.length);
        Path file = Files.write(dir.resolve("bom.txt"), bytes);

        assertThat(lookup(PoolTagFile.parse(file), "Leak").description()).isEqualTo("with BOM");
        assertThat(lookup(PoolTagFile.parse("bom.txt", "\uFEFFLeak - leak.jar - with BOM"), "Leak"))
                .isNotNull();
    }

    @Test
    void parse_utf16WithByteOrderMark_isDecoded(@TempDir Path dir) throws IOException {
        Path file = Files.write(
                dir.resolve("utf16.txt"), "\uFEFFLeak - leak.jar - wide\r\n".getBytes(StandardCharsets.UTF_16LE));

        assertThat(lookup(PoolTagFile.parse(file), "Leak").description()).isEqualTo("wide");
    }

    @Test
    void parse_ansiFileThatIsNotUtf8_isReadAsWindows1252(@TempDir Path dir) throws IOException {
        byte[] bytes = "// (c) Microsoft \u00a9\nLeak - leak.jar - caf\u00e9 \u20ac\n".getBytes("windows-1252");
        Path file = Files.write(dir.resolve("ansi.txt"), bytes);

        assertThat(lookup(PoolTagFile.parse(file), "Leak").description()).isEqualTo("caf\u00e9 \u20ac");
    }

    @Test
    void merge_earlierFileWins_evenItsWildcardOverALaterExactTag() {
        PoolTagFile user = PoolTagFile.parse("user.txt", """
                Le*  - leaky.jar - my leak hunt
                Mine - mine.jar  - only in the user's file
                """);
        PoolTagFile bundled = PoolTagFile.parse("bundled.txt", """
                Leak - other.jar - exact tag in the later file
                Lost - lost.jar  - only in the later file
                Mine - other.jar - hidden by the user's file
                """);

        PoolTagFile merged = PoolTagFile.merge(user, bundled);

        assertThat(lookup(merged, "Leak").source()).isEqualTo("user.txt");
        assertThat(lookup(merged, "Mine").binary()).isEqualTo("mine.jar");
        assertThat(lookup(merged, "Lost").source()).isEqualTo("bundled.txt");
        assertThat(lookup(merged, "None")).isNull();
        assertThat(merged.entries())
                .extracting(PoolTagFile.Entry::source)
                .containsExactly("user.txt", "user.txt", "bundled.txt", "bundled.txt", "bundled.txt");
        assertThat(lookup(PoolTagFile.merge(bundled, user), "Leak").source()).isEqualTo("bundled.txt");
    }

    @Test
    void merge_nestedAndWithEmpty_keepsOrder() {
        PoolTagFile a = PoolTagFile.parse("a", "Aaaa - a - first\n");
        PoolTagFile b = PoolTagFile.parse("b", "Aaaa - b - second\nBbbb - b - b only\n");

        PoolTagFile merged = PoolTagFile.merge(PoolTagFile.empty(), PoolTagFile.merge(a, PoolTagFile.empty()), b);

        assertThat(lookup(merged, "Aaaa").binary()).isEqualTo("a");
        assertThat(lookup(merged, "Bbbb").binary()).isEqualTo("b");
        assertThat(merged.entries()).hasSize(3);
    }

    @Test
    void empty_hasNoEntries() {
        assertThat(PoolTagFile.empty().entries()).isEmpty();
        assertThat(PoolTagFile.empty().lookup(Tag.NONE)).isNull();
        assertThat(PoolTagFile.parse("blank.txt", "\n// only comments\nrem\n\n").entries())
                .isEmpty();
    }

    @Test
    void entries_returned_cannotBeModified() {
        List<PoolTagFile.Entry> entries = sample().entries();

        assertThatThrownBy(entries::clear).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void entry_lineBelowOne_throws() {
        TagPattern leak = TagPattern.parse("Leak");

        assertThatThrownBy(() -> new PoolTagFile.Entry(leak, "b", "d", "s", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 0 of s: lines are numbered from 1");
    }

    @Test
    void format_sample_writesWindowsLayoutAndParsesBackToTheSameEntries() {
        PoolTagFile file = sample();

        String text = file.format();

        assertThat(text)
                .startsWith("8042 - i8042prt.sys - PS/2 kb and mouse\nAfd? - afd.sys - AFD objects\n")
                .contains("\nAfdA - afd.sys -     Afd EA buffer\n")
                .contains("\nATmp - AppTag mount point\n")
                .contains("\nCc   - nt!cc - Cache Manager allocations (catch-all)\n")
                .contains("\nUsno - win32k!zzz - NONE - don't use\n");
        assertThat(content(PoolTagFile.parse("again.txt", text))).isEqualTo(content(file));
    }

    @Test
    void format_twoFieldEntryThatWouldReadAsThree_writesAnEmptyBinaryColumn() {
        PoolTagFile file = PoolTagFile.parse("x.txt", "Xx   -  - notabinary - but a description\n");

        String text = file.format();

        assertThat(file.entries().getFirst().binary()).isEmpty();
        assertThat(text).isEqualTo("Xx   -  - notabinary - but a description\n");
        assertThat(content(PoolTagFile.parse("again.txt", text))).isEqualTo(content(file));
    }

    @Test
    void format_seededRandomFiles_parseBackToTheSameEntries() {
        Random random = new Random(0xF11EL);
        String[] tags = {"Leak", "Cc", "Afd?", "Aml*", "CM??", "*", "Dh 0", "  rx", "rem", "Le*k", "BIG", "Irp+"};
        String[] binaries = {"afd.sys", "nt!cc", "<unknown>", "java.base", "win32k!zzz", ""};
        String[] words = {"Afd", "data", "buffer", "-", "-x", "x-", "NONE", " - ", "--", "  ", "(catch-all)", "a,b"};
        String[] separators = {" - ", "  -  ", " -", "      - "};
        for (int round = 0; round < 500; round++) {
            StringBuilder text = new StringBuilder();
            for (int line = 0; line < 20; line++) {
                String tag = String.format("%-4s", tags[random.nextInt(tags.length)]);
                String binary = binaries[random.nextInt(binaries.length)];
                StringBuilder description = new StringBuilder(random.nextBoolean() ? "" : "    ");
                for (int w = random.nextInt(5); w >= 0; w--) {
                    description.append(words[random.nextInt(words.length)]).append(random.nextBoolean() ? " " : "");
                }
                String separator = separators[random.nextInt(separators.length)];
                text.append(tag).append(" - ");
                if (random.nextInt(4) > 0) {
                    text.append(binary).append(separator);
                } else {
                    description.append("two fields");
                }
                text.append(description).append(random.nextInt(8) == 0 ? "\n\n// group\n" : "\n");
            }
            PoolTagFile file = PoolTagFile.parse("random.txt", text.toString());

            List<String> again = content(PoolTagFile.parse("again.txt", file.format()));

            assertThat(again).as("round %d:%n%s", round, text).isEqualTo(content(file));
        }
    }

    @Test
    void bundled_loads_listsPoolTracksOwnTags() {
        PoolTagFile bundled = PoolTagFile.bundled();

        assertThat(bundled.entries())
                .extracting(e -> e.pattern().toString())
                .containsExactly("None", "Jdbb", "Jusf", "Jffm", "Jmap", "Jdwn");
        assertThat(bundled.entries()).allSatisfy(e -> {
            assertThat(e.pattern().isLiteral()).isTrue();
            assertThat(e.source()).isEqualTo("dev/pooltrack/pooltag.txt");
        });
        assertThat(bundled.lookup(Tag.NONE).poolusedText())
                .isEqualTo("Allocations made without a tag , Binary: <unknown>");
        assertThat(bundled.lookup(Tag.of("Jdbb")).poolmonText())
                .isEqualTo("[java.base - ByteBuffer.allocateDirect (direct buffers)]");
        assertThat(bundled.lookup(Tag.of("Jmap")).description()).isEqualTo("FileChannel.map / mapped segments (paged)");
        assertThat(PoolTagFile.bundled()).isSameAs(bundled);
    }

    /** Pattern, binary and description of each entry, which is what a round trip must keep. */
    private static List<String> content(PoolTagFile file) {
        List<String> content = new ArrayList<>();
        for (PoolTagFile.Entry e : file.entries()) {
            content.add(e.pattern().text() + "|" + e.binary() + "|" + e.description());
        }
        return content;
    }
}
