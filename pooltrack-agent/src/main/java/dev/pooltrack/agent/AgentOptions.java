package dev.pooltrack.agent;

import dev.pooltrack.Response;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.VerifierSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The agent's options, parsed from the text after {@code -javaagent:pooltrack-agent.jar=}: an
 * immutable value.
 *
 * <p>The text is a comma-separated list of {@code key=value} items; items whose value is a list
 * repeat, or join their values with {@code +}. Every key:
 *
 * <pre>
 * flags=0x8               verifier flags (verifier /flags); 0x8 is Pool Tracking
 * driver=app.jar          a driver to verify (verifier /driver); repeat it or join names with +
 * all                     verify every driver (verifier /all); also all=true
 * response=log            what a violation does: log, throw (an Error at the offending call) or crash
 * callsites=on            record the call site of each verified allocation (on or off)
 * stacks=off              capture whole stacks: off, sample:N (every Nth allocation) or all
 * freestacks=off          also capture the stack of each free the !verifier 0x80 log keeps, sampled
 *                         as stacks says (on or off): a second stack per buffer life
 * history=1024            how many allocations and frees the !verifier 0x80 log keeps (0: none)
 * uniquetags=Leak         give each call site that passes this tag a tag of its own (Lea1, Lea2, ...)
 * helpers=io.netty+x.jar  helper libraries: memory they allocate is charged to their caller.
 *                         A name ending in .jar is a jar; anything else a package (or class) prefix
 * rules=com.acme.cache:Cach   tag memory that code under a package or class allocates; repeat or join with +
 * report=FILE             at exit write the outstanding allocations per driver to FILE (text) and
 *                         FILE.json (FILE minus a .txt ending, plus .json)
 * settings=FILE           the settings file to start from (default: the one the CLI writes,
 *                         see SettingsFile.location()); the options above override it
 * inject=on               give each allocating call in driver classes a constant site id when the class
 *                         loads, so such calls need no stack walk (on or off)
 * downcalls=on            watch downcall handles to the C allocator (malloc, free, ...) made through
 *                         java.lang.foreign.Linker, tag Jdwn (on or off)
 * quiet                   print nothing at start-up (errors are still printed)
 * </pre>
 *
 * <p>Driver names are jar file names ({@code my-plugin-1.2.jar}), module names, or class folders
 * ({@code target/classes/}); a path given for a jar keeps only the file name.
 */
record AgentOptions(
        Integer flags,
        Set<String> drivers,
        Boolean all,
        Response response,
        Boolean callSites,
        StackMode stacks,
        int stackSampleEvery,
        boolean freeStacks,
        int history,
        Set<Tag> uniqueTags,
        List<String> helpers,
        Map<String, Tag> rules,
        Path report,
        Path settings,
        boolean inject,
        boolean downcalls,
        boolean quiet,
        String text) {

    /** Whether and how often whole stacks are captured. */
    enum StackMode {
        OFF,
        SAMPLE,
        ALL
    }

    static final String KEYS =
            "flags, driver, all, response, callsites, stacks, freestacks, history, uniquetags, helpers, rules, report, settings, inject, downcalls, quiet";

    /**
     * Parses the agent's option text; {@code null} or empty means no options.
     *
     * @throws IllegalArgumentException naming the bad item and what is expected
     */
    static AgentOptions parse(String text) {
        Integer flags = null;
        Set<String> drivers = new LinkedHashSet<>();
        Boolean all = null;
        Response response = null;
        Boolean callSites = null;
        StackMode stacks = StackMode.OFF;
        int sampleEvery = 0;
        boolean freeStacks = false;
        int history = 1024;
        Set<Tag> uniqueTags = new LinkedHashSet<>();
        List<String> helpers = new ArrayList<>();
        Map<String, Tag> rules = new LinkedHashMap<>();
        Path report = null;
        Path settings = null;
        boolean inject = true;
        boolean downcalls = true;
        boolean quiet = false;
        String t = text == null ? "" : text.strip();
        if (!t.isEmpty()) {
            for (String item : t.split(",", -1)) {
                String it = item.strip();
                if (it.isEmpty()) {
                    throw new IllegalArgumentException("empty option in '" + t + "' (two commas in a row?)");
                }
                int eq = it.indexOf('=');
                String key = (eq < 0 ? it : it.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
                String value = eq < 0 ? null : it.substring(eq + 1).strip();
                try {
                    switch (key) {
                        case "flags" -> flags = VerifierFlags.requireImplemented(VerifierFlags.parse(need(value)));
                        case "driver", "drivers" -> {
                            for (String d : list(need(value))) {
                                drivers.add(driverName(d));
                            }
                        }
                        case "all" -> all = value == null || bool(value);
                        case "response" -> response = SettingsFile.response(need(value));
                        case "callsites" -> callSites = bool(need(value));
                        case "stacks" -> {
                            String v = need(value).toLowerCase(Locale.ROOT);
                            if (v.equals("off")) {
                                stacks = StackMode.OFF;
                            } else if (v.equals("all")) {
                                stacks = StackMode.ALL;
                            } else if (v.startsWith("sample:")) {
                                sampleEvery = positive(v.substring("sample:".length()), "sample interval");
                                stacks = sampleEvery == 1 ? StackMode.ALL : StackMode.SAMPLE;
                            } else {
                                throw new IllegalArgumentException(
                                        "expected off, sample:N or all, found '" + value + "'");
                            }
                        }
                        case "freestacks" -> freeStacks = bool(need(value));
                        case "history" -> {
                            history = nonNegative(need(value), "history size");
                            if (history > MAX_HISTORY) {
                                throw new IllegalArgumentException("history size " + history
                                        + " is more than the log holds: at most " + MAX_HISTORY
                                        + " (64 bytes each)");
                            }
                        }
                        case "uniquetags", "uniquetag" -> {
                            for (String tag : list(need(value))) {
                                uniqueTags.add(Tag.parse(tag));
                            }
                        }
                        case "helpers", "helper" -> helpers.addAll(list(need(value)));
                        case "rules", "rule" -> {
                            for (String rule : list(need(value))) {
                                int colon = rule.lastIndexOf(':');
                                if (colon <= 0 || colon == rule.length() - 1) {
                                    throw new IllegalArgumentException(
                                            "expected package-or-class:TAG (com.acme.cache:Cach), found '" + rule
                                                    + "'");
                                }
                                rules.put(rule.substring(0, colon).strip(), Tag.parse(rule.substring(colon + 1)));
                            }
                        }
                        case "report" -> report = Path.of(need(value));
                        case "settings" -> settings = Path.of(need(value));
                        case "inject" -> inject = bool(need(value));
                        case "downcalls" -> downcalls = bool(need(value));
                        case "quiet" -> quiet = value == null || bool(value);
                        default -> throw new IllegalArgumentException("unknown option (known: " + KEYS + ")");
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad option '" + it + "': " + e.getMessage(), e);
                }
            }
        }
        return new AgentOptions(
                flags,
                java.util.Collections.unmodifiableSet(drivers),
                all,
                response,
                callSites,
                stacks,
                sampleEvery,
                freeStacks,
                history,
                java.util.Collections.unmodifiableSet(uniqueTags),
                List.copyOf(helpers),
                Map.copyOf(rules),
                report,
                settings,
                inject,
                downcalls,
                quiet,
                t);
    }

    /** The settings to run with: {@code base} (the settings file) with these options applied over it. */
    VerifierSettings applyTo(VerifierSettings base) {
        VerifierSettings s = base;
        if (flags != null) {
            s = s.withFlags(flags);
        }
        if (!drivers.isEmpty()) {
            Set<String> names = new LinkedHashSet<>(s.drivers());
            names.addAll(drivers);
            s = s.withDrivers(names);
        }
        if (all != null) {
            s = s.withAllDrivers(all);
        }
        if (response != null) {
            s = s.withResponse(response);
        }
        if (callSites != null) {
            s = s.withCallSites(callSites);
        }
        if (!uniqueTags.isEmpty()) {
            Set<Tag> tags = new LinkedHashSet<>(s.uniqueTags());
            tags.addAll(uniqueTags);
            s = s.withUniqueTags(tags);
        }
        return s;
    }

    /** The name a driver is known by: a jar's file name, else the name as given. */
    static String driverName(String given) {
        String d = given.strip();
        if (d.isEmpty()) {
            throw new IllegalArgumentException("empty driver name");
        }
        if (d.endsWith(".jar")) {
            int slash = Math.max(d.lastIndexOf('/'), d.lastIndexOf('\\'));
            return d.substring(slash + 1);
        }
        return d;
    }

    private static String need(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a value is required");
        }
        return value;
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        for (String v : value.split("\\+", -1)) {
            if (v.isBlank()) {
                throw new IllegalArgumentException("empty name in '" + value + "'");
            }
            out.add(v.strip());
        }
        return out;
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected on or off, found '" + value + "'");
        };
    }

    private static int positive(String value, String what) {
        int n = nonNegative(value, what);
        if (n == 0) {
            throw new IllegalArgumentException(what + " must be at least 1");
        }
        return n;
    }

    /** The most allocations and frees the {@code !verifier 0x80} log keeps: 2^24, a GiB of entries. */
    static final int MAX_HISTORY = 1 << 24;

    private static int nonNegative(String value, String what) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 0) {
                throw new IllegalArgumentException(what + " must not be negative, found " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number for the " + what + ", found '" + value + "'", e);
        }
    }
}
