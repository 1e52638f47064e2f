package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Allocation with quota, tenants, and the Pool Tracking checks 0xC4/0x10A and 0x10B. */
class QuotaTest {

    static final Tag QUOT = Tag.of("Quot");

    static PoolTrack pool(Response response) {
        return PoolTrack.create(VerifierSettings.poolTracking("a").withResponse(response));
    }

    @Test
    void allocateWithQuota_chargesTheCurrentTenant_andFreeReturnsIt() {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        Tenant acme = Tenant.of("acme", 10_000);
        MemorySegment block = acme.call(() -> a.allocateWithQuota(PoolType.PAGED, 4000, QUOT));
        assertThat(acme.quotaUsage()).isEqualTo(4000);
        block.fill((byte) 1);
        a.free(block, QUOT); // on any thread, with or without a tenant: the block knows its tenant
        assertThat(acme.quotaUsage()).isZero();
        assertThat(acme.peakQuotaUsage()).isEqualTo(4000);
        assertThat(pool.violations()).isEmpty();
        assertThat(pool.snapshot().driver("a").currentAllocations()).isZero();
    }

    @Test
    void allocateWithQuota_exceeded_raisesStatusQuotaExceeded_andChargesNothing() {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        Tenant acme = Tenant.of("acme", 10_000);
        acme.run(() -> {
            MemorySegment first = a.allocateWithQuota(PoolType.NON_PAGED, 6000, QUOT);
            assertThatThrownBy(() -> a.allocateWithQuota(PoolType.NON_PAGED, 6000, QUOT))
                    .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                        assertThat(e.status()).isEqualTo(0xC0000044);
                        assertThat(e.tenant()).isEqualTo("acme");
                    })
                    .hasMessage("STATUS_QUOTA_EXCEEDED (0xC0000044): 6000 bytes of pool quota for tenant acme, which"
                            + " holds 6000 of its 10000 bytes; driver a, tag Quot");
            assertThat(acme.quotaUsage()).isEqualTo(6000);
            assertThat(acme.quotaRefusals()).isEqualTo(1);
            a.free(first);
        });
        assertThat(acme.quotaUsage()).isZero();
        assertThat(pool.snapshot().tag(QUOT).nonPagedAllocs()).isEqualTo(1);
    }

    @Test
    void allocateWithQuotaOrNull_exceeded_returnsNull() {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        Tenant small = Tenant.of("small", 100);
        MemorySegment s = small.call(() -> a.allocateWithQuotaOrNull(PoolType.PAGED, 101, QUOT));
        assertThat(s).isEqualTo(MemorySegment.NULL);
        assertThat(small.quotaUsage()).isZero();
        MemorySegment fits = small.call(() -> a.allocateWithQuotaOrNull(PoolType.PAGED, 100, QUOT));
        assertThat(fits.byteSize()).isEqualTo(100);
        a.free(fits);
        assertThat(small.quotaUsage()).isZero();
    }

    @Test
    void allocateWithQuota_noTenantBound_raises0x10A() {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        assertThatThrownBy(() -> a.allocateWithQuota(PoolType.PAGED, 64, QUOT))
                .isInstanceOfSatisfying(DriverVerifierError.class, e -> {
                    Violation v = e.violation();
                    assertThat(v.code()).isEqualTo(0xC4);
                    assertThat(v.arg(1).value()).isEqualTo(0x10A);
                    assertThat(v.arg(2).value()).isZero();
                    assertThat(v.arg(3).value()).isZero();
                    assertThat(v.arg(4).value()).isZero();
                    assertThat(v.driver()).isEqualTo("a");
                    assertThat(v.callSite().className()).isEqualTo(QuotaTest.class.getName());
                    assertThat(v.callSite().methodName()).startsWith("lambda$allocateWithQuota_noTenantBound");
                });
        assertThat(pool.snapshot().global().allocationsSucceeded()).isZero();
    }

    @Test
    void allocateWithQuota_noTenantBound_logResponse_allocatesUncharged() {
        PoolTrack pool = pool(Response.LOG);
        Driver a = pool.load("a");
        MemorySegment s = a.allocateWithQuota(PoolType.PAGED, 64, QUOT);
        assertThat(s.byteSize()).isEqualTo(64);
        assertThat(pool.violations()).extracting(Violation::bucket).containsExactly("0xc4_10a");
        a.free(s);
    }

    @Test
    void allocateWithQuota_fromDpcQueue_raises0x10B() throws Exception {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        Tenant acme = Tenant.of("acme", 1 << 20);
        try (DpcQueue dpcs = new DpcQueue("dpc", 1)) {
            // the request's tenant is bound where the DPC is queued; the DPC itself runs for nobody
            Future<?> dpc = acme.call(() -> dpcs.insert(() -> a.allocateWithQuota(PoolType.NON_PAGED, 64, QUOT)));
            assertThatThrownBy(dpc::get)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(DriverVerifierError.class, e -> {
                        assertThat(e.violation().bucket()).isEqualTo("0xc4_10b");
                        assertThat(e.violation().threadName()).isEqualTo("dpc-1");
                        assertThat(e.violation().driver()).isEqualTo("a");
                    });
        }
        assertThat(acme.quotaUsage()).isZero();
    }

    @Test
    void allocateWithQuota_onMarkedCallbackThread_withTenantBound_stillRaises0x10B() throws Exception {
        PoolTrack pool = pool(Response.LOG);
        Driver a = pool.load("a");
        Tenant acme = Tenant.of("acme", 1 << 20);
        MemorySegment[] got = new MemorySegment[1];
        Thread t = DpcQueue.callbackThreadFactory("callback")
                .newThread(() -> acme.run(() -> got[0] = a.allocateWithQuota(PoolType.NON_PAGED, 64, QUOT)));
        t.start();
        t.join();
        assertThat(pool.violations()).extracting(Violation::bucket).containsExactly("0xc4_10b");
        assertThat(acme.quotaUsage()).isEqualTo(64); // LOG: charged to the tenant that happened to be bound
        a.free(got[0]);
        assertThat(acme.quotaUsage()).isZero();
    }

    @Test
    void allocateWithQuota_driverNotVerified_noChecks() {
        PoolTrack pool = pool(Response.THROW);
        Driver b = pool.load("b");
        MemorySegment s = b.allocateWithQuota(PoolType.PAGED, 64, QUOT);
        b.free(s);
        assertThat(pool.violations()).isEmpty();
    }

    @Test
    void allocateWithQuota_faultInjected_raisesInsufficientResources_andReturnsTheCharge() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("a")
                .withFlags(0xC)
                .withLowResources(LowResourcesSimulation.defaults()
                        .withProbability(10_000)
                        .withDelayMinutes(0)));
        Driver a = pool.load("a");
        Tenant acme = Tenant.of("acme", 1 << 20);
        acme.run(() -> {
            assertThatThrownBy(() -> a.allocateWithQuota(PoolType.PAGED, 64, QUOT))
                    .isInstanceOfSatisfying(
                            QuotaExceededException.class,
                            e -> assertThat(e.status()).isEqualTo(0xC000009A));
            assertThat(a.allocateWithQuotaOrNull(PoolType.PAGED, 64, QUOT)).isEqualTo(MemorySegment.NULL);
        });
        assertThat(acme.quotaUsage()).isZero();
        assertThat(pool.snapshot().global().allocationsFailedDeliberately()).isEqualTo(2);
    }

    @Test
    void allocateWithQuota_manyThreads_neverOverQuota_andEveryChargeReturned() throws Exception {
        PoolTrack pool = pool(Response.THROW);
        Driver a = pool.load("a");
        Tenant shared = Tenant.of("shared", 64 * 100);
        int threads = 4;
        int rounds = 5_000;
        java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong succeeded = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> workers = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform()
                    .start(() -> shared.run(() -> {
                        java.util.ArrayDeque<MemorySegment> held = new java.util.ArrayDeque<>();
                        for (int i = 0; i < rounds; i++) {
                            MemorySegment s = a.allocateWithQuotaOrNull(PoolType.NON_PAGED, 64, QUOT);
                            if (s.equals(MemorySegment.NULL)) {
                                refused.incrementAndGet();
                            } else {
                                succeeded.incrementAndGet();
                                held.add(s);
                            }
                            if (held.size() > 40 || (i % 7 == 0 && !held.isEmpty())) {
                                a.free(held.poll());
                            }
                        }
                        held.forEach(a::free);
                    })));
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(succeeded.get() + refused.get()).isEqualTo((long) threads * rounds);
        assertThat(refused.get()).isEqualTo(shared.quotaRefusals());
        assertThat(shared.quotaUsage()).isZero();
        assertThat(shared.peakQuotaUsage()).isLessThanOrEqualTo(shared.quotaBytes());
        assertThat(pool.snapshot().driver("a").currentAllocations()).isZero();
        assertThat(pool.snapshot().tag(QUOT).nonPagedAllocs()).isEqualTo(succeeded.get());
    }

    @Test
    void tenant_badInput_isRefused() {
        assertThatThrownBy(() -> Tenant.of(" ", 1)).hasMessage("a tenant needs a name");
        assertThatThrownBy(() -> Tenant.of("t", -1)).hasMessage("bad quota -1 for tenant t: 0 bytes or more");
    }
}
