package dev.pooltrack.internal;

import dev.pooltrack.CallSite;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The call sites seen so far, each with a small integer id that records store in place of the site.
 *
 * <p>Thread-safe. Id 0 is {@link CallSite#UNKNOWN}. {@link #capture()} walks the stack to the first
 * frame outside PoolTrack; it costs a stack walk and some garbage, which is why call sites can be
 * turned off and why callers can register a site once and pass its id.
 */
public final class CallSites {

    private static final StackWalker WALKER = StackWalker.getInstance();

    private final ConcurrentHashMap<CallSite, Integer> ids = new ConcurrentHashMap<>();
    private final List<CallSite> sites = new ArrayList<>();

    public CallSites() {
        sites.add(CallSite.UNKNOWN);
        ids.put(CallSite.UNKNOWN, 0);
    }

    /** The id of {@code site}, registering it if new. */
    public int idOf(CallSite site) {
        Integer id = ids.get(site);
        return id != null ? id : register(site);
    }

    /** The site with the given id, or {@link CallSite#UNKNOWN} for an id never handed out. */
    public CallSite site(int id) {
        synchronized (sites) {
            return id >= 0 && id < sites.size() ? sites.get(id) : CallSite.UNKNOWN;
        }
    }

    /** The id of the calling code: the first frame outside PoolTrack's core. */
    public int capture() {
        return idOf(callerOutsidePoolTrack());
    }

    /** The first frame of the current stack outside PoolTrack's core packages. */
    public static CallSite callerOutsidePoolTrack() {
        return WALKER.walk(frames -> frames.filter(f -> !isPoolTrackCore(f.getClassName()))
                .findFirst()
                .map(f -> new CallSite(
                        f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber(), f.getByteCodeIndex()))
                .orElse(CallSite.UNKNOWN));
    }

    /* The frames to skip are the allocation path's own: the API classes a caller calls
     * (dev.pooltrack.Driver, dev.pooltrack.PoolTrack, with their nested classes) and the engine. Any
     * other class is a caller, even in a dev.pooltrack package (examples, tests, JUnit extension). */
    static boolean isPoolTrackCore(String className) {
        return className.startsWith("dev.pooltrack.internal.")
                || isClassOrNested(className, "dev.pooltrack.Driver")
                || isClassOrNested(className, "dev.pooltrack.PoolTrack");
    }

    private static boolean isClassOrNested(String className, String outer) {
        return className.startsWith(outer)
                && (className.length() == outer.length() || className.charAt(outer.length()) == '$');
    }

    private int register(CallSite site) {
        synchronized (sites) {
            Integer id = ids.get(site);
            if (id != null) {
                return id;
            }
            int newId = sites.size();
            sites.add(site);
            ids.put(site, newId);
            return newId;
        }
    }
}
