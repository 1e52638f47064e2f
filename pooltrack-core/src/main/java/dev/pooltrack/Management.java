package dev.pooltrack;

import dev.pooltrack.internal.LoopbackJmxServer;
import dev.pooltrack.report.PoolJson;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The JMX side of a pool: its {@link PoolTrackMXBean} and one {@link DriverMXBean} per driver, in
 * the platform MBean server. Thread-safe.
 */
final class Management implements PoolTrackMXBean {

    /* Only the platform MBean server is used. The pooltrack command reaches it through
     * LoopbackJmxServer, a connector on the loopback address that it starts on demand through the
     * Attach API; JConsole and VisualVM through the JDK's local agent, if the user starts them.
     * PoolTrack never starts the JDK's agent, and never remote JMX: that stays the user's choice
     * (-Dcom.sun.management.jmxremote.* options). The system property LoopbackJmxServer.POOL_PROPERTY
     * tells the pooltrack command, which reads the JVM's system properties through the Attach API,
     * that this JVM runs a pool, without connecting and without starting anything. */

    static final String POOL_NAME = "dev.pooltrack:type=PoolTrack";

    private final PoolTrack pool;

    private Management(PoolTrack pool) {
        this.pool = pool;
    }

    /** Registers the pool's MBean; returns the management object, or null if registration failed. */
    static Management register(PoolTrack pool) {
        Management m = new Management(pool);
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(POOL_NAME);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(m, name);
            System.setProperty(LoopbackJmxServer.POOL_PROPERTY, m.getVersion());
            if (System.getProperty(LoopbackJmxServer.START_PROPERTY) != null) {
                LoopbackJmxServer.startIfAsked();
            }
            return m;
        } catch (JMException | RuntimeException e) {
            System.getLogger("dev.pooltrack")
                    .log(System.Logger.Level.WARNING, "PoolTrack: cannot register its MBean: " + e);
            return null;
        }
    }

    /** Registers a driver's MBean. */
    void registerDriver(Driver d) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.pooltrack:type=Driver,name=" + ObjectName.quote(d.name));
            if (!server.isRegistered(name)) {
                server.registerMBean(new DriverBean(pool, d), name);
            }
        } catch (JMException | RuntimeException e) {
            System.getLogger("dev.pooltrack")
                    .log(System.Logger.Level.WARNING, "PoolTrack: cannot register the MBean of " + d.name + ": " + e);
        }
    }

    @Override
    public String getVersion() {
        String v = PoolTrack.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    @Override
    public int getLevel() {
        return pool.settings().flags();
    }

    @Override
    public String[] getVerifiedDrivers() {
        return pool.settings().drivers().toArray(String[]::new);
    }

    @Override
    public boolean isAllDrivers() {
        return pool.settings().allDrivers();
    }

    @Override
    public String getResponse() {
        return pool.settings().response().name();
    }

    @Override
    public String[] getDrivers() {
        return pool.drivers().stream().map(Driver::toString).toArray(String[]::new);
    }

    @Override
    public long getAllocationsAttempted() {
        return pool.snapshot().global().allocationsAttempted();
    }

    @Override
    public long getAllocationsSucceeded() {
        return pool.snapshot().global().allocationsSucceeded();
    }

    @Override
    public long getAllocationsSucceededSpecialPool() {
        return pool.snapshot().global().allocationsSucceededSpecialPool();
    }

    @Override
    public long getAllocationsWithNoTag() {
        return pool.snapshot().global().allocationsWithNoTag();
    }

    @Override
    public long getAllocationsFailed() {
        return pool.snapshot().global().allocationsFailed();
    }

    @Override
    public long getAllocationsFailedDeliberately() {
        return pool.snapshot().global().allocationsFailedDeliberately();
    }

    @Override
    public long getViolationCount() {
        return pool.violationCount();
    }

    @Override
    public String snapshotJson() {
        return PoolJson.write(pool.snapshot());
    }

    @Override
    public String outstandingJson(String driver, int limit) {
        return PoolJson.writeOutstanding(pool.outstanding(driver == null || driver.isEmpty() ? null : driver, limit));
    }

    @Override
    public String violationsJson() {
        return PoolJson.writeViolations(pool.violations());
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
    public void addDriver(String name) {
        pool.addDriver(name);
    }

    @Override
    public void removeDriver(String name) {
        pool.removeDriver(name);
    }

    @Override
    public void setResponse(String response) {
        pool.applyVolatile(pool.settings().withResponse(SettingsFile.response(response)));
    }

    /** The MBean of one driver. */
    static final class DriverBean implements DriverMXBean {
        private final PoolTrack pool;
        private final Driver driver;

        DriverBean(PoolTrack pool, Driver driver) {
            this.pool = pool;
            this.driver = driver;
        }

        private DriverCounters counters() {
            return pool.driverCounters(driver);
        }

        @Override
        public String getName() {
            return driver.name;
        }

        @Override
        public String getStatus() {
            return driver.status.displayName();
        }

        @Override
        public boolean isVerified() {
            return driver.tracked;
        }

        @Override
        public long getLoads() {
            return counters().loads();
        }

        @Override
        public long getUnloads() {
            return counters().unloads();
        }

        @Override
        public long getCurrentPagedPoolAllocations() {
            return counters().currentPagedPoolAllocations();
        }

        @Override
        public long getCurrentNonPagedPoolAllocations() {
            return counters().currentNonPagedPoolAllocations();
        }

        @Override
        public long getPeakPagedPoolAllocations() {
            return counters().peakPagedPoolAllocations();
        }

        @Override
        public long getPeakNonPagedPoolAllocations() {
            return counters().peakNonPagedPoolAllocations();
        }

        @Override
        public long getPagedPoolUsageInBytes() {
            return counters().pagedPoolUsageInBytes();
        }

        @Override
        public long getNonPagedPoolUsageInBytes() {
            return counters().nonPagedPoolUsageInBytes();
        }

        @Override
        public long getPeakPagedPoolUsageInBytes() {
            return counters().peakPagedPoolUsageInBytes();
        }

        @Override
        public long getPeakNonPagedPoolUsageInBytes() {
            return counters().peakNonPagedPoolUsageInBytes();
        }

        @Override
        public long getLockedPages() {
            return counters().lockedPages();
        }

        @Override
        public long getLockedBytes() {
            return counters().lockedBytes();
        }

        @Override
        public long getPeakLockedBytes() {
            return counters().peakLockedBytes();
        }
    }
}
