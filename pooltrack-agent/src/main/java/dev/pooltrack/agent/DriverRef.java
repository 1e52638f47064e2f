package dev.pooltrack.agent;

import dev.pooltrack.Driver;
import dev.pooltrack.DriverStatus;
import dev.pooltrack.spi.AllocationObserver;

/**
 * A driver name with its {@link Driver}, resolved on first use and again whenever the driver is not
 * loaded: the agent loads a driver when its code is first seen allocating.
 *
 * <p>Thread-safe.
 */
final class DriverRef {

    final String name;
    /** The agent's number for the driver, for its allocation log. */
    final int id;

    private volatile Driver driver;

    DriverRef(String name, int id) {
        this.name = name;
        this.id = id;
    }

    /**
     * The driver to charge.
     *
     * @param loader the state of the allocating class's loader, or {@code null}: code whose loader
     *     was closed is charged to its unloaded driver (which the engine reports as an allocation
     *     after unload) instead of loading the driver again
     */
    Driver resolve(AllocationObserver observer, LoaderWatch.LoaderState loader) {
        Driver d = driver;
        if (d != null && (d.status() == DriverStatus.LOADED || (loader != null && loader.closed))) {
            return d;
        }
        d = observer.driver(name);
        driver = d;
        return d;
    }
}
