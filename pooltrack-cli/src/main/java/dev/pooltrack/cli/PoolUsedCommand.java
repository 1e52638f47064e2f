package dev.pooltrack.cli;

import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolTagFile;
import dev.pooltrack.Tag;
import dev.pooltrack.TagPattern;
import dev.pooltrack.cli.source.PoolSource;
import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.report.PoolUsedReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pooltrack poolused}: {@code !poolused} against a running JVM or a bug check report file. */
@Command(
        name = "poolused",
        mixinStandardHelpOptions = true,
        header = "!poolused: pool in use per tag (allocations outstanding and bytes, NonPaged and Paged).",
        synopsisHeading = "%nUsage:%n",
        customSynopsis = {
            "  pooltrack poolused PID [FLAGS [TAG]] [/t N] [--json] [--pooltag FILE]...",
            "  pooltrack poolused --report FILE [FLAGS [TAG]] [/t N] [--json] [--pooltag FILE]..."
        },
        description = {
            "",
            "FLAGS as !poolused: 0 sorts by tag (the default), 2 by NonPaged bytes, 4 by Paged bytes; 1"
                    + " (verbose) is accepted and adds nothing on the JVM; 8 (session pool) has no counterpart"
                    + " and is refused. Decimal or 0x hex. TAG shows only the tags it matches: '*' matches any"
                    + " run of characters, '?' one; without '*' it is a whole tag (case-sensitive).",
            "",
            "Descriptions come from pooltrack's bundled pooltag.txt, under each --pooltag FILE (the first"
                    + " file that knows a tag wins). TOTAL sums every tag matched, also those cut off by /t.",
            "",
            "The counters are read in one call, in O(tags): the JVM's outstanding allocations are not walked.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the table was printed",
            ExitStatus.ERROR + ":error: bad input, no such JVM, no PoolTrack in it, a bad report or pooltag file"
        })
final class PoolUsedCommand implements Callable<Integer> {

    private final PoolSources sources;

    @Spec
    CommandSpec spec;

    @Parameters(
            arity = "0..3",
            paramLabel = "ARG",
            description = "[PID] [FLAGS [TAG]]; without --pid or --report the first is the pid.")
    List<String> arguments = new ArrayList<>();

    @Option(
            names = {"-t", "--top"},
            paramLabel = "N",
            description = "Show the first N rows only (/t N, /tN; 0 for all).")
    int top;

    @Option(names = "--pid", paramLabel = "PID", description = "The JVM to read.")
    Long pid;

    @Option(names = "--report", paramLabel = "FILE", description = "Read a bug check report file instead of a JVM.")
    Path report;

    @Option(
            names = "--pooltag",
            paramLabel = "FILE",
            description = "A pooltag.txt whose descriptions go before the bundled ones (repeatable).")
    List<Path> pooltags = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON: the rows shown and the total.")
    boolean json;

    /** The command, reading JVMs through {@code sources}. */
    PoolUsedCommand(PoolSources sources) {
        this.sources = sources;
    }

    @Override
    public Integer call() {
        List<String> rest = new ArrayList<>(arguments);
        Long target = pid;
        if (target == null && report == null && !rest.isEmpty() && !looksLikeFlags(rest.getFirst())) {
            target = Targets.pid(rest.removeFirst());
        }
        int flags = rest.isEmpty() ? 0 : Targets.number(rest.removeFirst(), "!poolused flags", 0xF);
        TagPattern pattern = rest.isEmpty() ? null : TagPattern.parse(rest.removeFirst());
        if (top < 0) {
            throw new CommandException("bad /t " + top + ": give the number of rows to show, or 0 for all");
        }
        Function<Tag, String> describe = describer(pooltags);

        PoolSnapshot s;
        try (PoolSource source = Targets.open(sources, target, report, "poolused 4242 2")) {
            s = source.snapshot();
        }
        if (pattern != null) {
            s = new PoolSnapshot(
                    s.timeMillis(),
                    s.level(),
                    s.tags().stream().filter(t -> pattern.matches(t.tag())).toList(),
                    s.drivers(),
                    s.global());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? PoolUsedReport.json(s, describe, flags, top) : PoolUsedReport.text(s, describe, flags, top));
        out.flush();
        return ExitStatus.SUCCESS;
    }

    /** A pid needs a JVM, so a first argument is flags only when a source is named otherwise. */
    private boolean looksLikeFlags(String arg) {
        return arg.startsWith("0x") || arg.startsWith("0X");
    }

    /** The description of each tag: the user's files first, then pooltrack's own pooltag.txt. */
    static Function<Tag, String> describer(List<Path> files) {
        List<PoolTagFile> layers = new ArrayList<>();
        for (Path f : files) {
            layers.add(PoolTagFile.parse(f));
        }
        layers.add(PoolTagFile.bundled());
        PoolTagFile pooltag = PoolTagFile.merge(layers.toArray(PoolTagFile[]::new));
        return tag -> {
            PoolTagFile.Entry e = pooltag.lookup(tag);
            return e != null ? e.poolusedText() : PoolTagFile.unknownText(tag);
        };
    }
}
