package dev.pooltrack.cli;

import dev.pooltrack.DriverCounters;
import dev.pooltrack.DriverStatus;
import dev.pooltrack.LowResourcesSimulation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.SpecialPoolSettings;
import dev.pooltrack.TagPattern;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.agent.AgentLoader;
import dev.pooltrack.cli.source.JvmPoolSource;
import dev.pooltrack.cli.source.PoolSource;
import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.report.Json;
import dev.pooltrack.report.QueryReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pooltrack verifier}: {@code verifier.exe}'s command line against the settings file and running JVMs. */
@Command(
        name = "verifier",
        mixinStandardHelpOptions = true,
        header = "Driver Verifier's command line: settings for the next start, /query, /volatile, /log.",
        synopsisHeading = "%nUsage:%n",
        customSynopsis = {
            "  pooltrack verifier                           (Driver Verifier Manager, step by step)",
            "  pooltrack verifier /flags FLAGS | /standard  [/driver NAME... | /all]  [/bugcheck crash|throw|log]",
            "  pooltrack verifier /driver NAME... | /all | /bugcheck crash|throw|log",
            "  pooltrack verifier /specialpooltag PATTERN | /specialpoolsize MIN-MAX | /verifystart | /verifyend",
            "  pooltrack verifier /faults [PROBABILITY] [POOLTAGS] [APPLICATIONS] [DELAYMINS]  [/driver NAME...]",
            "  pooltrack verifier /reset",
            "  pooltrack verifier /querysettings [--json]",
            "  pooltrack verifier /query PID [--json]        (or /query --report FILE)",
            "  pooltrack verifier /volatile /flags FLAGS | /standard PID",
            "  pooltrack verifier /volatile /adddriver NAME... PID",
            "  pooltrack verifier /volatile /removedriver NAME... PID",
            "  pooltrack verifier /volatile /bugcheck crash|throw|log PID",
            "  pooltrack verifier /log FILE [/interval SECONDS] PID",
            "Every /option is also --option (GNU syntax); PID may also be given as --pid PID."
        },
        description = {
            "",
            "With no arguments, 'pooltrack verifier' opens Driver Verifier Manager (pooltrack manager --help).",
            "",
            "Settings for the next start. /flags, /standard, /driver, /all, /bugcheck and /reset without"
                    + " /volatile change the settings file, which PoolTrack reads when it starts in a JVM (the"
                    + " counterpart of the registry settings that Windows reads at boot). They print the new"
                    + " settings and exit with status 2: the settings take effect when the JVM is restarted."
                    + " Only what is given changes; /driver replaces the list of verified drivers. /driver or"
                    + " /all without /flags keeps the flags set before, or uses /standard when none are set."
                    + " /standard means the standard flags PoolTrack implements (0x9: Special pool, Pool tracking).",
            "",
            "Where the settings file is: the first of",
            "  -Dpooltrack.settings=FILE     a system property",
            "  POOLTRACK_SETTINGS=FILE       an environment variable",
            "  ~/.pooltrack/verifier.conf",
            "The JVM and pooltrack each look it up that way, so give both the same property or variable.",
            "",
            "Its format: text, one key=value a line, # starts a comment:",
            "  flags=0x8",
            "  driver=NAME                   one line per driver",
            "  all=false",
            "  response=log                  log, throw or crash",
            "  callSites=true",
            "  uniqueTag=TAG                 one line per tag",
            "  reportDirectory=DIR           where crash writes its report and special pool its slot table",
            "  specialPoolTag=PATTERN        special pool for tags matching it (* and ?), any driver",
            "  specialPoolSize=MIN-MAX       special pool for sizes in MIN..MAX bytes (below 4096), any driver",
            "  specialPoolVerify=end         end (guard page after the buffer) or start (before it)",
            "  specialPoolSlots=4096         special pool's capacity in page pairs",
            "  faultProbability=600          /faults: chances in 10,000 (and faultTags=, faultApplications=,"
                    + " faultDelayMinutes=, faultSeed=)",
            "pooltrack writes it whole and renames it into place, so a starting JVM never reads half of it."
                    + " A JVM that finds it damaged logs the file and line and runs without verification.",
            "",
            "/faults turns on Low Resources Simulation (0x4) for the verified drivers: each allocation fails"
                    + " (returns NULL) with PROBABILITY chances in 10,000 (default 600), only under POOLTAGS (a"
                    + " quoted, space-separated list; * and ? allowed; default any), only for the tenants named in"
                    + " APPLICATIONS (default any), and not before DELAYMINS minutes after the driver loads (default"
                    + " 7). The parameters are positional; \"\" keeps a default. /flags 0x40000 is the systematic"
                    + " mode: each new call stack fails once.",
            "",
            "Precedence: a JVM starts with the settings file. /volatile changes that JVM at once and"
                    + " replaces its settings until it exits, without touching the file; /querysettings shows"
                    + " the file, /query the JVM.",
            "",
            "Special pool (/flags 0x1) gives each allocation of the verified drivers a page of its own before"
                    + " an inaccessible guard page, as GFlags' Verify End does; /verifystart puts the guard page"
                    + " before the buffer instead (PoolTagOverruns=0). /specialpooltag and /specialpoolsize select"
                    + " allocations of any driver by tag or size, as GFlags' +spp Tag or size does ('none' clears"
                    + " them). Allocations of a page or more never come from special pool; when it is full they"
                    + " come from normal pool, and /query shows it (Pool Allocations Succeeded in Special Pool).",
            "",
            "/volatile changes a running JVM now and exits with status 0. /adddriver starts verifying a"
                    + " driver, loaded or not: its allocations from then on are tracked. /removedriver fails"
                    + " for a loaded driver, as on Windows: it stays verified until it unloads.",
            "",
            "/log appends the /query counters of the JVM to FILE every /interval seconds (default 30;"
                    + " fractions such as 0.5 are allowed) until interrupted (Ctrl+C, SIGTERM), then finishes"
                    + " the entry it is writing and exits with status 0. Each entry is written with one append.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS
                    + ":success (/query, /querysettings, /volatile, /log; Manager: applied now or cancelled)",
            ExitStatus.ERROR + ":error: bad input, no such JVM, a change refused",
            ExitStatus.RESTART_NEEDED + ":the settings file was changed: the settings take effect when the JVM is"
                    + " restarted"
        })
final class VerifierCommand implements Callable<Integer> {

    /* verifier.exe's options, reference §3.1: one command line per action, with /volatile turning a
     * settings change into a change of the running system. The actions are told apart before any is
     * carried out, so a bad combination changes nothing. A PID is the last argument; after a
     * variable-length driver list (/adddriver a b 4242) picocli cannot tell it from a driver name,
     * so an all-digits last name is taken as the pid when the action needs one and none was given
     * (a driver whose name is all digits then needs --pid). */

    /** The default /log interval, Windows' own. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    private static final Duration MIN_INTERVAL = Duration.ofMillis(50);
    private static final Duration MAX_INTERVAL = Duration.ofDays(1);

    private final PoolSources sources;
    private final InputStream stdin;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--flags",
            paramLabel = "FLAGS",
            description =
                    "Verifier flags: decimal, 0x hex, 0o octal or 0b binary. PoolTrack implements 0x1 (Special pool), 0x8 (Pool tracking), 0x4 and 0x40000 (low resources simulation).")
    String flags;

    @Option(names = "--standard", description = "The standard flags (those PoolTrack implements: 0x9).")
    boolean standard;

    @Option(names = "--all", description = "Verify every driver.")
    boolean all;

    @Option(
            names = "--driver",
            arity = "1..*",
            paramLabel = "NAME",
            description = "The drivers to verify (replaces the list).")
    List<String> drivers;

    @Option(
            names = "--specialpooltag",
            paramLabel = "PATTERN",
            description = "Special pool for tags matching PATTERN (* and ?), whatever the driver; none clears it.")
    String specialPoolTag;

    @Option(
            names = "--specialpoolsize",
            paramLabel = "MIN-MAX",
            description = "Special pool for allocations of MIN to MAX bytes (below 4096), whatever the driver; none"
                    + " clears it.")
    String specialPoolSize;

    @Option(
            names = "--verifystart",
            description = "Special pool places buffers at their page's start (guard page before).")
    boolean verifyStart;

    @Option(
            names = "--verifyend",
            description = "Special pool places buffers at their page's end (guard page after; the default).")
    boolean verifyEnd;

    @Option(
            names = "--faults",
            arity = "0..4",
            paramLabel = "PARAMETER",
            description = "Low Resources Simulation (0x4) with [PROBABILITY] [POOLTAGS] [APPLICATIONS] [DELAYMINS].")
    List<String> faults;

    @Option(names = "--querysettings", description = "Print the settings file's settings (not /volatile changes).")
    boolean querySettings;

    @Option(names = "--query", description = "Print the verifier counters of a running JVM, or of --report FILE.")
    boolean query;

    @Option(names = "--reset", description = "Clear the settings: no driver is verified after the restart.")
    boolean reset;

    @Option(names = "--volatile", description = "Change the running JVM PID now instead of the settings file.")
    boolean volatileChange;

    @Option(
            names = "--adddriver",
            arity = "1..*",
            paramLabel = "NAME",
            description = "With /volatile: verify these drivers now.")
    List<String> addDrivers;

    @Option(
            names = "--removedriver",
            arity = "1..*",
            paramLabel = "NAME",
            description = "With /volatile: stop verifying these drivers (refused while loaded).")
    List<String> removeDrivers;

    @Option(
            names = "--bugcheck",
            paramLabel = "RESPONSE",
            description =
                    "The response to a violation: crash (write the report file and halt), throw (an Error at the call), log.")
    String bugcheck;

    @Option(
            names = "--log",
            paramLabel = "FILE",
            description = "Append the /query counters of PID to FILE every /interval seconds until interrupted.")
    Path log;

    @Option(
            names = "--interval",
            paramLabel = "SECONDS",
            description = "The /log interval in seconds (default 30; fractions allowed).")
    String interval;

    @Option(names = "--pid", paramLabel = "PID", description = "The JVM, for /query, /volatile and /log.")
    Long pidOption;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            description = "With /query: read a bug check report file instead of a JVM.")
    Path report;

    @Option(names = "--json", description = "With /query and /querysettings: print JSON.")
    boolean json;

    @Parameters(arity = "0..1", paramLabel = "PID", description = "The JVM, for /query, /volatile and /log.")
    String pidArgument;

    private PrintWriter out;

    /** The command, reading JVMs through {@code sources}; Driver Verifier Manager reads {@code stdin}. */
    VerifierCommand(PoolSources sources, InputStream stdin) {
        this.sources = sources;
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        if (pidArgument != null && !Targets.isPid(pidArgument)) {
            Targets.pid(pidArgument); // an unknown /option or a bad pid: says which
        }
        boolean settingsChange = !volatileChange
                && (flags != null
                        || standard
                        || all
                        || drivers != null
                        || bugcheck != null
                        || specialPoolChange()
                        || faults != null);
        int actions = count(querySettings, query, reset, log != null, volatileChange, settingsChange);
        if (actions == 0) {
            if (addDrivers != null || removeDrivers != null) {
                throw new CommandException(
                        "/adddriver and /removedriver change a running JVM: write /volatile /adddriver NAME PID");
            }
            if (interval != null) {
                throw new CommandException("/interval goes with /log FILE");
            }
            if (pidArgument != null || pidOption != null) {
                throw new CommandException("what should verifier do with the JVM? Give /query, /volatile ... or /log");
            }
            return ManagerCommand.run(
                    sources,
                    SettingsFile.location(),
                    stdin,
                    out,
                    spec.commandLine().getErr());
        }
        if (actions > 1) {
            throw new CommandException("give one of /flags (/standard, /driver, /all, /bugcheck), /reset,"
                    + " /querysettings, /query, /volatile, /log: " + given());
        }
        if (interval != null && log == null) {
            throw new CommandException("/interval goes with /log FILE");
        }
        if (json && !(query || querySettings)) {
            throw new CommandException("--json goes with /query and /querysettings");
        }
        if (report != null && !query) {
            throw new CommandException("--report FILE goes with /query: the other actions need a running JVM");
        }
        if (volatileChange && faults != null) {
            throw new CommandException("/volatile /faults is not available in this version of PoolTrack: write the"
                    + " parameters to the settings file with /faults (they apply when the JVM restarts), or turn"
                    + " 0x4 on now with /volatile /flags, which uses the parameters the JVM started with");
        }
        if (!volatileChange && (addDrivers != null || removeDrivers != null)) {
            throw new CommandException("/adddriver and /removedriver go with /volatile (they change a running JVM)");
        }
        Long pid = pid();
        if (pid != null && (settingsChange || reset || querySettings)) {
            throw new CommandException("the settings file is not tied to a JVM, so " + given()
                    + " takes no pid; to change JVM " + pid + " now, add /volatile");
        }
        if (settingsChange) {
            return changeSettingsFile();
        }
        if (reset) {
            return resetSettingsFile();
        }
        if (querySettings) {
            return querySettingsFile();
        }
        if (query) {
            return query(pid);
        }
        if (volatileChange) {
            return changeNow(pid);
        }
        return log(pid);
    }

    // ---------------------------------------------------------------- the settings file

    private int changeSettingsFile() {
        if (flags != null && standard) {
            throw new CommandException("give /flags or /standard, not both");
        }
        if (drivers != null && all) {
            throw new CommandException("give /driver NAME... or /all, not both");
        }
        Path file = SettingsFile.location();
        VerifierSettings s = readSettingsFile(file);
        int newFlags;
        if (flags != null) {
            newFlags = flagsValue(flags);
        } else if (standard || ((drivers != null || all) && s.flags() == 0)) {
            newFlags = VerifierFlags.standardFlags();
        } else {
            newFlags = s.flags();
        }
        if (faults != null) {
            newFlags |= VerifierFlags.LOW_RESOURCES_SIMULATION;
            s = s.withLowResources(faultParameters(faults, s.lowResources()));
        }
        s = s.withFlags(newFlags);
        if (drivers != null) {
            s = s.withDrivers(new LinkedHashSet<>(drivers)).withAllDrivers(false);
        }
        if (all) {
            s = s.withAllDrivers(true).withDrivers(new LinkedHashSet<>());
        }
        if (bugcheck != null) {
            s = s.withResponse(SettingsFile.response(bugcheck));
        }
        s = s.withSpecialPool(specialPool(s.specialPool()));
        writeSettingsFile(file, s);
        out.print(NewVerifierSettings.text(s));
        restartNeeded(file);
        return ExitStatus.RESTART_NEEDED;
    }

    private boolean specialPoolChange() {
        return specialPoolTag != null || specialPoolSize != null || verifyStart || verifyEnd;
    }

    private SpecialPoolSettings specialPool(SpecialPoolSettings sp) {
        if (verifyStart && verifyEnd) {
            throw new CommandException("give /verifystart or /verifyend, not both");
        }
        try {
            if (specialPoolTag != null) {
                sp = sp.withTag(specialPoolTag.equalsIgnoreCase("none") ? null : TagPattern.parse(specialPoolTag));
            }
            if (specialPoolSize != null) {
                long[] range = SpecialPoolSettings.parseSizeRange(specialPoolSize);
                sp = sp.withSizeRange(range[0], range[1]);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage(), e);
        }
        if (verifyStart || verifyEnd) {
            sp = sp.withVerifyStart(verifyStart);
        }
        return sp;
    }

    private int resetSettingsFile() {
        Path file = SettingsFile.location();
        writeSettingsFile(file, VerifierSettings.none());
        out.print(NewVerifierSettings.text(VerifierSettings.none()));
        restartNeeded(file);
        return ExitStatus.RESTART_NEEDED;
    }

    private void restartNeeded(Path file) {
        out.println();
        out.println("The new settings take effect when the JVM is restarted.");
        out.println("Settings file: " + file);
        out.flush();
    }

    private int querySettingsFile() {
        Path file = SettingsFile.location();
        boolean exists = Files.exists(file);
        VerifierSettings s = readSettingsFile(file);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("settingsFile", file.toString());
            doc.put("exists", exists);
            doc.put("settings", NewVerifierSettings.json(s));
            out.println(Json.write(doc));
        } else {
            out.println("Settings file: " + file
                    + (exists ? "" : " (there is none: a JVM that starts PoolTrack verifies nothing)"));
            out.println();
            out.print(NewVerifierSettings.optionsText(s));
        }
        out.flush();
        return ExitStatus.SUCCESS;
    }

    private static VerifierSettings readSettingsFile(Path file) {
        try {
            return SettingsFile.read(file);
        } catch (IllegalArgumentException e) {
            throw new CommandException(
                    "the settings file is damaged: " + e.getMessage()
                            + " (fix it, or start over with 'pooltrack verifier /reset')",
                    e);
        }
    }

    private static void writeSettingsFile(Path file, VerifierSettings s) {
        try {
            SettingsFile.write(file, s);
        } catch (IOException e) {
            throw new CommandException("cannot write the settings file " + file + ": " + e + "; it is unchanged", e);
        }
    }

    // ---------------------------------------------------------------- a running JVM

    private int query(Long pid) {
        try (PoolSource source = Targets.open(sources, pid, report, "verifier /query 4242")) {
            PoolSnapshot s = source.snapshot();
            out.print(json ? QueryReport.json(s) : QueryReport.text(s));
            out.flush();
        }
        return ExitStatus.SUCCESS;
    }

    /* verifier /volatile on a JVM that has no PoolTrack in it yet: as on Windows, where /volatile
     * starts verifying a loaded driver without a reboot, PoolTrack loads its agent into the JVM
     * (Attach API) with the flags and drivers given, then applies the change through the agent's pool
     * like any other. Only a change that turns verification on loads the agent. */
    private PoolSource attachOrLoadAgent(Long pid, Integer newFlags) {
        String example = "verifier /volatile /adddriver my-plugin.jar 4242";
        try {
            return Targets.attach(sources, pid, example);
        } catch (IllegalArgumentException e) {
            if (!(e.getCause() instanceof JvmPoolSource.NoPoolTrackException)
                    || (addDrivers == null && newFlags == null)) {
                throw e;
            }
            List<String> options = new ArrayList<>();
            options.add(String.format("flags=0x%X", newFlags != null ? newFlags : VerifierFlags.POOL_TRACKING));
            if (addDrivers != null && !addDrivers.isEmpty()) {
                options.add("driver=" + String.join("+", addDrivers));
            }
            if (bugcheck != null) {
                options.add("response=" + bugcheck.toLowerCase(Locale.ROOT));
            }
            try {
                AgentLoader.load(pid, String.join(",", options));
            } catch (IllegalStateException | IllegalArgumentException loadFailed) {
                throw new CommandException(
                        e.getMessage() + "; loading PoolTrack's agent into it failed too: " + loadFailed.getMessage());
            }
            spec.commandLine()
                    .getErr()
                    .println("pooltrack: JVM " + pid + " had no PoolTrack: loaded the agent ("
                            + String.join(",", options) + ")");
            return Targets.attach(sources, pid, example);
        }
    }

    private int changeNow(Long pid) {
        if (drivers != null || all) {
            throw new CommandException(
                    "with /volatile, name drivers with /adddriver and /removedriver (/driver and /all change the"
                            + " settings file)");
        }
        if (flags != null && standard) {
            throw new CommandException("give /flags or /standard, not both");
        }
        if (flags == null && !standard && addDrivers == null && removeDrivers == null && bugcheck == null) {
            throw new CommandException(
                    "/volatile needs /flags, /standard, /adddriver, /removedriver or /bugcheck, and a pid");
        }
        Integer newFlags =
                flags != null ? Integer.valueOf(flagsValue(flags)) : standard ? VerifierFlags.standardFlags() : null;
        if (bugcheck != null) {
            SettingsFile.response(bugcheck); // refuses a bad name before anything changes
        }
        try (PoolSource source = attachOrLoadAgent(pid, newFlags)) {
            PoolSnapshot before = source.snapshot();
            for (String name : list(removeDrivers)) {
                DriverCounters d = before.driver(name);
                if (d != null && d.status() == DriverStatus.LOADED && d.verified()) {
                    throw new CommandException("cannot stop verifying " + name + " in " + source.describe()
                            + ": it is loaded. As on Windows, where verifier /volatile /removedriver fails for a loaded"
                            + " driver, a loaded driver stays verified until it unloads; to leave it out when the JVM"
                            + " next starts, change the settings file with /driver");
                }
            }
            if (newFlags != null) {
                source.setVolatileFlags(newFlags);
            }
            if (bugcheck != null) {
                source.setResponse(bugcheck);
            }
            for (String name : list(addDrivers)) {
                source.addDriver(name);
            }
            for (String name : list(removeDrivers)) {
                try {
                    source.removeDriver(name);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new CommandException(
                            "cannot stop verifying " + name + " in " + source.describe() + ": " + e.getMessage());
                }
            }

            VerifierSettings now = SettingsFile.parse(
                    source.describe(), source.settingsText().lines().toList());
            PoolSnapshot after = source.snapshot();
            out.print(NewVerifierSettings.text(now));
            out.println();
            for (String name : list(addDrivers)) {
                DriverCounters d = after.driver(name);
                String status = d == null
                        ? DriverStatus.NEVER_LOADED.displayName()
                        : d.status().displayName();
                out.println(name + " (" + status + "): "
                        + (d != null && d.status() == DriverStatus.LOADED
                                ? "verified now; its allocations from now on are tracked."
                                : "verified when it loads."));
            }
            for (String name : list(removeDrivers)) {
                out.println(name + ": no longer verified.");
            }
            if (!now.poolTracking()) {
                out.println("Pool tracking (0x8) is off in " + source.describe()
                        + ": no driver is tracked until /volatile /flags 0x8.");
            }
            out.println("The new settings are in effect now in " + source.describe()
                    + ", until it exits; the settings file is unchanged.");
            out.flush();
        }
        return ExitStatus.SUCCESS;
    }

    private int log(Long pid) {
        Duration every = interval == null ? DEFAULT_INTERVAL : interval(interval);
        try (PoolSource source = Targets.attach(sources, pid, "verifier /log counters.log /interval 30 4242")) {
            return VerifierLog.runUntilInterrupted(source, log, every, out);
        }
    }

    // ---------------------------------------------------------------- arguments

    /** The pid: --pid, the positional PID, or a trailing all-digits name after /adddriver or /removedriver. */
    private Long pid() {
        if (pidOption != null && pidArgument != null) {
            throw new CommandException("give the pid once: --pid " + pidOption + " or " + pidArgument);
        }
        if (pidOption != null) {
            if (pidOption <= 0) {
                throw new CommandException("bad pid '" + pidOption + "': a process id is a number from 1 up");
            }
            return pidOption;
        }
        if (pidArgument != null) {
            return Targets.pid(pidArgument);
        }
        if (volatileChange) {
            for (List<String> names : new ArrayList<List<String>>(java.util.Arrays.asList(removeDrivers, addDrivers))) {
                if (names != null && names.size() > 1 && Targets.isPid(names.getLast())) {
                    return Targets.pid(names.removeLast());
                }
            }
        }
        return null;
    }

    /* verifier /faults [Probability] [PoolTags] [Applications] [DelayMins] (reference §9): positional,
     * "" keeps the default. The seed is PoolTrack's own and stays as it was. */
    private static LowResourcesSimulation faultParameters(List<String> values, LowResourcesSimulation before) {
        try {
            LowResourcesSimulation f = LowResourcesSimulation.defaults().withSeed(before.seed());
            if (values.size() > 0) {
                f = f.withProbability(LowResourcesSimulation.parseProbability(values.get(0)));
            }
            if (values.size() > 1) {
                f = f.withTags(LowResourcesSimulation.parseTags(values.get(1)));
            }
            if (values.size() > 2) {
                f = f.withApplications(LowResourcesSimulation.parseApplications(values.get(2)));
            }
            if (values.size() > 3) {
                f = f.withDelayMinutes(LowResourcesSimulation.parseDelayMinutes(values.get(3)));
            }
            return f;
        } catch (IllegalArgumentException e) {
            throw new CommandException("/faults: " + e.getMessage(), e);
        }
    }

    private static int flagsValue(String text) {
        try {
            return VerifierFlags.requireImplemented(VerifierFlags.parse(text));
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage(), e);
        }
    }

    private static Duration interval(String text) {
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            seconds = null;
        }
        Duration d = seconds == null
                        || seconds.signum() <= 0
                        || seconds.compareTo(BigDecimal.valueOf(MAX_INTERVAL.toSeconds())) > 0
                ? null
                : Duration.ofNanos(seconds.movePointRight(9).longValue());
        if (d == null || d.compareTo(MIN_INTERVAL) < 0) {
            throw new CommandException("bad /interval '" + text + "': give the seconds between entries, from "
                    + MIN_INTERVAL.toMillis() / 1000.0 + " to " + MAX_INTERVAL.toSeconds() + " (default "
                    + DEFAULT_INTERVAL.toSeconds() + ")");
        }
        return d;
    }

    private String given() {
        List<String> g = new ArrayList<>();
        if (flags != null) {
            g.add("/flags");
        }
        if (standard) {
            g.add("/standard");
        }
        if (drivers != null) {
            g.add("/driver");
        }
        if (all) {
            g.add("/all");
        }
        if (faults != null) {
            g.add("/faults");
        }
        if (bugcheck != null) {
            g.add("/bugcheck");
        }
        if (reset) {
            g.add("/reset");
        }
        if (querySettings) {
            g.add("/querysettings");
        }
        if (query) {
            g.add("/query");
        }
        if (volatileChange) {
            g.add("/volatile");
        }
        if (log != null) {
            g.add("/log");
        }
        return String.join(" ", g).toLowerCase(Locale.ROOT);
    }

    private static List<String> list(List<String> names) {
        return names == null ? List.of() : names;
    }

    private static int count(boolean... flags) {
        int n = 0;
        for (boolean f : flags) {
            if (f) {
                n++;
            }
        }
        return n;
    }
}
