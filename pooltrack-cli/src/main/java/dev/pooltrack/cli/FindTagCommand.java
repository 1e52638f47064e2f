package dev.pooltrack.cli;

import dev.pooltrack.Tag;
import dev.pooltrack.report.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pooltrack findtag TAG <jar|dir|class...>}: where code uses a pool tag, the JVM's {@code
 * findstr /m /l Leak *.sys}.
 */
@Command(
        name = "findtag",
        mixinStandardHelpOptions = true,
        header = "Finds the code that uses a pool tag: class, method, line and bytecode offset.",
        description = {
            "",
            "Part 4 of \"Troubleshooting Pool Leaks\" greps the drivers for the tag (findstr /m /l Leak *.sys,"
                    + " !for_each_module s -a ... \"Leak\"). This scans class files for TAG as a string"
                    + " constant (LDC), a static final field's constant value, a string concatenation"
                    + " recipe, and an int holding the tag's little-endian value (or its big-endian"
                    + " value). Jars, class folders (searched recursively) and .class files; no class"
                    + " is loaded.",
            "",
            "Each line: class.method(descriptor) Source.java:line @offset kind: instruction.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the scan ran (whether or not the tag was found)",
            ExitStatus.ERROR + ":error: a bad tag, or an input that does not exist or cannot be read"
        })
final class FindTagCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TAG", description = "The pool tag: 1 to 4 characters, or 0x6B61654C.")
    String tag;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "JAR|DIR|CLASS", description = "Where to look.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--json", description = "Print the hits as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Tag t;
        try {
            t = Tag.parse(tag);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        TagScanner.Result r = TagScanner.scan(t, inputs);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Object> hits = new ArrayList<>();
            for (TagScanner.Hit h : r.hits()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("source", h.source());
                m.put("class", h.className());
                m.put("member", h.member());
                m.put("file", h.sourceFile());
                m.put("line", h.line());
                m.put("offset", h.bytecodeIndex());
                m.put("kind", h.kind().name());
                m.put("instruction", h.detail());
                hits.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("tag", t.text());
            doc.put("classes", r.classes());
            doc.put("hits", hits);
            doc.put("unreadable", r.unreadable());
            out.println(Json.write(doc));
        } else {
            out.print(text(t, r));
        }
        out.flush();
        return ExitStatus.SUCCESS;
    }

    static String text(Tag t, TagScanner.Result r) {
        StringBuilder b = new StringBuilder();
        String source = null;
        for (TagScanner.Hit h : r.hits()) {
            if (!h.source().equals(source)) {
                source = h.source();
                b.append(source).append(":\n");
            }
            String where = h.sourceFile() == null ? "" : h.sourceFile() + (h.line() >= 0 ? ":" + h.line() : "");
            b.append("  ")
                    .append(h.className())
                    .append('.')
                    .append(h.member())
                    .append("  ")
                    .append(where.isEmpty() ? "" : where + "  ")
                    .append(h.bytecodeIndex() >= 0 ? "@" + h.bytecodeIndex() + "  " : "")
                    .append(h.kind().text)
                    .append(": ")
                    .append(h.detail())
                    .append('\n');
        }
        b.append(String.format(
                "%s tag '%s' (0x%08X): %d use%s in %d classes%n",
                r.hits().isEmpty() ? "No" : "Found",
                t.text().stripTrailing(),
                t.value(),
                r.hits().size(),
                r.hits().size() == 1 ? "" : "s",
                r.classes()));
        for (String u : r.unreadable()) {
            b.append("  not read: ").append(u).append('\n');
        }
        return b.toString();
    }
}
