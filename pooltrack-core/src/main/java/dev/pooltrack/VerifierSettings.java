package dev.pooltrack;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What Driver Verifier checks, for which drivers, and how it responds: an immutable value.
 *
 * <p>The counterpart of {@code verifier /flags F /driver D} plus PoolTrack's own options. Use the
 * {@code with...} methods to derive changed settings.
 *
 * @param flags the verifier flags; every bit must be implemented ({@link VerifierFlags#requireImplemented})
 * @param drivers the names of the verified drivers
 * @param allDrivers verify every driver ({@code /all})
 * @param response what a violation does
 * @param callSites whether allocations of verified drivers record their caller (a stack captured each,
 *     resolved to the calling frame when read)
 * @param uniqueTags tags for which each call site gets a tag of its own ({@code Lea1}, {@code Lea2}, ...);
 *     the call site of such an allocation is always recorded, whatever {@code callSites} says, and a
 *     free that passes the shared tag matches the site's own tag
 * @param reportDirectory where the {@link Response#CRASH} response writes its report file, and where
 *     special pool keeps its slot table
 * @param specialPool which allocations special pool serves and how it places them
 * @param lowResources the sub-parameters of Low Resources Simulation ({@code /faults}), used when
 *     flag 0x4 or 0x40000 is set
 */
public record VerifierSettings(
        int flags,
        Set<String> drivers,
        boolean allDrivers,
        Response response,
        boolean callSites,
        Set<Tag> uniqueTags,
        Path reportDirectory,
        SpecialPoolSettings specialPool,
        LowResourcesSimulation lowResources) {

    /** Validates flags and copies the sets. */
    public VerifierSettings {
        VerifierFlags.requireImplemented(flags);
        drivers = Collections.unmodifiableSet(new LinkedHashSet<>(drivers)); // keeps the order given
        uniqueTags = Set.copyOf(uniqueTags);
        if (response == null || reportDirectory == null || specialPool == null || lowResources == null) {
            throw new IllegalArgumentException(
                    "response, report directory, special pool settings and low resources simulation are required");
        }
    }

    /** Settings with the default special pool settings and Windows' default Low Resources Simulation parameters. */
    public VerifierSettings(
            int flags,
            Set<String> drivers,
            boolean allDrivers,
            Response response,
            boolean callSites,
            Set<Tag> uniqueTags,
            Path reportDirectory) {
        this(
                flags,
                drivers,
                allDrivers,
                response,
                callSites,
                uniqueTags,
                reportDirectory,
                SpecialPoolSettings.defaults(),
                LowResourcesSimulation.defaults());
    }

    /** No verification: per-tag counters only, responses are logged, call sites on. */
    public static VerifierSettings none() {
        return new VerifierSettings(0, Set.of(), false, Response.LOG, true, Set.of(), Path.of("."));
    }

    /** {@code /flags 0x8 /driver names...}: Pool Tracking for the named drivers. */
    public static VerifierSettings poolTracking(String... drivers) {
        return none().withFlags(VerifierFlags.POOL_TRACKING).withDrivers(new LinkedHashSet<>(List.of(drivers)));
    }

    /** Whether Pool Tracking (0x8) is on. */
    public boolean poolTracking() {
        return (flags & VerifierFlags.POOL_TRACKING) != 0;
    }

    /** Whether the named driver is verified with Pool Tracking under these settings. */
    public boolean tracks(String driver) {
        return poolTracking() && (allDrivers || drivers.contains(driver));
    }

    /** Whether the named driver's allocations are eligible for special pool by flag 0x1. */
    public boolean specialPoolFor(String driver) {
        return (flags & VerifierFlags.SPECIAL_POOL) != 0 && (allDrivers || drivers.contains(driver));
    }

    /** Whether special pool serves anything under these settings: flag 0x1, a tag pattern or a size range. */
    public boolean specialPoolOn() {
        return (flags & VerifierFlags.SPECIAL_POOL) != 0 || specialPool.selects();
    }

    /** These settings with other special pool settings. */
    public VerifierSettings withSpecialPool(SpecialPoolSettings sp) {
        return new VerifierSettings(
                flags, drivers, allDrivers, response, callSites, uniqueTags, reportDirectory, sp, lowResources);
    }

    /** Whether the named driver is verified (named, or {@code /all}), whatever the flags. */
    public boolean verifies(String driver) {
        return allDrivers || drivers.contains(driver);
    }

    /** Whether allocations of the named driver are failed on purpose (0x4 or 0x40000). */
    public boolean injectsFaults(String driver) {
        return (flags & (VerifierFlags.LOW_RESOURCES_SIMULATION | VerifierFlags.SYSTEMATIC_LOW_RESOURCES_SIMULATION))
                        != 0
                && verifies(driver);
    }

    /** These settings with other Low Resources Simulation parameters. */
    public VerifierSettings withLowResources(LowResourcesSimulation simulation) {
        return new VerifierSettings(
                flags, drivers, allDrivers, response, callSites, uniqueTags, reportDirectory, specialPool, simulation);
    }

    /** These settings with other flags. */
    public VerifierSettings withFlags(int newFlags) {
        return new VerifierSettings(
                newFlags,
                drivers,
                allDrivers,
                response,
                callSites,
                uniqueTags,
                reportDirectory,
                specialPool,
                lowResources);
    }

    /** These settings with another set of verified drivers. */
    public VerifierSettings withDrivers(Set<String> newDrivers) {
        return new VerifierSettings(
                flags,
                newDrivers,
                allDrivers,
                response,
                callSites,
                uniqueTags,
                reportDirectory,
                specialPool,
                lowResources);
    }

    /** These settings verifying every driver, or only the named ones. */
    public VerifierSettings withAllDrivers(boolean all) {
        return new VerifierSettings(
                flags, drivers, all, response, callSites, uniqueTags, reportDirectory, specialPool, lowResources);
    }

    /** These settings with another response. */
    public VerifierSettings withResponse(Response newResponse) {
        return new VerifierSettings(
                flags,
                drivers,
                allDrivers,
                newResponse,
                callSites,
                uniqueTags,
                reportDirectory,
                specialPool,
                lowResources);
    }

    /** These settings with call sites on or off. */
    public VerifierSettings withCallSites(boolean on) {
        return new VerifierSettings(
                flags, drivers, allDrivers, response, on, uniqueTags, reportDirectory, specialPool, lowResources);
    }

    /** These settings giving each call site that passes one of {@code tags} a tag of its own. */
    public VerifierSettings withUniqueTags(Set<Tag> tags) {
        return new VerifierSettings(
                flags, drivers, allDrivers, response, callSites, tags, reportDirectory, specialPool, lowResources);
    }

    /** These settings writing crash reports to another directory. */
    public VerifierSettings withReportDirectory(Path dir) {
        return new VerifierSettings(
                flags, drivers, allDrivers, response, callSites, uniqueTags, dir, specialPool, lowResources);
    }
}
