package dev.pooltrack.cli.source;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.Violation;
import java.util.List;

/** A pool in this JVM as a {@link PoolSource}: the demo's pools, and tests of the views. */
public final class LocalPoolSource implements PoolSource {

    private final PoolTrack pool;
    private final String name;

    /** A source reading {@code pool}, described as {@code name}. */
    public LocalPoolSource(PoolTrack pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public PoolSnapshot snapshot() {
        return pool.snapshot();
    }

    @Override
    public List<OutstandingAllocation> outstanding(String driver, int limit) {
        return pool.outstanding(driver, limit);
    }

    @Override
    public List<Violation> violations() {
        return pool.violations();
    }

    @Override
    public String settingsText() {
        return SettingsFile.format(pool.settings());
    }

    @Override
    public void setVolatileFlags(int flags) {
        pool.applyVolatile(pool.settings().withFlags(flags));
    }

    @Override
    public void addDriver(String driver) {
        pool.addDriver(driver);
    }

    @Override
    public void removeDriver(String driver) {
        pool.removeDriver(driver);
    }

    @Override
    public void setResponse(String response) {
        pool.applyVolatile(pool.settings().withResponse(SettingsFile.response(response)));
    }

    @Override
    public void close() {}
}
