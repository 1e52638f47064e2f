package dev.pooltrack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pooltrack demo overrun}: runs {@link OverrunStory} and prints it. */
@Command(
        name = "overrun",
        mixinStandardHelpOptions = true,
        header = "Runs the overrun story: a plugin's native code writes past its buffer.",
        description = {
            "  1. verifier /flags 0x8: Pool Tracking finds the damaged tail zone at free (0xC4/0x51)",
            "  2. verifier /flags 0x9 (special pool), in a forked JVM: the write faults on the guard page,",
            "     the JVM dies, and pooltrack analyze reads its hs_err file: 0xD6 with the allocation",
            "  3. the same for a use after free: 0xD5",
            "The forked JVMs' files (settings, hs_err_pidNNN.log, slot tables) stay in --dir."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the story ran to its end",
            ExitStatus.ERROR + ":error: a forked JVM could not run or did not die as special pool makes it"
        })
final class DemoOverrunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Where the forked JVMs run and leave their files (default: a new temporary folder).")
    Path dir;

    @Override
    public Integer call() {
        Path where = dir;
        try {
            if (where == null) {
                where = Files.createTempDirectory("pooltrack-demo-overrun-");
            }
        } catch (IOException e) {
            throw new CommandException("cannot create a temporary folder: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(OverrunStory.run(where));
        out.println();
        out.println("The forked JVMs' files are in " + where);
        out.flush();
        return ExitStatus.SUCCESS;
    }
}
