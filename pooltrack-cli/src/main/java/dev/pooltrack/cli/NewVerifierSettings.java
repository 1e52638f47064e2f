package dev.pooltrack.cli;

import dev.pooltrack.LowResourcesSimulation;
import dev.pooltrack.SpecialPoolSettings;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.VerifierSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code verifier.exe}'s "New verifier settings:" block, written for a {@link VerifierSettings}. Stateless. */
final class NewVerifierSettings {

    /* verifier /flags 8 /driver myfault.sys prints "New verifier settings:", one "Option: Enabled" or
     * "Option: Disabled" line per option, then the verified drivers (reference §7, Part 6). The
     * options listed are Windows' standard ones plus any PoolTrack implements; PoolTrack's own
     * settings follow under their own names. Drivers are listed in the order they were given. */

    private NewVerifierSettings() {}

    /** The block as text, each line ending in {@code \n}. */
    static String text(VerifierSettings s) {
        return "New verifier settings:\n\n" + optionsText(s);
    }

    /**
     * The block without its heading: what {@code verifier /querysettings} prints. A settings object
     * that verifies no driver says {@code Verified drivers: (none)}.
     */
    static String optionsText(VerifierSettings s) {
        StringBuilder out = new StringBuilder();
        for (VerifierFlags.Flag f : options()) {
            out.append(f.name())
                    .append(": ")
                    .append(enabled(s, f) ? "Enabled" : "Disabled")
                    .append('\n');
        }
        out.append("\nVerified drivers: ")
                .append(
                        s.allDrivers()
                                ? "all drivers (/all)"
                                : s.drivers().isEmpty() ? "(none)" : String.join(" ", drivers(s)))
                .append("\n\n");
        out.append("Response to a violation: ")
                .append(s.response().name().toLowerCase(java.util.Locale.ROOT))
                .append('\n');
        out.append("Call sites: ")
                .append(s.callSites() ? "recorded" : "not recorded")
                .append('\n');
        if (!s.uniqueTags().isEmpty()) {
            out.append("Unique tags per call site: ")
                    .append(String.join(" ", uniqueTags(s)))
                    .append('\n');
        }
        if (s.specialPoolOn()) {
            SpecialPoolSettings sp = s.specialPool();
            out.append("Special pool: ")
                    .append(sp.verifyStart() ? "Verify Start" : "Verify End")
                    .append(", tag ")
                    .append(sp.tag() == null ? "(none)" : sp.tag().toString())
                    .append(", size ")
                    .append(sp.sizeRangeText())
                    .append(", ")
                    .append(sp.slots())
                    .append(" slots\n");
        }
        if ((s.flags() & VerifierFlags.LOW_RESOURCES_SIMULATION) != 0) {
            out.append(lowResourcesText(s.lowResources()));
        }
        return out.toString();
    }

    /* Windows' /querysettings block (reference §9), with the delay counted from the driver's load
     * and the applications being tenants. */
    private static String lowResourcesText(LowResourcesSimulation f) {
        return "\nLow Resources Simulation options:\n"
                + " - Fault injection probability: " + f.probability() + "/10000.\n"
                + (f.tags().isEmpty()
                        ? " - Allocations using any pool tag can be failed.\n"
                        : " - Fail only allocations using pool tags: " + String.join(" ", lowResourcesTags(f)) + ".\n")
                + (f.applications().isEmpty()
                        ? " - Simulate low resources conditions in any application (tenant).\n"
                        : " - Simulate low resources conditions only in applications (tenants): "
                                + String.join(" ", f.applications()) + ".\n")
                + " - Delay after a driver loads: " + f.delayMinutes() + " minutes.\n"
                + (f.seed() != 0 ? " - Seed: " + f.seed() + ".\n" : "");
    }

    private static List<String> lowResourcesTags(LowResourcesSimulation f) {
        return f.tags().stream().map(t -> t.text().stripTrailing()).toList();
    }

    /** The same settings as a JSON value (a map for {@code Json.write}). */
    static Map<String, Object> json(VerifierSettings s) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("flags", String.format("0x%X", s.flags()));
        List<Object> options = new ArrayList<>();
        for (VerifierFlags.Flag f : options()) {
            Map<String, Object> option = new LinkedHashMap<>();
            option.put("value", String.format("0x%X", f.value()));
            option.put("name", f.name());
            option.put("enabled", enabled(s, f));
            options.add(option);
        }
        json.put("options", options);
        json.put("allDrivers", s.allDrivers());
        json.put("verifiedDrivers", drivers(s));
        json.put("response", s.response().name());
        json.put("callSites", s.callSites());
        json.put("uniqueTags", uniqueTags(s));
        SpecialPoolSettings sp = s.specialPool();
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("tag", sp.tag() == null ? null : sp.tag().toString());
        special.put("minSize", sp.minSize());
        special.put("maxSize", sp.maxSize());
        special.put("verify", sp.verifyStart() ? "start" : "end");
        special.put("slots", (long) sp.slots());
        json.put("specialPool", special);
        LowResourcesSimulation f = s.lowResources();
        Map<String, Object> faults = new LinkedHashMap<>();
        faults.put("probability", (long) f.probability());
        faults.put("poolTags", lowResourcesTags(f));
        faults.put("applications", f.applications());
        faults.put("delayMinutes", f.delayMinutes());
        faults.put("seed", f.seed());
        json.put("lowResourcesSimulation", faults);
        return json;
    }

    private static List<VerifierFlags.Flag> options() {
        return VerifierFlags.all().stream()
                .filter(f -> f.standard() || f.implemented())
                .toList();
    }

    private static boolean enabled(VerifierSettings s, VerifierFlags.Flag f) {
        return (s.flags() & f.value()) != 0;
    }

    private static List<String> drivers(VerifierSettings s) {
        return List.copyOf(s.drivers());
    }

    private static List<String> uniqueTags(VerifierSettings s) {
        return s.uniqueTags().stream().sorted().map(Tag::toString).toList();
    }
}
