package dev.pooltrack.agent;

import dev.pooltrack.CallSite;
import java.util.Arrays;

/**
 * The call sites given a constant id when their class loaded: each allocating call in a driver's
 * class knows its driver, its tag rule and its site, so the allocation needs no stack walk.
 *
 * <p>Thread-safe: registration is synchronized, lookup is a read of a published array.
 */
final class InjectedSites {

    /**
     * One injected site.
     *
     * @param driver the driver of the site's class
     * @param loader the state of the class's loader, or {@code null} for a loader that never closes
     * @param ruleTag the tag the rules give the class, or 0
     * @param site the site
     * @param coreSite the site's id in the pool
     * @param downcallOnly whether the site is a call through a {@code MethodHandle}, which names the
     *     caller of a watched C allocator downcall only: a JDK-path allocation made inside the handle's
     *     target (Java code behind a handle) is attributed by a stack walk
     */
    record Site(
            DriverRef driver,
            LoaderWatch.LoaderState loader,
            int ruleTag,
            CallSite site,
            int coreSite,
            boolean downcallOnly) {}

    private volatile Site[] sites = new Site[256];
    private int count = 1; // id 0 means no site

    /** Registers a site; its id, at least 1. */
    synchronized int register(Site s) {
        Site[] a = sites;
        if (count == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        int id = count++;
        a[id] = s;
        sites = a;
        return id;
    }

    /** The site with the given id, or {@code null}. */
    Site get(int id) {
        Site[] a = sites;
        return id > 0 && id < a.length ? a[id] : null;
    }

    /** How many sites were injected. */
    synchronized int size() {
        return count - 1;
    }
}
