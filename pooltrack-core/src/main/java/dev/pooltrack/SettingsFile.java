package dev.pooltrack;

import dev.pooltrack.report.AtomicWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The verifier settings a JVM reads when PoolTrack starts in it: the counterpart of the registry
 * values {@code verifier /flags ... /driver ...} writes for the next boot.
 *
 * <p>Thread-safe (stateless). The file is text, one {@code key=value} a line, {@code #} comments:
 *
 * <pre>
 * # PoolTrack verifier settings, read when a JVM starts
 * flags=0x8
 * driver=storage-plugin
 * driver=my-plugin-1.2.jar
 * all=false
 * response=log
 * callSites=true
 * uniqueTag=Leak
 * reportDirectory=/var/tmp
 * specialPoolTag=Ovr*
 * specialPoolSize=1-64
 * specialPoolVerify=end
 * specialPoolSlots=4096
 * faultProbability=600
 * faultTags=Tag1 Fr*
 * faultApplications=tenant-a tenant-b
 * faultDelayMinutes=7
 * faultSeed=42
 * </pre>
 *
 * <p>{@code driver} and {@code uniqueTag} repeat, one name a line, so names may hold spaces. Where
 * the file is: {@link #location()}. The {@code specialPool*} keys are {@link SpecialPoolSettings}:
 * the GFlags tag pattern and size range, Verify End or Start, and the capacity in page pairs; they
 * are written only when they differ from the defaults. The {@code fault...} keys are the {@code
 * verifier /faults} sub-parameters ({@link LowResourcesSimulation}); a key left out keeps Windows'
 * default, and {@link #format} writes only those that differ from it.
 */
public final class SettingsFile {

    /** The system property naming the settings file. */
    public static final String PROPERTY = "pooltrack.settings";

    /** The environment variable naming the settings file when the property is not set. */
    public static final String ENVIRONMENT = "POOLTRACK_SETTINGS";

    private SettingsFile() {}

    /**
     * Where the settings file is: the system property {@value #PROPERTY}, else the environment
     * variable {@value #ENVIRONMENT}, else {@code ~/.pooltrack/verifier.conf}.
     */
    public static Path location() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String e = System.getenv(ENVIRONMENT);
        if (e != null && !e.isBlank()) {
            return Path.of(e);
        }
        return Path.of(System.getProperty("user.home"), ".pooltrack", "verifier.conf");
    }

    /**
     * The settings in {@code file}, or {@link VerifierSettings#none()} if there is no such file.
     *
     * @throws IllegalArgumentException naming the file and line of the first bad line, or the file if
     *     it cannot be read
     */
    public static VerifierSettings read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return VerifierSettings.none();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read settings file " + file + ": " + e.getMessage(), e);
        }
        return parse(file.toString(), lines);
    }

    /**
     * Parses settings text.
     *
     * @param source names the text in error messages
     * @throws IllegalArgumentException naming the source and line of the first bad line
     */
    public static VerifierSettings parse(String source, List<String> lines) {
        int flags = 0;
        Set<String> drivers = new LinkedHashSet<>();
        boolean all = false;
        Response response = Response.LOG;
        boolean callSites = true;
        Set<Tag> uniqueTags = new LinkedHashSet<>();
        Path reportDirectory = Path.of(".");
        SpecialPoolSettings special = SpecialPoolSettings.defaults();
        LowResourcesSimulation faults = LowResourcesSimulation.defaults();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (i + 1) + ": ";
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + "expected key=value, found '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            try {
                switch (key) {
                    case "flags" -> flags = VerifierFlags.requireImplemented(VerifierFlags.parse(value));
                    case "driver" -> drivers.add(requireNonEmpty(value, "driver name"));
                    case "all" -> all = bool(value);
                    case "response" -> response = response(value);
                    case "callSites" -> callSites = bool(value);
                    case "uniqueTag" -> uniqueTags.add(Tag.parse(value));
                    case "reportDirectory" -> reportDirectory = Path.of(requireNonEmpty(value, "directory"));
                    case "specialPoolTag" ->
                        special = special.withTag(value.equalsIgnoreCase("none") ? null : TagPattern.parse(value));
                    case "specialPoolSize" -> {
                        long[] range = SpecialPoolSettings.parseSizeRange(value);
                        special = special.withSizeRange(range[0], range[1]);
                    }
                    case "specialPoolVerify" ->
                        special = special.withVerifyStart(SpecialPoolSettings.parseVerify(value));
                    case "specialPoolSlots" -> special = special.withSlots(slots(value));
                    case "faultProbability" ->
                        faults = faults.withProbability(LowResourcesSimulation.parseProbability(value));
                    case "faultTags" -> faults = faults.withTags(LowResourcesSimulation.parseTags(value));
                    case "faultApplications" ->
                        faults = faults.withApplications(LowResourcesSimulation.parseApplications(value));
                    case "faultDelayMinutes" ->
                        faults = faults.withDelayMinutes(LowResourcesSimulation.parseDelayMinutes(value));
                    case "faultSeed" -> faults = faults.withSeed(seed(value));
                    default ->
                        throw new IllegalArgumentException("unknown key '" + key
                                + "' (known: flags, driver, all, response, callSites, uniqueTag, reportDirectory,"
                                + " specialPoolTag, specialPoolSize, specialPoolVerify, specialPoolSlots,"
                                + " faultProbability, faultTags, faultApplications, faultDelayMinutes, faultSeed)");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
        }
        return new VerifierSettings(
                flags, drivers, all, response, callSites, uniqueTags, reportDirectory, special, faults);
    }

    /** The settings as the file's text. */
    public static String format(VerifierSettings s) {
        StringBuilder sb = new StringBuilder();
        sb.append("# PoolTrack verifier settings, read when a JVM starts (written by pooltrack verifier)\n");
        sb.append(String.format("flags=0x%X%n", s.flags()));
        for (String d : s.drivers()) {
            sb.append("driver=").append(d).append('\n');
        }
        sb.append("all=").append(s.allDrivers()).append('\n');
        sb.append("response=")
                .append(s.response().name().toLowerCase(Locale.ROOT))
                .append('\n');
        sb.append("callSites=").append(s.callSites()).append('\n');
        s.uniqueTags().stream()
                .sorted()
                .forEach(t ->
                        sb.append("uniqueTag=").append(t.text().stripTrailing()).append('\n'));
        sb.append("reportDirectory=").append(s.reportDirectory()).append('\n');
        SpecialPoolSettings sp = s.specialPool();
        if (sp.tag() != null) {
            sb.append("specialPoolTag=").append(sp.tag()).append('\n');
        }
        if (sp.maxSize() != 0) {
            sb.append("specialPoolSize=").append(sp.sizeRangeText()).append('\n');
        }
        if (sp.verifyStart()) {
            sb.append("specialPoolVerify=start\n");
        }
        if (sp.slots() != SpecialPoolSettings.DEFAULT_SLOTS) {
            sb.append("specialPoolSlots=").append(sp.slots()).append('\n');
        }
        LowResourcesSimulation f = s.lowResources();
        LowResourcesSimulation d = LowResourcesSimulation.defaults();
        if (f.probability() != d.probability()) {
            sb.append("faultProbability=").append(f.probability()).append('\n');
        }
        if (!f.tags().isEmpty()) {
            sb.append("faultTags=")
                    .append(String.join(
                            " ",
                            f.tags().stream().map(t -> t.text().stripTrailing()).toList()))
                    .append('\n');
        }
        if (!f.applications().isEmpty()) {
            sb.append("faultApplications=")
                    .append(String.join(" ", f.applications()))
                    .append('\n');
        }
        if (f.delayMinutes() != d.delayMinutes()) {
            sb.append("faultDelayMinutes=").append(f.delayMinutes()).append('\n');
        }
        if (f.seed() != d.seed()) {
            sb.append("faultSeed=").append(f.seed()).append('\n');
        }
        return sb.toString().replace(System.lineSeparator(), "\n");
    }

    /**
     * Writes the settings to {@code file} atomically: a temporary file in the same directory, forced
     * to disk, then renamed over the old one, so a reader sees the old settings or the new, never half.
     *
     * @throws IOException if the file cannot be written; the old file is then unchanged
     */
    public static void write(Path file, VerifierSettings s) throws IOException {
        AtomicWrite.replace(file, format(s));
    }

    private static String requireNonEmpty(String value, String what) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("empty " + what);
        }
        return value;
    }

    private static int slots(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad special pool slot count '" + value + "': write a whole number");
        }
    }

    private static long seed(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad fault injection seed '" + value + "': give a whole number");
        }
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, found '" + value + "'");
        };
    }

    /**
     * Parses a response name: {@code crash}, {@code throw} or {@code log}, any case.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Response response(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "crash" -> Response.CRASH;
            case "throw" -> Response.THROW;
            case "log" -> Response.LOG;
            default -> throw new IllegalArgumentException("unknown response '" + value + "': use crash, throw or log");
        };
    }
}
