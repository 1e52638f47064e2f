package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.report.PoolJson;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class ManagementTest {

    @Test
    void registeredPool_exposesCountersAndJsonOperations() throws Exception {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("jmx-driver"));
        Management m = Management.register(pool);
        assertThat(m).isNotNull();
        Driver d = pool.load("jmx-driver");
        m.registerDriver(d);
        MemorySegment s = d.allocate(PoolType.NON_PAGED, 4096, Tag.of("Jmx1"));

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName poolName = new ObjectName(Management.POOL_NAME);
        ObjectName driverName = new ObjectName("dev.pooltrack:type=Driver,name=\"jmx-driver\"");
        assertThat(server.getAttribute(poolName, "Level")).isEqualTo(8);
        assertThat(server.getAttribute(poolName, "AllocationsSucceeded")).isEqualTo(1L);
        assertThat(server.getAttribute(driverName, "NonPagedPoolUsageInBytes")).isEqualTo(4096L);
        assertThat(server.getAttribute(driverName, "Status")).isEqualTo("Loaded");

        String json = (String) server.invoke(poolName, "snapshotJson", null, null);
        PoolSnapshot read = PoolJson.readSnapshot(json, "jmx");
        assertThat(read.tag(Tag.of("Jmx1")).nonPagedBytes()).isEqualTo(4096);
        assertThat(read.driver("jmx-driver").currentNonPagedPoolAllocations()).isEqualTo(1);

        String rows = (String) server.invoke(
                poolName, "outstandingJson", new Object[] {"jmx-driver", 0}, new String[] {"java.lang.String", "int"});
        assertThat(PoolJson.readOutstanding(rows, "jmx"))
                .extracting(OutstandingAllocation::address)
                .containsExactly(s.address());

        server.invoke(poolName, "addDriver", new Object[] {"later.jar"}, new String[] {"java.lang.String"});
        assertThat(pool.settings().drivers()).contains("later.jar");
        d.free(s);
    }

    @Test
    void registeredPool_showsFaultsInjectedAndLockedPages() throws Exception {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("jmx-lr")
                .withFlags(VerifierFlags.POOL_TRACKING | VerifierFlags.LOW_RESOURCES_SIMULATION)
                .withLowResources(LowResourcesSimulation.defaults()
                        .withProbability(10_000)
                        .withDelayMinutes(0)
                        .withTags(LowResourcesSimulation.parseTags("Fail"))));
        Management m = Management.register(pool);
        Driver d = pool.load("jmx-lr");
        m.registerDriver(d);
        assertThat(d.allocate(PoolType.NON_PAGED, 64, Tag.of("Fail"))).isEqualTo(MemorySegment.NULL);
        MemorySegment buffer = d.allocate(PoolType.NON_PAGED, 8192, Tag.of("Lock"));
        Mdl mdl = Mdl.allocate(d, buffer);
        mdl.lockPages();

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName poolName = new ObjectName(Management.POOL_NAME);
        ObjectName driverName = new ObjectName("dev.pooltrack:type=Driver,name=\"jmx-lr\"");
        assertThat(server.getAttribute(poolName, "AllocationsFailedDeliberately"))
                .isEqualTo(1L);
        assertThat(server.getAttribute(driverName, "LockedPages")).isEqualTo(mdl.pageCount());
        assertThat(server.getAttribute(driverName, "LockedBytes")).isEqualTo(mdl.pageCount() * 4096);
        PoolSnapshot read = PoolJson.readSnapshot((String) server.invoke(poolName, "snapshotJson", null, null), "jmx");
        assertThat(read.driver("jmx-lr").lockedPages()).isEqualTo(mdl.pageCount());
        assertThat(read.global().allocationsFailedDeliberately()).isEqualTo(1);
        mdl.unlockPages();
        d.free(buffer);
    }
}
