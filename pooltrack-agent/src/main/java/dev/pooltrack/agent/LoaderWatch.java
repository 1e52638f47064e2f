package dev.pooltrack.agent;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The class loaders that hold drivers, and the unload of a driver when the last loader holding it is
 * closed ({@code URLClassLoader.close}) or collected: a plugin host's unload or redeploy is the
 * JVM's counterpart of a driver unloading, and the moment for Pool Tracking's leak check.
 *
 * <p>Thread-safe. Holds no strong reference to any loader.
 */
final class LoaderWatch {

    /* A driver (a jar) may be loaded by several loaders at once, as during a redeploy when the new
     * plugin starts before the old one is closed: the driver unloads when the last loader holding it
     * goes, so the new copy's memory is not counted as the old one's leak. A driver seen in a loader
     * that never closes (the application and platform loaders) never unloads. */

    /** What the agent knows of one class loader; never references the loader itself. */
    static final class LoaderState {
        final String description;
        final Set<String> drivers = ConcurrentHashMap.newKeySet();
        volatile boolean closed;

        LoaderState(String description) {
            this.description = description;
        }
    }

    private final Map<ClassLoader, LoaderState> states = new WeakHashMap<>();
    private final Map<String, Set<LoaderState>> openByDriver = new HashMap<>();
    private final Set<String> permanent = ConcurrentHashMap.newKeySet();
    private final Cleaner cleaner;
    private final BiConsumer<String, String> unload;

    /**
     * @param unload called with a driver name and the reason when the driver's last loader went
     */
    LoaderWatch(BiConsumer<String, String> unload) {
        this.unload = unload;
        this.cleaner = Cleaner.create(r -> {
            Thread t = new Thread(r, "pooltrack-loader-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Notes that {@code loader} holds {@code driver}; the loader's state, or {@code null} for a loader
     * that never closes.
     */
    LoaderState stateOf(ClassLoader loader, String driver) {
        if (loader == null
                || loader == ClassLoader.getSystemClassLoader()
                || loader == ClassLoader.getPlatformClassLoader()) {
            permanent.add(driver);
            return null;
        }
        synchronized (this) {
            LoaderState s = states.get(loader);
            if (s == null) {
                s = new LoaderState(describe(loader));
                states.put(loader, s);
                LoaderState state = s;
                cleaner.register(loader, () -> release(state, "its class loader was collected"));
            }
            if (s.drivers.add(driver)) {
                openByDriver
                        .computeIfAbsent(driver, d -> new java.util.HashSet<>())
                        .add(s);
            }
            return s;
        }
    }

    /** A loader was closed: its drivers that no other open loader holds unload now, on this thread. */
    void closed(Object loader) {
        LoaderState s;
        synchronized (this) {
            s = loader instanceof ClassLoader cl ? states.get(cl) : null;
        }
        if (s != null) {
            release(s, "its class loader was closed");
        }
    }

    private void release(LoaderState s, String why) {
        List<String> last = new ArrayList<>();
        synchronized (this) {
            if (s.closed) {
                return;
            }
            s.closed = true;
            for (String d : s.drivers) {
                Set<LoaderState> open = openByDriver.get(d);
                if (open != null) {
                    open.remove(s);
                    if (open.isEmpty() && !permanent.contains(d)) {
                        last.add(d);
                    }
                }
            }
        }
        for (String d : last) {
            unload.accept(d, why + " (" + s.description + ")");
        }
    }

    private static String describe(ClassLoader loader) {
        String name = loader.getName();
        return loader.getClass().getName() + (name == null ? "" : " '" + name + "'") + "@"
                + Integer.toHexString(System.identityHashCode(loader));
    }
}
