package dev.pooltrack.cli;

import dev.pooltrack.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.IntegerEntry;
import java.lang.classfile.constantpool.StringEntry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.LineNumber;
import java.lang.constant.ConstantDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds where class files use a pool tag: the JVM's {@code findstr /m /l Leak *.sys} and {@code
 * !for_each_module s -a @#Base @#End "Leak"} (Part 4 of "Troubleshooting Pool Leaks").
 *
 * <p>Thread-safe (stateless). Reads jars, class folders and single class files with the ClassFile
 * API; never loads a class.
 */
final class TagScanner {

    /* Where a tag can hide in a class file:
     *   - a string constant loaded by LDC / LDC_W ("Leak", or "Lea" for a tag padded with spaces);
     *   - a static final String field's ConstantValue attribute: javac folds such constants into every
     *     use, so the field is often the only place the text survives in its declaring class;
     *   - a string concatenation recipe: TAG + x compiles to invokedynamic makeConcatWithConstants,
     *     whose recipe ("Leak\u0001") is a bootstrap argument, not an LDC;
     *   - an int: a tag built as its little-endian value (0x6B61654C for Leak), loaded by LDC or held
     *     in a static final int field; the big-endian value (0x4C65616B) too, the way a C multi-char
     *     constant 'Leak' or a hand-packed int would read.
     * Offsets are counted as javap prints them: the sum of the sizes of the instructions before. */

    /** Where a tag was found. */
    enum Kind {
        STRING("string constant"),
        CONSTANT_FIELD("static final field"),
        CONCAT("string concatenation"),
        INT_LE("int, little-endian tag value"),
        INT_BE("int, big-endian");

        final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    /**
     * One use of the tag.
     *
     * @param source the jar or folder holding the class
     * @param className the class's binary name
     * @param member the method or field, with its descriptor
     * @param line the source line, or -1 (a field, or no line table)
     * @param bytecodeIndex the instruction's offset, or -1 for a field's constant
     * @param detail the instruction or constant
     */
    record Hit(
            String source,
            String className,
            String member,
            String sourceFile,
            int line,
            int bytecodeIndex,
            Kind kind,
            String detail) {}

    /** The hits and how many classes were read. */
    record Result(List<Hit> hits, int classes, List<String> unreadable) {}

    private TagScanner() {}

    /**
     * Scans every class under {@code inputs}.
     *
     * @throws IllegalArgumentException if an input does not exist, cannot be read, or is not a jar, a
     *     folder or a class file
     */
    static Result scan(Tag tag, List<Path> inputs) {
        Matcher m = new Matcher(tag);
        List<Hit> hits = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        int[] classes = {0};
        for (Path in : inputs) {
            if (!Files.exists(in)) {
                throw new IllegalArgumentException("no such file or folder: " + in);
            }
            try {
                if (Files.isDirectory(in)) {
                    try (Stream<Path> files = Files.walk(in)) {
                        for (Path f : files.filter(p -> p.toString().endsWith(".class"))
                                .sorted()
                                .toList()) {
                            classes[0]++;
                            scanClass(m, in.toString(), f.toString(), Files.readAllBytes(f), hits, unreadable);
                        }
                    }
                } else if (in.toString().endsWith(".class")) {
                    classes[0]++;
                    scanClass(m, in.toString(), in.toString(), Files.readAllBytes(in), hits, unreadable);
                } else if (isJar(in)) {
                    try (JarFile jar = new JarFile(in.toFile())) {
                        List<JarEntry> entries = new ArrayList<>();
                        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                            JarEntry je = e.nextElement();
                            if (je.getName().endsWith(".class") && !je.getName().endsWith("module-info.class")) {
                                entries.add(je);
                            }
                        }
                        for (JarEntry je : entries) {
                            classes[0]++;
                            try (InputStream s = jar.getInputStream(je)) {
                                scanClass(m, in.toString(), je.getName(), s.readAllBytes(), hits, unreadable);
                            }
                        }
                    }
                } else {
                    throw new IllegalArgumentException(in + " is not a jar, a class folder or a .class file");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + in + ": " + e.getMessage(), e);
            }
        }
        return new Result(hits, classes[0], unreadable);
    }

    private static boolean isJar(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".jar") || n.endsWith(".zip") || n.endsWith(".war");
    }

    private static void scanClass(
            Matcher m, String source, String entry, byte[] bytes, List<Hit> hits, List<String> unreadable) {
        ClassModel cm;
        try {
            cm = ClassFile.of().parse(bytes);
        } catch (IllegalArgumentException e) {
            unreadable.add(entry + " (" + e.getMessage() + ")");
            return;
        }
        String className = cm.thisClass().asInternalName().replace('/', '.');
        String sourceFile = cm.findAttribute(Attributes.sourceFile())
                .map(a -> a.sourceFile().stringValue())
                .orElse(null);
        for (FieldModel f : cm.fields()) {
            f.findAttribute(Attributes.constantValue()).ifPresent(cv -> {
                Kind k = m.constant(cv.constant().constantValue());
                if (k != null) {
                    String member =
                            f.fieldName().stringValue() + ":" + f.fieldType().stringValue();
                    hits.add(new Hit(
                            source,
                            className,
                            member,
                            sourceFile,
                            -1,
                            -1,
                            k == Kind.STRING ? Kind.CONSTANT_FIELD : k,
                            "ConstantValue " + show(cv.constant().constantValue())));
                }
            });
        }
        for (MethodModel mm : cm.methods()) {
            CodeModel code = mm.code().orElse(null);
            if (code == null) {
                continue;
            }
            String member = mm.methodName().stringValue() + mm.methodType().stringValue();
            int bci = 0;
            int line = -1;
            for (CodeElement e : code) {
                if (e instanceof LineNumber ln) {
                    line = ln.line();
                    continue;
                }
                if (!(e instanceof Instruction ins)) {
                    continue;
                }
                if (ins instanceof ConstantInstruction.LoadConstantInstruction ldc) {
                    Kind k = null;
                    if (ldc.constantEntry() instanceof StringEntry s) {
                        k = m.string(s.stringValue());
                    } else if (ldc.constantEntry() instanceof IntegerEntry i) {
                        k = m.integer(i.intValue());
                    }
                    if (k != null) {
                        hits.add(new Hit(
                                source,
                                className,
                                member,
                                sourceFile,
                                line,
                                bci,
                                k,
                                ins.opcode().name() + " " + show(ldc.constantValue())));
                    }
                } else if (ins instanceof InvokeDynamicInstruction indy) {
                    for (ConstantDesc arg : indy.bootstrapArgs()) {
                        if (arg instanceof String recipe && m.contains(recipe)) {
                            hits.add(new Hit(
                                    source,
                                    className,
                                    member,
                                    sourceFile,
                                    line,
                                    bci,
                                    Kind.CONCAT,
                                    "INVOKEDYNAMIC " + indy.name().stringValue() + " recipe " + show(recipe)));
                            break;
                        }
                    }
                }
                bci += ins.sizeInBytes();
            }
        }
    }

    private static String show(ConstantDesc c) {
        if (c instanceof String s) {
            StringBuilder b = new StringBuilder("\"");
            for (char ch : s.toCharArray()) {
                b.append(ch >= 0x20 && ch < 0x7F ? String.valueOf(ch) : String.format("\\u%04x", (int) ch));
            }
            return b.append('"').toString();
        }
        if (c instanceof Integer i) {
            return String.format("0x%08X", i);
        }
        return String.valueOf(c);
    }

    /** What counts as the tag. */
    private static final class Matcher {
        private final String text;
        private final String stripped;
        private final int little;
        private final int big;

        Matcher(Tag tag) {
            this.text = tag.text();
            this.stripped = text.stripTrailing();
            this.little = tag.value();
            this.big = Integer.reverseBytes(tag.value());
        }

        Kind string(String s) {
            return s.equals(text) || s.equals(stripped) ? Kind.STRING : null;
        }

        Kind integer(int v) {
            return v == little ? Kind.INT_LE : v == big ? Kind.INT_BE : null;
        }

        Kind constant(ConstantDesc c) {
            if (c instanceof String s) {
                return string(s);
            }
            if (c instanceof Integer i) {
                return integer(i);
            }
            return null;
        }

        boolean contains(String recipe) {
            return recipe.contains(stripped);
        }
    }
}
