package dev.pooltrack.cli;

import dev.pooltrack.examples.StorageDriver;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pooltrack demo}: runs {@link DemoStory} and prints it as text or JSON. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        subcommands = {DemoOverrunCommand.class, DemoChecks.LockedPagesCommand.class, DemoChecks.QuotaCommand.class},
        header = "Runs the pool-leak story of \"Troubleshooting Pool Leaks\" on two sample plugins.",
        description = {
            "In fresh pools inside this JVM:",
            "  1. verifier /flags 0x8: Pool Tracking for storage-plugin, network-plugin",
            "  2. !poolused /t5 2: tag Leak holds the most NonPaged bytes",
            "  3. storage-plugin unloads: bug check 0xC4/0x62 (logged), !analyze -v",
            "  4. !verifier 3 storage-plugin: the leaked blocks and their call site",
            "  5. Part 4: each call site of Leak gets a tag of its own (Lea1, Lea2, ...)",
            "  6. !poolused /t5 2 twice: the unique tag that grows names the leaking site",
            "Every number printed comes from the run.",
            "",
            "Other stories: 'pooltrack demo overrun' (tail zone, special pool, hs_err analysis),",
            "'pooltrack demo lockedpages' (0xCB), 'pooltrack demo quota' (quota, 0xC4/0x10A, 0x10B)."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the story ran to its end",
            ExitStatus.ERROR + ":error: bad input (an unknown option, a bad --requests) or a failed run"
        })
final class DemoCommand implements Callable<Integer> {

    /** The most requests a round may have: the demo is meant to finish in seconds. */
    static final int MAX_REQUESTS = 100_000;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--json",
            description = "Print one JSON document with each step's data (the reports' JSON) instead of text.")
    boolean json;

    @Option(
            names = "--requests",
            paramLabel = "N",
            defaultValue = "300",
            description = "Requests sent through each plugin per round (1 to " + MAX_REQUESTS
                    + "; default ${DEFAULT-VALUE}). storage-plugin leaks one metadata block every "
                    + StorageDriver.CACHE_EVERY + " requests.")
    int requests;

    @Override
    public Integer call() {
        if (requests < 1 || requests > MAX_REQUESTS) {
            throw new ParameterException(
                    spec.commandLine(),
                    "bad value " + requests + " for --requests: give a number from 1 to " + MAX_REQUESTS);
        }
        DemoStory story = DemoStory.run(requests);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(story.json());
        } else {
            out.print(story.text());
        }
        out.flush();
        return ExitStatus.SUCCESS;
    }
}
