package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.report.Json;
import dev.pooltrack.report.PoolMonOptions;
import dev.pooltrack.report.PoolMonReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class PoolMonCommandTest {

    private final TestPools pools = new TestPools();

    @TempDir
    Path dir;

    private Cli.Run poolmon(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "poolmon";
        System.arraycopy(args, 0, all, 1, args.length);
        return Cli.pooltrack(pools.sources(), all);
    }

    /** The output without its first line, which holds the time. */
    private static String timeless(String out) {
        return out.substring(out.indexOf('\n') + 1);
    }

    private static List<String> tags(String out) {
        return out.lines()
                .dropWhile(l -> !l.startsWith(" Tag  Type"))
                .skip(2)
                .takeWhile(l -> !l.isEmpty())
                .map(l -> l.substring(1, 11).strip())
                .toList();
    }

    private PoolMonCommand.Setup setup(String... args) {
        PoolMonCommand command = new PoolMonCommand(pools.sources());
        new CommandLine(command).parseArgs(args);
        return command.setup();
    }

    @Test
    void once_printsHeaderAndTheLivePoolsTableWithoutEscapes() {
        Cli.Run run = poolmon("--once", TestPools.PID);

        assertThat(run.status()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0))
                .startsWith(" PoolTrack poolmon: JVM 4242 (dev.pooltrack.test.Main)  ")
                .endsWith(" UTC");
        assertThat(lines.get(1)).isEqualTo(" Pool N: 1K P: 8K   Tags: 4   Level: 00000000");
        assertThat(lines.get(2)).isEqualTo(" Sort: Tag   Pools: NonPaged and Paged");
        String table = String.join("\n", lines.subList(4, lines.size())) + "\n";
        assertThat(table)
                .isEqualTo(PoolMonReport.text(pools.pool.snapshot(), null, PoolMonOptions.defaults()))
                .contains(" Leak Nonp          3 (   0)         0 (   0)        3     300 (     0)    100")
                .contains(" Netw Nonp          5 (   0)         4 (   0)        1      64 (     0)     64")
                .contains(" Mmap Paged         1 (   0)         0 (   0)        1    8192 (     0)   8192");
        assertThat(run.out()).doesNotContain("\033");
    }

    @Test
    void onceJson_isPoolMonsJsonOfTheLivePool() {
        Cli.Run run = poolmon("--once", "--json", "/b", TestPools.PID);

        assertThat(run.status()).as(run.err()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) Json.parse(run.out());
        assertThat(doc).containsEntry("sort", "BYTES").containsEntry("beforeTimeMillis", null);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) doc.get("rows");
        assertThat(rows).extracting(r -> r.get("tag")).containsExactly("Mmap", "Leak", "Lea1", "Netw");
        assertThat(rows.get(1))
                .containsEntry("allocs", 3L)
                .containsEntry("bytes", 300L)
                .containsEntry("type", "Nonp");
    }

    @Test
    void once_seesAllocationsMadeSinceTheLastRun() {
        String before = poolmon("--once", "/iLeak").out();
        pools.allocate(pools.storage, dev.pooltrack.PoolType.NON_PAGED, 100, "Leak", 2);

        String after = poolmon("--once", "/iLeak").out();

        assertThat(before).contains(" Leak Nonp          3 (   0)");
        assertThat(after).contains(" Leak Nonp          5 (   0)         0 (   0)        5     500");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/iLe* /xLea1          | --include Le* --exclude Lea1",
                "/iLe?? /iN*           | --include Le?? --include N*",
                "/p                    | --pool nonpaged",
                "/p /p                 | --pool paged",
                "/P /P /e              | --pool=paged --totals",
                "/e                    | --totals",
                "/(  /b                | --by-change --sort bytes",
                "/) /d                 | --by-change --sort=diff",
                "/a                    | --sort allocs",
                "/f                    | --sort frees",
                "/m                    | --sort per-alloc",
                "/t                    | --sort tag",
                "/g                    | --mapped-driver",
                "/l /b                 | --no-highlight --sort BYTES"
            })
    void windowsAndGnuSpellings_printTheSameTable(String windows, String gnu) {
        Cli.Run w = poolmon(Stream.concat(Stream.of("--once"), Stream.of(windows.split(" +")))
                .toArray(String[]::new));
        Cli.Run g = poolmon(
                Stream.concat(Stream.of("--once"), Stream.of(gnu.split(" +"))).toArray(String[]::new));

        assertThat(w.status()).as(w.err()).isZero();
        assertThat(g.status()).as(g.err()).isZero();
        assertThat(timeless(w.out())).isEqualTo(timeless(g.out()));
    }

    @Test
    void switches_changeWhatIsShown() {
        assertThat(tags(poolmon("--once").out())).containsExactly("Lea1 Nonp", "Leak Nonp", "Mmap Paged", "Netw Nonp");
        assertThat(tags(poolmon("--once", "/iLe*", "/xLea1").out())).containsExactly("Leak Nonp");
        assertThat(tags(poolmon("--once", "/p").out())).containsExactly("Lea1 Nonp", "Leak Nonp", "Netw Nonp");
        assertThat(tags(poolmon("--once", "/p", "/p").out())).containsExactly("Mmap Paged");
        assertThat(tags(poolmon("--once", "/b").out()))
                .containsExactly("Mmap Paged", "Leak Nonp", "Lea1 Nonp", "Netw Nonp");
        assertThat(tags(poolmon("--once", "/a").out())).startsWith("Netw Nonp", "Leak Nonp");
        assertThat(tags(poolmon("--once", "/iLEAK").out()))
                .as("tags are case-sensitive")
                .isEmpty();
        assertThat(poolmon("--once", "/e").out())
                .contains("Total Nonp         10 (   0)         4 (   0)        6     444 (     0)     74");
        assertThat(poolmon("--once", "/g").out())
                .contains("Per Alloc   Mapped_Driver")
                .contains("  Unknown Driver");
    }

    @Test
    void pooltagFile_namesTheMappedDriverAheadOfPoolTracksOwn() throws IOException {
        Path pooltag = dir.resolve("pooltag.txt");
        Files.writeString(pooltag, "Leak - storage-plugin - metadata blocks cached per request\n");

        Cli.Run windows = poolmon("--once", "/g", pooltag.toString(), TestPools.PID);
        Cli.Run gnu = poolmon("--once", "--pooltag", pooltag.toString());

        assertThat(windows.status()).as(windows.err()).isZero();
        assertThat(windows.out())
                .contains(" Leak Nonp          3 (   0)         0 (   0)        3     300 (     0)    100"
                        + "  [storage-plugin - metadata blocks cached per request]")
                .contains(
                        " Netw Nonp          5 (   0)         4 (   0)        1      64 (     0)     64  Unknown Driver");
        assertThat(timeless(gnu.out())).isEqualTo(timeless(windows.out()));
    }

    @Test
    void snapshotFile_holdsTheOnceTextAndReplacesTheOldFileWholly() throws IOException {
        Path file = dir.resolve("poolsnap.log");
        Files.writeString(file, "an older snapshot that is longer than the new one ".repeat(100));

        Cli.Run run = poolmon("/n", file.toString(), "/b", TestPools.PID);

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("pooltrack poolmon: snapshot written to " + file + "\n");
        String written = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(timeless(written)).isEqualTo(timeless(poolmon("--once", "/b").out()));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void snapshotFileJson_holdsTheJson() throws IOException {
        Path file = dir.resolve("snap.json");

        Cli.Run run = poolmon("--snapshot", file.toString(), "--json");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(Json.parse(Files.readString(file))).isInstanceOf(Map.class);
    }

    @Test
    void slashN_withoutFile_writesPoolsnapLogAndReadsAPidAfterIt() {
        assertThat(setup("/n").snapshotFile()).isEqualTo(Path.of("poolsnap.log"));
        PoolMonCommand.Setup s = setup("/n", "4242", "/b");
        assertThat(s.snapshotFile()).isEqualTo(Path.of("poolsnap.log"));
        assertThat(s.pid()).isEqualTo("4242");
        assertThat(setup("/n", "/var/tmp/snap.log").snapshotFile()).isEqualTo(Path.of("/var/tmp/snap.log"));
        assertThat(setup("/n", "snap.log", "/p").snapshotFile()).isEqualTo(Path.of("snap.log"));
        assertThat(setup("/n", "/p").snapshotFile()).isEqualTo(Path.of("poolsnap.log"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "/z                 | unknown switch /z",
                "/bb                | unknown switch /bb",
                "/i                 | /i needs a tag, for example /iLeak",
                "/i*Leak            | bad tag pattern '*Leak' for /i: a pattern may not begin with '*'",
                "/xLeaky            | bad tag pattern 'Leaky': 5 characters besides '*', at most 4 (/x)",
                "--include *        | a pattern may not begin with '*'",
                "/p /p /p           | /p given 3 times",
                "/p --pool paged    | the pools are given twice, /p and --pool paged",
                "/b /a              | more than one sort key: /b, /a; give one",
                "--sort size        | bad value 'size' for --sort: use tag, allocs, frees, diff, bytes or per-alloc",
                "--pool swap        | bad value 'swap' for --pool: use nonpaged, paged or both",
                "--interval 0       | bad value 0 for --interval: give seconds from 1 to 3600",
                "--interval 3601    | bad value 3601 for --interval",
                "/s                 | session pools have no counterpart in a JVM",
                "/s1                | session pools have no counterpart in a JVM",
                "/c                 | legacy localtag.txt column is not supported",
                "12 13              | two pids, 12 and 13: poolmon reads one JVM",
                "abc                | unexpected argument 'abc'",
                "/                  | '/' alone is not a switch",
                "--bogus            | Unknown option: '--bogus'",
                "/g /no/such/pooltag.txt | pooltag file not found: /no/such/pooltag.txt"
            })
    void badSwitch_exitsOneWithAMessageAndChangesNothing(String args, String message) {
        Cli.Run run = poolmon(
                Stream.concat(Stream.of("--once"), Stream.of(args.split(" +"))).toArray(String[]::new));

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).contains(message);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void json_withoutOnceOrASnapshotFile_exitsOne() {
        Cli.Run run = poolmon("--json", TestPools.PID);

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).startsWith("pooltrack: --json goes with --once or /n FILE: the live view is text");
    }

    @Test
    void unknownPid_exitsOneNamingIt() {
        Cli.Run run = poolmon("--once", "999");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).isEqualTo("pooltrack: no JVM with pid 999\n");
    }

    @Test
    void liveJvm_noSuchProcess_exitsOneSayingSo() {
        long unused = 999_999;
        while (ProcessHandle.of(unused).isPresent()) {
            unused++;
        }
        StringWriterRun run =
                StringWriterRun.of(PoolTrackCommand.commandLine(), "poolmon", "--once", Long.toString(unused));

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).isEqualTo("pooltrack: no Java process with pid " + unused + "\n");
    }

    @Test
    void liveView_withoutATerminal_exitsOneAndPointsToOnce() {
        Cli.Run run = poolmon(TestPools.PID);

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err())
                .startsWith(
                        "pooltrack: the live view needs a terminal on standard input and output; for a script use --once");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void windowsHelpSwitch_printsUsage() {
        for (String help : List.of("/?", "/h", "--help")) {
            Cli.Run run = poolmon(help);

            assertThat(run.status()).as(help).isZero();
            assertThat(run.out())
                    .as(help)
                    .contains("Usage: pooltrack poolmon [pid] [/iTag]...")
                    .contains("  /n [FILE]   write one snapshot to FILE (default poolsnap.log) and exit");
        }
    }

    /** A run of a given command line. */
    record StringWriterRun(int status, String out, String err) {
        static StringWriterRun of(CommandLine cl, String... args) {
            var out = new java.io.StringWriter();
            var err = new java.io.StringWriter();
            cl.setOut(new java.io.PrintWriter(out));
            cl.setErr(new java.io.PrintWriter(err));
            int status = cl.execute(args);
            return new StringWriterRun(status, out.toString(), err.toString());
        }
    }
}
