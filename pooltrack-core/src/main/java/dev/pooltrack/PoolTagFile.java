package dev.pooltrack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A pooltag.txt file: the list that tells {@code !poolused}, {@code !pool} and PoolMon {@code /g}
 * which binary owns a pool tag and what the tag is for.
 *
 * <p>Each entry line reads {@code <Tag> - <binary> - <description>}, for example
 * {@code Cc   - nt!cc        - Cache Manager allocations (catch-all)}. The tag column holds one to
 * four characters between 0x20 and 0x7E, space-padded, and may hold the wildcards {@code ?} and
 * {@code *} ({@code Afd?}, {@code Aml*}); it is case-sensitive. {@link #lookup(Tag)} returns the
 * entry with that exact tag, otherwise the first wildcard entry in file order that matches.
 *
 * <p>What is read, and what is refused:
 *
 * <ul>
 *   <li>Ignored: blank lines; lines whose first non-blank characters are {@code //}; lines that
 *       start with the word {@code rem} in any case ({@code rem}, {@code REM  text}), unless the
 *       line is an entry for the tag {@code rem} ({@code rem  - x.sys - ...}); and indented lines
 *       without a {@code " - "} separator, such as the stray {@code "       <unknown>"} line in
 *       the Windows copy.
 *   <li>Tolerated: two-field lines {@code ATmp - AppTag mount point} (empty binary, the rest is
 *       the description); extra spaces after the tag ({@code Mmpv  - nt!mm - ...}); a second
 *       separator with no space after the dash ({@code CMAl - nt!cm   -internal ...}); a
 *       description that contains {@code " - "} ({@code NONE - don't use}); the same tag twice
 *       (the first line wins, both stay in {@link #entries()}). Leading spaces of a description
 *       are kept, since they mark sub-entries; trailing blanks are dropped.
 *   <li>Malformed, so {@link #parse} throws {@link PoolTagFileException} naming the source and
 *       the 1-based line: a non-indented line with no {@code " - "} after the tag; a tag followed
 *       by a dash and nothing else; an empty tag column; a tag with a character outside
 *       0x20..0x7E; a tag with more than four characters besides {@code *}.
 * </ul>
 *
 * <p>Parsing reads the whole source before it returns: the result is either a complete file or
 * an exception, never part of one. Instances are immutable and thread-safe.
 */
public final class PoolTagFile {

    /* Windows: pooltag.txt lives in the debugger's triage directory (reference §6.4). The header
     * is "//" copyright lines then "rem" lines documenting "<PoolTag> - <binary-name> -
     * <Description>"; the body is one entry per line separated by " - ", groups split by blank
     * lines, short tags space-padded ("Cc  ", "CM  ", "BIG "), wildcard tags in the tag column
     * (Afd?, Aml*, CM??), sub-entries shown by leading spaces in the description, and a few
     * malformed two-field lines that a parser must tolerate. !poolused renders an entry as
     * "<Description> , Binary: <binary>" and an unknown tag as "UNKNOWN pooltag '<tag>', please
     * update pooltag.txt" (§6.1); PoolMon /g renders "[<binary> - <description>]" (§6.3).
     *
     * The tolerated oddities are the ones the Server 2003 copy [RK] actually has: a stray
     * "       <unknown>" line, "CMAl - nt!cm        -internal ...", "Mmpv  - nt!mm ...",
     * "Usno - win32k!zzz - NONE - don't use", duplicate tags (Irps, Fatv, Lr??). A user points
     * PoolTrack at that file, so it must load. Everything else that cannot be an entry is an
     * error with a line number rather than a silently skipped line: a tag that never gets its
     * description is a mystery in a leak hunt.
     *
     * Binaries are single words (afd.sys, nt!cc, <unknown>, win32k!ClassAlloc). That is how the
     * second " - " is told from a " - " inside a two-field description: if the text before it is
     * not one word, the line has two fields.
     *
     * Bytes are decoded as UTF-8, or UTF-16 with a byte-order mark, or Windows-1252 when they are
     * not valid UTF-8, as a file saved by a Windows editor in the ANSI code page is. Lookup of a literal tag is one HashMap probe by the
     * tag's int value; wildcard entries are few and scanned in file order. A merged file keeps
     * each source as its own layer, so an earlier file wins outright: its wildcard beats a later
     * file's exact tag. */

    /** The name the bundled file's entries give as their source. */
    static final String BUNDLED_SOURCE = "dev/pooltrack/pooltag.txt";

    private static final String SEPARATOR = " - ";
    private static final String BAD_TAG_RULE = "1 to 4 characters between 0x20 and 0x7E, with ? and *";
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
    private static final PoolTagFile EMPTY = new PoolTagFile(List.of());

    private final List<Layer> layers;
    private final List<Entry> entries;

    private PoolTagFile(List<Layer> layers) {
        this.layers = List.copyOf(layers);
        List<Entry> all = new ArrayList<>();
        for (Layer layer : this.layers) {
            all.addAll(layer.entries());
        }
        this.entries = List.copyOf(all);
    }

    /**
     * One line of a pooltag.txt file.
     *
     * <p>Immutable and thread-safe.
     *
     * @param pattern the tag column
     * @param binary the binary column ({@code afd.sys}, {@code nt!cc}, {@code <unknown>}); empty
     *     when the line has only two fields
     * @param description the description column, leading spaces kept
     * @param source the name of the file the line came from
     * @param line the 1-based line number in that file
     */
    public record Entry(TagPattern pattern, String binary, String description, String source, int line) {

        /**
         * Checks the components.
         *
         * @throws NullPointerException if a component is null
         * @throws IllegalArgumentException if line is less than 1
         */
        public Entry {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(binary, "binary");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(source, "source");
            if (line < 1) {
                throw new IllegalArgumentException("line " + line + " of " + source + ": lines are numbered from 1");
            }
        }

        /**
         * The entry as {@code !poolused} prints it after the numbers: {@code <description> ,
         * Binary: <binary>}, or the description alone when the binary is empty.
         */
        public String poolusedText() {
            return binary.isEmpty() ? description : description + " , Binary: " + binary;
        }

        /**
         * The entry as PoolMon {@code /g} prints it in the Mapped_Driver column: {@code [<binary> -
         * <description>]}, or {@code [<description>]} when the binary is empty.
         */
        public String poolmonText() {
            return binary.isEmpty() ? "[" + description + "]" : "[" + binary + SEPARATOR + description + "]";
        }
    }

    /** Returns the file with no entries. */
    public static PoolTagFile empty() {
        return EMPTY;
    }

    /**
     * Returns PoolTrack's own pooltag.txt, which lists the tags PoolTrack gives native memory on
     * the JVM ({@code None}, {@code Jdbb}, {@code Jusf}, ...).
     */
    public static PoolTagFile bundled() {
        return Bundled.FILE;
    }

    /**
     * Reads a pooltag.txt file.
     *
     * <p>The bytes are read as UTF-8, as UTF-16 if they start with its byte-order mark, or as
     * Windows-1252 if they are not valid UTF-8. Entries name {@code file.toString()} as their
     * source.
     *
     * @throws NullPointerException if file is null
     * @throws PoolTagFileException if the file does not exist or cannot be read (the message names
     *     the path), or a line is malformed (the message names the path and the line)
     */
    public static PoolTagFile parse(Path file) {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PoolTagFileException(source, "pooltag file not found: " + source, e);
        } catch (AccessDeniedException e) {
            throw new PoolTagFileException(source, "pooltag file not readable (access denied): " + source, e);
        } catch (IOException e) {
            throw new PoolTagFileException(source, "cannot read pooltag file " + source + ": " + e.getMessage(), e);
        }
        return parseLines(source, decode(bytes).lines().toList());
    }

    /**
     * Reads pooltag.txt text from a reader.
     *
     * @param sourceName the name messages and entries give for the text, for example a file name
     * @param content the text, read to its end and not closed
     * @throws NullPointerException if an argument is null
     * @throws PoolTagFileException if the reader fails or a line is malformed; the message names
     *     the source and the line
     */
    public static PoolTagFile parse(String sourceName, Reader content) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(content, "content");
        BufferedReader reader = content instanceof BufferedReader b ? b : new BufferedReader(content);
        List<String> lines = new ArrayList<>();
        try {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new PoolTagFileException(
                    sourceName, "cannot read pooltag file " + sourceName + ": " + e.getMessage(), e);
        }
        return parseLines(sourceName, lines);
    }

    /**
     * Reads pooltag.txt text.
     *
     * @param sourceName the name messages and entries give for the text, for example a file name
     * @param content the text; lines end with LF, CRLF or CR
     * @throws NullPointerException if an argument is null
     * @throws PoolTagFileException if a line is malformed; the message names the source and the
     *     line
     */
    public static PoolTagFile parse(String sourceName, String content) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(content, "content");
        return parseLines(sourceName, content.lines().toList());
    }

    /**
     * Returns the files layered in the order given: a tag is looked up in the first file, then,
     * if that file has no entry for it, in the next. So a user's file placed before
     * {@link #bundled()} overrides it, wildcards included.
     *
     * @throws NullPointerException if the array or a file in it is null
     */
    public static PoolTagFile merge(PoolTagFile... files) {
        List<Layer> layers = new ArrayList<>();
        for (PoolTagFile file : files) {
            layers.addAll(Objects.requireNonNull(file, "file").layers);
        }
        return new PoolTagFile(layers);
    }

    /**
     * Returns the entry for the tag, or null if there is none: the entry with exactly that tag,
     * otherwise the first wildcard entry in file order whose pattern matches. In a merged file
     * each file is asked in turn.
     *
     * @throws NullPointerException if tag is null
     */
    public Entry lookup(Tag tag) {
        int value = tag.value();
        for (Layer layer : layers) {
            Entry entry = layer.lookup(value);
            if (entry != null) {
                return entry;
            }
        }
        return null;
    }

    /** The entries in file order (merged files one after the other), duplicates included. */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * The text {@code !poolused} prints for a tag pooltag.txt does not know:
     * {@code UNKNOWN pooltag 'Lea2', please update pooltag.txt}. The tag is written as
     * {@link Tag#toString()}, without trailing padding.
     *
     * @throws NullPointerException if tag is null
     */
    public static String unknownText(Tag tag) {
        return "UNKNOWN pooltag '" + tag + "', please update pooltag.txt";
    }

    /**
     * Writes the entries in the pooltag.txt format, one {@code \n}-terminated line each, tags
     * padded to four characters: {@code Cc   - nt!cc - Cache Manager allocations}. Comments and
     * blank lines are not kept. Parsing the result gives the same patterns, binaries and
     * descriptions in the same order; a merged file comes back as one file, in which an exact
     * tag beats a wildcard from any source.
     */
    public String format() {
        StringBuilder out = new StringBuilder();
        for (Entry entry : entries) {
            out.append(formatLine(entry)).append('\n');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "PoolTagFile[" + entries.size() + " entries]";
    }

    private static String formatLine(Entry entry) {
        String tag = String.format("%-4s", entry.pattern());
        if (!entry.binary().isEmpty()) {
            return tag + SEPARATOR + entry.binary() + SEPARATOR + entry.description();
        }
        if (!entry.description().isBlank()) {
            String twoFields = tag + SEPARATOR + entry.description();
            Entry reread = parseLine(entry.source(), entry.line(), twoFields);
            if (reread != null
                    && reread.binary().isEmpty()
                    && reread.description().equals(entry.description())) {
                return twoFields;
            }
        }
        return tag + SEPARATOR + SEPARATOR + entry.description();
    }

    private static PoolTagFile parseLines(String source, List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            Entry entry = parseLine(source, i + 1, line);
            if (entry != null) {
                entries.add(entry);
            }
        }
        return new PoolTagFile(List.of(Layer.of(entries)));
    }

    /** Returns the line's entry, or null for a line that is ignored. */
    private static Entry parseLine(String source, int number, String raw) {
        String line = raw.stripTrailing();
        String start = line.stripLeading();
        if (start.isEmpty() || start.startsWith("//")) {
            return null;
        }
        int separator = line.indexOf(SEPARATOR);
        if (isRemComment(line, start, separator)) {
            return null;
        }
        if (separator < 0) {
            if (Character.isWhitespace(line.charAt(0))) {
                return null;
            }
            throw new PoolTagFileException(
                    source,
                    number,
                    line.endsWith(" -")
                            ? "no binary or description after the tag"
                            : "no ' - ' separator after the tag");
        }
        TagPattern pattern =
                parseTag(source, number, line.substring(0, separator).stripTrailing());
        String rest = line.substring(separator + SEPARATOR.length());
        int second = rest.indexOf(SEPARATOR);
        if (second >= 0) {
            String binary = rest.substring(0, second).strip();
            if (!containsWhitespace(binary)) {
                return new Entry(pattern, binary, rest.substring(second + SEPARATOR.length()), source, number);
            }
        }
        int binaryEnd = 0;
        while (binaryEnd < rest.length() && !Character.isWhitespace(rest.charAt(binaryEnd))) {
            binaryEnd++;
        }
        int dash = binaryEnd;
        while (dash < rest.length() && Character.isWhitespace(rest.charAt(dash))) {
            dash++;
        }
        if (binaryEnd > 0 && dash > binaryEnd && dash < rest.length() && rest.charAt(dash) == '-') {
            return new Entry(pattern, rest.substring(0, binaryEnd), rest.substring(dash + 1), source, number);
        }
        return new Entry(pattern, "", rest, source, number);
    }

    private static boolean isRemComment(String line, String start, int separator) {
        boolean rem = start.regionMatches(true, 0, "rem", 0, 3)
                && (start.length() == 3 || Character.isWhitespace(start.charAt(3)));
        return rem && !(separator >= 0 && line.substring(0, separator).strip().equalsIgnoreCase("rem"));
    }

    private static TagPattern parseTag(String source, int number, String tag) {
        if (tag.isEmpty()) {
            throw new PoolTagFileException(source, number, "empty tag before ' - '");
        }
        String badCharacter = TagPattern.badCharacter(tag);
        if (badCharacter != null) {
            throw new PoolTagFileException(
                    source, number, "bad tag '" + TagPattern.printable(tag) + "' (" + badCharacter + ")");
        }
        if (TagPattern.charactersBesidesStar(tag) > 4) {
            throw new PoolTagFileException(source, number, "bad tag '" + tag + "' (" + BAD_TAG_RULE + ")");
        }
        return TagPattern.compile(tag);
    }

    private static boolean containsWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    static String decode(byte[] bytes) {
        if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
            return new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        }
        if (startsWith(bytes, 0xFF, 0xFE)) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
        }
        if (startsWith(bytes, 0xFE, 0xFF)) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16BE);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, WINDOWS_1252);
        }
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** One source's entries, indexed for lookup. */
    private record Layer(List<Entry> entries, Map<Integer, Entry> literals, List<Entry> wildcards) {

        static Layer of(List<Entry> entries) {
            Map<Integer, Entry> literals = new HashMap<>();
            List<Entry> wildcards = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.pattern().isLiteral()) {
                    literals.putIfAbsent(entry.pattern().literalValue(), entry);
                } else {
                    wildcards.add(entry);
                }
            }
            return new Layer(List.copyOf(entries), literals, List.copyOf(wildcards));
        }

        Entry lookup(int value) {
            Entry entry = literals.get(value);
            if (entry != null) {
                return entry;
            }
            for (Entry wildcard : wildcards) {
                if (wildcard.pattern().matchesValue(value)) {
                    return wildcard;
                }
            }
            return null;
        }
    }

    private static final class Bundled {

        static final PoolTagFile FILE = load();

        private static PoolTagFile load() {
            try (InputStream in = PoolTagFile.class.getResourceAsStream("pooltag.txt")) {
                if (in == null) {
                    throw new IllegalStateException("PoolTrack's own " + BUNDLED_SOURCE + " is missing from the jar");
                }
                return parseLines(
                        BUNDLED_SOURCE, decode(in.readAllBytes()).lines().toList());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read PoolTrack's own " + BUNDLED_SOURCE, e);
            }
        }
    }
}
