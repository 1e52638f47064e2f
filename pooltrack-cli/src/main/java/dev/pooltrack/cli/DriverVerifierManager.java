package dev.pooltrack.cli;

import dev.pooltrack.DriverCounters;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.cli.source.PoolSource;
import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.report.QueryReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Driver Verifier Manager for PoolTrack: the wizard {@code pooltrack verifier} opens without
 * arguments. Numbered menus read line by line, so it runs in any terminal, over SSH and through a
 * pseudo-terminal or a pipe. One instance runs once; not thread-safe.
 */
final class DriverVerifierManager {

    /* The steps of Driver Verifier Manager (seed 000, "Using Driver Verifier Manager"; reference
     * §3): select a task (create standard settings, create custom settings for code developers,
     * delete, display existing settings, display information about the currently verified
     * drivers); for custom settings "Select individual settings from a full list" and check Pool
     * tracking; select the drivers to verify; finish. Windows' full list has every /flags bit
     * (§3.2); here each bit PoolTrack does not implement is listed without a check box and says
     * why, as VerifierFlags.requireImplemented would refuse it.
     *
     * Windows' manager offers "after the next boot" only. A JVM can also be changed now, through
     * /volatile (§3.3), so the last step asks which: after restart writes the settings file and
     * exits 2 (EXIT_CODE_REBOOT_NEEDED, §3.1); now sets the flags and adds the drivers in the chosen
     * JVM and exits 0. The driver list comes from that JVM, each driver with its status (Loaded,
     * Unloaded, Never Loaded), and names of drivers it has not loaded can be added, as Windows'
     * "Add currently not loaded driver(s) to the list".
     *
     * New settings replace the flags and drivers in the file; PoolTrack's own keys there (response,
     * call sites, unique tags, report directory) have no page in Windows' manager and are kept.
     *
     * Every prompt takes b (Back) and q (Cancel). Bad input repeats the prompt with a message. The
     * end of input stops the wizard with exit 1 before anything is changed, or after the last
     * change it made, and says so. */

    private static final String TITLE = "Driver Verifier Manager (PoolTrack)";

    private enum Step {
        TASK,
        CUSTOM_TYPE,
        FULL_LIST,
        DRIVER_CHOICE,
        DRIVER_LIST,
        APPLY
    }

    /** Thrown when the input ends at a prompt. */
    private static final class InputEnded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InputEnded() {
            super("input ended", null, false, false);
        }
    }

    /** A prompt's answer that moves the wizard: back or cancel. */
    private static final class Leave extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean cancel;

        Leave(boolean cancel) {
            super(cancel ? "cancel" : "back", null, false, false);
            this.cancel = cancel;
        }
    }

    private final PoolSources sources;
    private final Path settingsFile;
    private final BufferedReader in;
    private final PrintWriter out;
    private final PrintWriter err;

    private int flags;
    private boolean allDrivers;
    private final Set<String> drivers = new LinkedHashSet<>();
    private final List<String> typedDrivers = new ArrayList<>();
    private PoolSource source;
    private String pid;

    private DriverVerifierManager(
            PoolSources sources, Path settingsFile, BufferedReader in, PrintWriter out, PrintWriter err) {
        this.sources = sources;
        this.settingsFile = settingsFile;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the wizard to its end.
     *
     * @param sources how a JVM is opened from the pid typed
     * @param settingsFile the settings file "after restart" writes and the display shows
     * @param in the answers, one a line
     * @param out the menus and results
     * @param err the message when the input ends
     * @return {@link ExitStatus#RESTART_NEEDED} when settings were saved or deleted, {@link
     *     ExitStatus#SUCCESS} when they were applied now, displayed or the wizard was cancelled,
     *     {@link ExitStatus#ERROR} when the input ended or the settings file could not be read or
     *     written
     */
    static int run(PoolSources sources, Path settingsFile, BufferedReader in, PrintWriter out, PrintWriter err) {
        return new DriverVerifierManager(sources, settingsFile, in, out, err).run();
    }

    private int run() {
        try {
            out.println(TITLE);
            return wizard();
        } catch (InputEnded e) {
            out.flush();
            err.println("pooltrack verifier: input ended; no settings were changed");
            err.flush();
            return ExitStatus.ERROR;
        } catch (Leave e) {
            out.println();
            out.println("Cancelled: no settings were changed.");
            return ExitStatus.SUCCESS;
        } finally {
            closeSource();
            out.flush();
        }
    }

    private int wizard() {
        Deque<Step> back = new ArrayDeque<>();
        Step step = Step.TASK;
        while (true) {
            try {
                Step next;
                switch (step) {
                    case TASK -> {
                        int task = choose(
                                "Select a task",
                                List.of(
                                        "Create standard settings",
                                        "Create custom settings (for code developers)",
                                        "Delete existing settings",
                                        "Display existing settings",
                                        "Display information about the currently verified drivers"),
                                false);
                        switch (task) {
                            case 1 -> {
                                flags = VerifierFlags.standardFlags();
                                next = Step.DRIVER_CHOICE;
                            }
                            case 2 -> {
                                flags = 0;
                                next = Step.CUSTOM_TYPE;
                            }
                            default -> {
                                try {
                                    return task == 3
                                            ? deleteSettings()
                                            : task == 4 ? displaySettings() : displayDrivers();
                                } catch (Leave e) {
                                    if (e.cancel) {
                                        throw e;
                                    }
                                    continue;
                                }
                            }
                        }
                    }
                    case CUSTOM_TYPE -> {
                        int type = choose(
                                "Select what type of settings to create",
                                List.of(
                                        "Enable predefined settings (the standard settings: "
                                                + flagNames(VerifierFlags.standardFlags()) + ")",
                                        "Select individual settings from a full list"),
                                true);
                        if (type == 1) {
                            flags = VerifierFlags.standardFlags();
                            next = Step.DRIVER_CHOICE;
                        } else {
                            next = Step.FULL_LIST;
                        }
                    }
                    case FULL_LIST -> {
                        fullList();
                        next = Step.DRIVER_CHOICE;
                    }
                    case DRIVER_CHOICE -> {
                        int how = choose(
                                "Select what drivers to verify",
                                List.of(
                                        "Automatically select all drivers (/all)",
                                        "Select driver names from a list (a running JVM's, or names you type)"),
                                true);
                        allDrivers = how == 1;
                        next = allDrivers ? Step.APPLY : Step.DRIVER_LIST;
                    }
                    case DRIVER_LIST -> {
                        driverList();
                        next = Step.APPLY;
                    }
                    default -> {
                        return apply();
                    }
                }
                back.push(step);
                step = next;
            } catch (Leave e) {
                if (e.cancel) {
                    throw e;
                }
                if (back.isEmpty()) {
                    out.println("This is the first step: nothing to go back to (q cancels).");
                } else {
                    step = back.pop();
                }
            }
        }
    }

    // ---------------------------------------------------------------- custom settings

    private void fullList() {
        List<VerifierFlags.Flag> all = VerifierFlags.all();
        boolean show = true;
        while (true) {
            if (show) {
                out.println();
                out.println("Select individual settings from this full list");
                for (int i = 0; i < all.size(); i++) {
                    VerifierFlags.Flag f = all.get(i);
                    String box = f.implemented() ? ((flags & f.value()) != 0 ? "[X]" : "[ ]") : "   ";
                    String note = f.implemented() ? "" : f.notApplicable() ? "no JVM counterpart" : "not available yet";
                    out.println(String.format("  %2d  %s 0x%08X %-37s %s", i + 1, box, f.value(), f.name(), note)
                            .stripTrailing());
                }
                out.println("Type a number to check or uncheck that setting.");
            }
            show = false;
            String answer = ask("n Next (b Back, q Cancel): ");
            if (answer.equalsIgnoreCase("n")) {
                if (flags == 0) {
                    out.println("Check at least one setting: Pool tracking is number "
                            + (all.indexOf(VerifierFlags.flag(VerifierFlags.POOL_TRACKING)) + 1) + ".");
                    continue;
                }
                return;
            }
            if (answer.isEmpty()) {
                show = true;
                continue;
            }
            for (String word : answer.split("[\\s,]+")) {
                int n = number(word, all.size());
                if (n < 0) {
                    out.println("'" + printable(word) + "' is not a number from 1 to " + all.size() + ".");
                    continue;
                }
                VerifierFlags.Flag f = all.get(n - 1);
                if (!f.implemented()) {
                    out.println(String.format(
                            "%s (0x%X) cannot be selected: %s.",
                            f.name(),
                            f.value(),
                            f.notApplicable()
                                    ? "it has no counterpart on the JVM"
                                    : "it is not available in this version of PoolTrack yet"));
                    continue;
                }
                flags ^= f.value();
                show = true;
            }
        }
    }

    // ---------------------------------------------------------------- drivers

    private void driverList() {
        if (source == null && !chooseJvm(false)) {
            out.println("No JVM chosen: add the drivers to verify by name.");
        }
        boolean show = true;
        while (true) {
            List<DriverRow> rows = driverRows();
            if (show) {
                out.println();
                out.println("Select drivers to verify" + (source == null ? "" : " (" + describe(source) + ")"));
                if (rows.isEmpty()) {
                    out.println("  (no drivers listed yet)");
                } else {
                    int w = Math.max(
                            "Driver".length(),
                            rows.stream().mapToInt(r -> r.name().length()).max().orElse(0));
                    out.println(
                            String.format("      Verify  %-" + w + "s  %-14s%s", "Driver", "Status", "Verified now"));
                    for (int i = 0; i < rows.size(); i++) {
                        DriverRow r = rows.get(i);
                        out.println(String.format(
                                "  %2d  %s     %-" + w + "s  %-14s%s",
                                i + 1,
                                drivers.contains(r.name()) ? "[X]" : "[ ]",
                                printable(r.name()),
                                r.status(),
                                r.verifiedNow()));
                    }
                }
                out.println((rows.isEmpty() ? "" : "Type numbers to check or uncheck drivers; ")
                        + "+ NAME adds a driver that is not loaded.");
            }
            show = false;
            String answer = ask("n Next (b Back, q Cancel): ");
            if (answer.equalsIgnoreCase("n")) {
                if (drivers.isEmpty()) {
                    out.println("Check at least one driver, or go back and select all drivers.");
                    continue;
                }
                return;
            }
            if (answer.isEmpty()) {
                show = true;
                continue;
            }
            if (answer.startsWith("+")) {
                String name = answer.substring(1).strip();
                if (name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
                    out.println("Give a driver name after +, for example + storage-plugin");
                    continue;
                }
                if (rows.stream().noneMatch(r -> r.name().equals(name))) {
                    typedDrivers.add(name);
                }
                drivers.add(name);
                show = true;
                continue;
            }
            for (String word : answer.split("[\\s,]+")) {
                int n = number(word, rows.size());
                if (n < 0) {
                    out.println(
                            rows.isEmpty()
                                    ? "There is no list to pick from: add a driver with + NAME."
                                    : "'" + printable(word) + "' is not a number from 1 to " + rows.size()
                                            + " (+ NAME adds a driver).");
                    continue;
                }
                String name = rows.get(n - 1).name();
                if (!drivers.remove(name)) {
                    drivers.add(name);
                }
                show = true;
            }
        }
    }

    private record DriverRow(String name, String status, String verifiedNow) {}

    private List<DriverRow> driverRows() {
        List<DriverRow> rows = new ArrayList<>();
        if (source != null) {
            for (DriverCounters d : source.snapshot().drivers()) {
                rows.add(new DriverRow(d.name(), d.status().displayName(), d.verified() ? "yes" : "no"));
            }
        }
        for (String name : typedDrivers) {
            if (rows.stream().noneMatch(r -> r.name().equals(name))) {
                rows.add(new DriverRow(name, source == null ? "(typed)" : "Never Loaded", "no"));
            }
        }
        return rows;
    }

    /**
     * Asks for the JVM to read; returns whether one is open. With {@code required}, an empty answer
     * asks again.
     */
    private boolean chooseJvm(boolean required) {
        List<String> candidates = sources.candidates();
        out.println();
        out.println("Select a JVM");
        for (int i = 0; i < candidates.size(); i++) {
            out.println(String.format("  %2d. %s", i + 1, printable(candidates.get(i))));
        }
        out.println("Type " + (candidates.isEmpty() ? "its pid" : "a number from the list or a pid")
                + (required ? "." : "; press Enter to type driver names instead."));
        while (true) {
            String answer = ask("JVM (b Back, q Cancel): ");
            if (answer.isEmpty()) {
                if (required) {
                    out.println("A running JVM is needed here: type its pid.");
                    continue;
                }
                return false;
            }
            int n = number(answer, candidates.size());
            String chosen = n > 0 ? candidates.get(n - 1).strip().split("\\s+")[0] : answer;
            if (!chosen.chars().allMatch(Character::isDigit)) {
                out.println("'" + printable(answer) + "' is not a pid: a pid is a number.");
                continue;
            }
            try {
                PoolSource opened = sources.open(chosen);
                closeSource();
                source = opened;
                pid = chosen;
                return true;
            } catch (RuntimeException e) {
                out.println("Cannot read JVM " + chosen + ": " + e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- finish

    private int apply() {
        while (true) {
            boolean nowPossible = !allDrivers;
            int when = choose(
                    "When should the new settings apply?",
                    List.of(
                            "When a JVM next starts: saved in the settings file (Windows: after a reboot)",
                            "Now, in " + (source == null ? "a running JVM" : describe(source))
                                    + (nowPossible
                                            ? "\n     (volatile: lost when that JVM exits)"
                                            : "\n     (not available when all drivers are selected)")),
                    true);
            if (when == 1) {
                return saveSettings();
            }
            if (!nowPossible) {
                out.println("All drivers can be verified only from the next start of a JVM: choose 1, or go back.");
                continue;
            }
            if (source == null && !chooseJvm(true)) {
                continue;
            }
            return applyNow();
        }
    }

    private int saveSettings() {
        VerifierSettings s;
        try {
            s = SettingsFile.read(settingsFile)
                    .withFlags(flags)
                    .withAllDrivers(allDrivers)
                    .withDrivers(allDrivers ? Set.of() : drivers);
        } catch (IllegalArgumentException e) {
            out.println("The settings file cannot be read, so it is not replaced: " + e.getMessage());
            return ExitStatus.ERROR;
        }
        try {
            SettingsFile.write(settingsFile, s);
        } catch (IOException e) {
            out.println("The settings could not be saved in " + settingsFile + ": " + e.getMessage());
            return ExitStatus.ERROR;
        }
        out.println();
        out.print(NewVerifierSettings.text(s));
        out.println();
        out.println("Saved in " + settingsFile + ".");
        out.println("The new settings apply to each JVM that starts with PoolTrack from now on; running JVMs keep");
        out.println("theirs (Windows: \"You must restart your computer for the changes to take effect\").");
        return ExitStatus.RESTART_NEEDED;
    }

    private int applyNow() {
        List<String> done = new ArrayList<>();
        try {
            source.setVolatileFlags(flags);
            done.add(String.format("/volatile /flags 0x%X", flags));
            for (String d : drivers) {
                source.addDriver(d);
                done.add("/volatile /adddriver " + d);
            }
        } catch (RuntimeException e) {
            out.println();
            out.println("JVM " + pid + " refused the change: " + e.getMessage());
            if (!done.isEmpty()) {
                out.println("Applied before that: " + String.join(", ", done));
            }
            return ExitStatus.ERROR;
        }
        out.println();
        out.println("Applied now in " + describe(source) + ":");
        done.forEach(d -> out.println("  " + d));
        out.println("These settings are volatile: they are lost when that JVM exits.");
        out.println();
        out.print(driverStatusTable(source.snapshot()));
        return ExitStatus.SUCCESS;
    }

    // ---------------------------------------------------------------- other tasks

    private int deleteSettings() {
        if (!Files.exists(settingsFile)) {
            out.println();
            out.println("No settings are saved in " + settingsFile + ": nothing to delete.");
            return ExitStatus.SUCCESS;
        }
        out.println();
        out.println("Settings saved in " + settingsFile + ":");
        try {
            out.print(SettingsFile.format(SettingsFile.read(settingsFile)));
        } catch (IllegalArgumentException e) {
            out.println("  (not readable as settings: " + e.getMessage() + ")");
        }
        while (true) {
            String answer = ask("Delete them? JVMs that start afterwards run without verification (y/n): ")
                    .toLowerCase(Locale.ROOT);
            if (answer.equals("n") || answer.equals("no")) {
                out.println("Nothing deleted.");
                return ExitStatus.SUCCESS;
            }
            if (answer.equals("y") || answer.equals("yes")) {
                break;
            }
            out.println("Answer y or n.");
        }
        try {
            Files.delete(settingsFile);
        } catch (IOException e) {
            out.println("The settings could not be deleted: " + e.getMessage());
            return ExitStatus.ERROR;
        }
        out.println("Deleted " + settingsFile + ". JVMs that start from now on run without verification;");
        out.println("running JVMs keep their settings until they exit (Windows: restart needed).");
        return ExitStatus.RESTART_NEEDED;
    }

    private int displaySettings() {
        VerifierSettings s;
        try {
            s = SettingsFile.read(settingsFile);
        } catch (IllegalArgumentException e) {
            out.println("The settings file cannot be read: " + e.getMessage());
            return ExitStatus.ERROR;
        }
        out.println();
        out.println("Settings for the next start of a JVM"
                + (Files.exists(settingsFile) ? " (" + settingsFile + "):" : " (no file " + settingsFile + "):"));
        out.println();
        for (VerifierFlags.Flag f : VerifierFlags.all()) {
            if (f.implemented() || (s.flags() & f.value()) != 0) {
                out.println(String.format(
                        "  %s 0x%08X %s", (s.flags() & f.value()) != 0 ? "[X]" : "[ ]", f.value(), f.name()));
            }
        }
        out.println();
        out.println("Verified drivers: "
                + (s.allDrivers()
                        ? "all drivers (/all)"
                        : s.drivers().isEmpty()
                                ? "none"
                                : String.join(
                                        " ",
                                        s.drivers().stream()
                                                .map(DriverVerifierManager::printable)
                                                .toList())));
        out.println("Response to a violation: " + s.response().name().toLowerCase(Locale.ROOT));
        out.println("Call sites: " + (s.callSites() ? "recorded" : "not recorded"));
        out.println();
        out.println("Running JVMs may differ (volatile changes): choose 5 in the task list to see one.");
        return ExitStatus.SUCCESS;
    }

    private int displayDrivers() {
        if (!chooseJvm(true)) {
            return ExitStatus.SUCCESS;
        }
        while (true) {
            PoolSnapshot s = source.snapshot();
            out.println();
            out.println(describe(source));
            out.println();
            out.print(driverStatusTable(s));
            out.println();
            out.print(QueryReport.text(s));
            String answer = ask("Type r to refresh, or press Enter to finish: ");
            if (!answer.equalsIgnoreCase("r")) {
                return ExitStatus.SUCCESS;
            }
        }
    }

    private static String driverStatusTable(PoolSnapshot s) {
        StringBuilder sb = new StringBuilder();
        if (s.drivers().isEmpty()) {
            return "No drivers are known to this JVM.\n";
        }
        int w = Math.max(
                "Driver".length(),
                s.drivers().stream().mapToInt(d -> d.name().length()).max().orElse(0));
        sb.append(String.format("  %-" + w + "s  %-14s%s\n", "Driver", "Status", "Verified"));
        for (DriverCounters d : s.drivers()) {
            sb.append(String.format(
                    "  %-" + w + "s  %-14s%s\n",
                    printable(d.name()),
                    d.status().displayName(),
                    d.verified() ? "yes" : "no"));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- prompts

    /** Shows a numbered menu and returns the choice, from 1; repeats on bad input. */
    private int choose(String title, List<String> options, boolean canGoBack) {
        out.println();
        out.println(title);
        for (int i = 0; i < options.size(); i++) {
            out.println(String.format("  %d. %s", i + 1, options.get(i)));
        }
        while (true) {
            String answer = ask("Choose 1-" + options.size() + (canGoBack ? " (b Back, q Cancel): " : " (q Cancel): "));
            int n = number(answer, options.size());
            if (n > 0) {
                return n;
            }
            out.println(
                    answer.isEmpty()
                            ? "Type the number of your choice."
                            : "'" + printable(answer) + "' is not a choice: type a number from 1 to " + options.size()
                                    + ".");
        }
    }

    /** Reads one answer; {@code b} goes back, {@code q} cancels; the end of input stops the wizard. */
    private String ask(String prompt) {
        out.print(prompt);
        out.flush();
        String line;
        try {
            line = in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the answer", e);
        }
        if (line == null) {
            out.println();
            throw new InputEnded();
        }
        String answer = line.strip();
        if (answer.equalsIgnoreCase("q")) {
            throw new Leave(true);
        }
        if (answer.equalsIgnoreCase("b")) {
            throw new Leave(false);
        }
        return answer;
    }

    /** The number in {@code text} if it is one from 1 to {@code max}, else -1. */
    private static int number(String text, int max) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int n = Integer.parseInt(text);
        return n >= 1 && n <= max ? n : -1;
    }

    private static String flagNames(int flags) {
        List<String> names = new ArrayList<>();
        for (VerifierFlags.Flag f : VerifierFlags.all()) {
            if ((flags & f.value()) != 0) {
                names.add(f.name());
            }
        }
        return String.join(", ", names);
    }

    private static String describe(PoolSource s) {
        return printable(s.describe());
    }

    private static String printable(String s) {
        return PoolMonScreen.printable(s);
    }

    private void closeSource() {
        if (source != null) {
            source.close();
            source = null;
        }
    }
}
